import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url))

// Writes many blocks to stdout through the built package, then reports on stderr.
const script = `
import { KNOWN_CHAINS, featureId } from '@qenus/core'
import { ConsoleSink, consoleSinkOptions } from '@qenus/sink-console'
const logger = { warn: (fields, message) => process.stderr.write('WARN ' + message + ' ' + JSON.stringify(fields) + '\\n') }
const sink = new ConsoleSink(consoleSinkOptions.parse({}), logger)
await sink.start()
const hash = '0x' + '11'.repeat(32)
for (let b = 0; b < 3000; b++) {
  const features = Array.from({ length: 20 }, (_, i) => ({
    id: featureId({ chainId: 1, blockHash: hash, logIndex: i, kind: 'gas.block', discriminator: String(b) }),
    kind: 'gas.block', chainId: 1, chain: 'ethereum', blockNumber: BigInt(b), blockHash: hash, blockTimestamp: 1n,
    protocol: 'ethereum', address: '0x' + '00'.repeat(20),
    data: { baseFeePerGas: 10n ** 30n, nextBaseFeePerGas: 1n, gasUsed: 1n, gasLimit: 2n, priorityFeeP10: 0n, priorityFeeP50: 0n, priorityFeeP90: 0n },
  }))
  await sink.write({ chain: KNOWN_CHAINS.ethereum, block: { number: BigInt(b), hash }, timestamp: 1n, features })
}
await sink.close()
process.stderr.write('DONE\\n')
`

describe('ConsoleSink on stdout', () => {
  it('keeps running and exits cleanly when the reader closes the pipe (EPIPE)', async () => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (chunk) => {
      stderr += chunk
    })
    const [first] = (await once(child.stdout, 'data')) as [Buffer]
    child.stdout.destroy() // the reader goes away, like `qenus run | head -1`
    const [code] = await once(child, 'exit')
    expect(first.toString()).toMatch(/^\{"id":"1:0x11/)
    expect(stderr).toContain('WARN console sink: stdout closed by its reader {"code":"EPIPE"}')
    expect(stderr).toContain('DONE')
    expect(stderr).not.toMatch(/Error|at /)
    expect(code).toBe(0)
  })
})
