import { type ChainInfo, type Feature, KNOWN_CHAINS, type SequencerHealthData } from '@qenus/core'
import { type AnvilProcess, spawnAnvil } from '@qenus/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { gasExtractor, recordingLogger, rpcSource } from '../../test/harness.js'

const chain: ChainInfo = { ...KNOWN_CHAINS.devnet!, name: 'seq-devnet', family: 'op-stack', blockTimeMs: 1_000 }
let anvil: AnvilProcess
const url = () => `http://127.0.0.1:${anvil.port}`
const rpc = async (method: string, params: unknown[] = []) => {
  const res = await fetch(url(), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  })
  return ((await res.json()) as { result: unknown }).result
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

beforeAll(async () => {
  anvil = await spawnAnvil(['--chain-id', String(chain.chainId), '--block-time', '1'])
})
afterAll(async () => {
  await anvil?.stop()
})

describe('sequencer.health on a devnet that stops and resumes mining', () => {
  it('goes ok → halted (checked on demand, with no block) → ok, and the block after the halt says so', async () => {
    const logger = recordingLogger()
    const extractor = gasExtractor({ emit: ['sequencer'], haltedAfterMs: 2_500, sequencerWindow: 3 }, logger)
    const source = rpcSource(url(), chain)
    const controller = new AbortController()
    const features: Feature[] = []
    const follow = (async () => {
      for await (const event of source.stream({ chain, from: 'head', filters: [], signal: controller.signal })) {
        if (event.type === 'block')
          features.push(...(await extractor.onBlock({ ...event, reader: source.reader(event.header) })))
      }
    })()
    const until = async (what: string, done: () => boolean, ms = 10_000) => {
      const deadline = Date.now() + ms
      while (!done()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
        await sleep(50)
      }
    }
    try {
      await until('three blocks', () => features.length >= 3)
      expect(extractor.sequencerStatus(chain.name)?.status).toBe('ok')
      expect((features.at(-1)!.data as SequencerHealthData).status).toBe('ok')
      await rpc('evm_setIntervalMining', [0])
      const stoppedAt = features.length
      await until('halted', () => extractor.sequencerStatus(chain.name)?.status === 'halted', 6_000)
      expect(features.length).toBeLessThanOrEqual(stoppedAt + 1)
      expect(extractor.sequencerStatus(chain.name)?.reasons[0]).toMatch(/^no block for \d+(\.\d)? s since block \d+$/)
      expect(logger.lines.some((l) => l.level === 'warn' && JSON.stringify(l.fields).includes('"halted"'))).toBe(true)
      await sleep(1_000)
      await rpc('evm_setIntervalMining', [1])
      const resumedFrom = features.length
      await until('a block after the halt', () => features.length > resumedFrom)
      const after = features[resumedFrom]!.data as SequencerHealthData
      expect(after.status).toBe('degraded')
      expect(after.reason).toMatch(/resumed after \d+ s without blocks/)
      expect(after.secondsSinceLastBlock).toBeGreaterThanOrEqual(3)
      await until('ok again', () => extractor.sequencerStatus(chain.name)?.status === 'ok', 8_000)
      expect(logger.lines.some((l) => l.level === 'info' && JSON.stringify(l.fields).includes('"ok"'))).toBe(true)
      expect(features.at(-1)!.data as SequencerHealthData).toMatchObject({
        up: true,
        expectedBlockTimeMs: 1_000,
        reorgs: 0,
      })
    } finally {
      controller.abort()
      await follow.catch(() => undefined)
      await source.close()
    }
  }, 40_000)
})
