import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { decodeFeatureJson, type Feature, Pipeline, resolveConfig, type SequencerHealthData } from '@qenus/core'
import { type AnvilProcess, spawnAnvil } from '@qenus/testkit'
import { createPublicClient, http } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const REPO = resolve(fileURLToPath(import.meta.url), '../../../../..')
const HALTED_AFTER_MS = 2_500
let anvil: AnvilProcess
let dir: string
let out: string
let pipeline: Pipeline
const url = () => `http://127.0.0.1:${anvil.port}`
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const client = () => createPublicClient({ transport: http(url()) })
const mining = (seconds: number) => client().request({ method: 'evm_setIntervalMining', params: [seconds] } as never)

/** The sequencer.health lines of the console sink's file, in file order. */
async function health(): Promise<Feature[]> {
  const text = await readFile(out, 'utf8').catch(() => '')
  return text
    .split('\n')
    .filter((line) => line.includes('"sequencer.health"'))
    .map((line) => decodeFeatureJson(line))
}
const data = (f: Feature) => f.data as SequencerHealthData
const halted = (f: Feature) => data(f).status === 'halted'

async function until(what: string, done: (lines: Feature[]) => boolean, ms = 10_000): Promise<Feature[]> {
  const deadline = Date.now() + ms
  for (;;) {
    const lines = await health()
    if (done(lines)) return lines
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(100)
  }
}

beforeAll(async () => {
  anvil = await spawnAnvil(['--chain-id', '31337', '--block-time', '1'])
  dir = await mkdtemp(join(tmpdir(), 'qenus-seq-'))
  out = join(dir, 'out.jsonl')
  const config = await resolveConfig(
    {
      name: 'seq',
      // A known OP Stack chain name, re-pointed at the devnet: the L2 entry a user would write.
      chains: {
        base: {
          chainId: 31337,
          blockTimeMs: 1_000,
          source: { use: '@qenus/source-rpc', providers: [url()], pollIntervalMs: 50 },
        },
      },
      extractors: [
        { use: '@qenus/plugin-gas', emit: ['sequencer'], haltedAfterMs: HALTED_AFTER_MS, sequencerWindow: 3 },
      ],
      sinks: [{ use: '@qenus/sink-console', path: out }],
      checkpoint: { dir: join(dir, 'checkpoints') },
      server: { port: false },
      log: { level: 'error' },
    },
    { dir: REPO },
  )
  pipeline = new Pipeline(config)
  await pipeline.start()
}, 30_000)

afterAll(async () => {
  await pipeline?.stop()
  await anvil?.stop()
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('a halted L2 in the feed (Pipeline + source-rpc + plugin-gas + sink-console)', () => {
  it('writes an out-of-block halted line while no block comes, then degraded and ok blocks', async () => {
    await until('three ok blocks', (lines) => lines.filter((f) => data(f).status === 'ok').length >= 3)
    await mining(0)
    const stoppedAt = Date.now()
    const lines = await until('a halted line', (l) => l.some(halted), 8_000)
    const head = await client().getBlock()
    const first = lines.find(halted)!
    // Bound to the last block the chain has, which the lane extracted before the halt.
    expect(first.blockNumber).toBe(head.number)
    expect(first.blockHash).toBe(head.hash)
    expect(first.id).toMatch(new RegExp(`^31337:${head.hash}:-:sequencer\\.health:halted:\\d+$`))
    expect(first).toMatchObject({ chain: 'base', protocol: 'op-stack' })
    expect(data(first)).toMatchObject({ up: false, status: 'halted', expectedBlockTimeMs: 1_000 })
    expect(data(first).reason).toMatch(new RegExp(`^no block for \\d+(\\.\\d)? s since block ${head.number}`))
    // Measured from the block's timestamp (whole seconds) to the clock.
    const sinceBlock = (Date.now() - Number(head.timestamp) * 1000) / 1000
    expect(data(first).secondsSinceLastBlock).toBeGreaterThan(HALTED_AFTER_MS / 1000)
    expect(data(first).secondsSinceLastBlock).toBeLessThanOrEqual(sinceBlock)
    // Still halted: repeated at most once per halt threshold, with the time growing.
    await sleep(HALTED_AFTER_MS + 1_000)
    const repeated = (await health()).filter(halted)
    const haltedFor = (Date.now() - stoppedAt) / HALTED_AFTER_MS
    expect(repeated.length).toBeGreaterThanOrEqual(2)
    expect(repeated.length).toBeLessThanOrEqual(Math.ceil(haltedFor))
    expect(new Set(repeated.map((f) => f.id)).size).toBe(repeated.length)
    for (const [i, f] of repeated.entries()) {
      expect(f.blockHash).toBe(head.hash)
      if (i > 0) expect(data(f).secondsSinceLastBlock).toBeGreaterThan(data(repeated[i - 1]!).secondsSinceLastBlock)
    }

    await mining(1)
    const after = await until('ok again after the halt', (l) => {
      const resumed = l.filter((f) => f.blockNumber > head.number)
      return resumed.some((f) => data(f).status === 'ok')
    })
    const resumed = after.filter((f) => f.blockNumber > head.number)
    expect(resumed.every((f) => data(f).up)).toBe(true)
    const firstBlock = await client().getBlock({ blockNumber: head.number + 1n })
    expect(resumed[0]).toMatchObject({ blockNumber: firstBlock.number, blockHash: firstBlock.hash })
    expect(data(resumed[0]!).status).toBe('degraded')
    expect(data(resumed[0]!).reason).toMatch(/resumed after \d+ s without blocks/)
    expect(data(resumed[0]!).secondsSinceLastBlock).toBe(Number(firstBlock.timestamp - head.timestamp))
    expect(data(resumed.at(-1)!).status).toBe('ok')
    // No halted line after blocks resumed.
    expect(after.slice(after.indexOf(resumed[0]!)).some(halted)).toBe(false)
  }, 40_000)
})
