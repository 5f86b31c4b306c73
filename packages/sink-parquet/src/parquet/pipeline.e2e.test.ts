import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { decodeFeatureJson, decodeRetractionJson, type Feature, type Hex } from '@qenus/core'
import {
  checkpointOf,
  type Devnet,
  killStrays,
  type RunningQenus,
  startDevnet,
  startQenus,
  testDir,
  waitFor,
} from '@qenus/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readArchive } from '../test/duckdb.js'

const FINALITY = 2

let devnet: Devnet
let root: string

beforeAll(async () => {
  devnet = await startDevnet()
  await devnet.traffic({ seed: 5, swaps: 120, mints: 6, burns: 3, txPerBlock: 6 })
  root = await testDir('parquet')
})

afterAll(async () => {
  killStrays()
  await devnet?.stop()
})

interface Run {
  config: string
  archive: string
  jsonl: string
  checkpoint: string
}

/** A config writing the same features to the console sink (a JSON lines file) and to Parquet. */
async function prepare(name: string): Promise<Run> {
  const dir = join(root, name)
  await mkdir(dir, { recursive: true })
  const run = {
    config: join(dir, 'qenus.config.json'),
    archive: join(dir, 'archive'),
    jsonl: join(dir, 'features.jsonl'),
    checkpoint: join(dir, 'checkpoints', 'e2e.devnet.json'),
  }
  await writeFile(
    run.config,
    JSON.stringify({
      name: 'e2e',
      chains: {
        devnet: {
          chainId: 31337,
          source: { use: '@qenus/source-rpc', providers: [devnet.rpcUrl], pollIntervalMs: 50, maxBlockRange: 4 },
        },
      },
      extractors: [{ use: '@qenus/plugin-uniswap-v3', pools: 'all' }],
      sinks: [
        { use: '@qenus/sink-console', path: run.jsonl },
        { use: '@qenus/sink-parquet', dir: run.archive, finality: FINALITY, maxRows: 40 },
      ],
      checkpoint: { dir: join(dir, 'checkpoints'), everyBlocks: 3 },
      server: { port: false },
    }),
  )
  return run
}

function start(run: Run): RunningQenus {
  return startQenus(['run', '--config', run.config, '--from', '0'])
}

async function caughtUp(run: Run): Promise<void> {
  const head = await devnet.publicClient.getBlockNumber()
  await waitFor(
    `checkpoint at ${head}`,
    async () => ((await checkpointOf(run.checkpoint))?.number ?? -1n) >= head,
    30_000,
  )
}

async function stop(cli: RunningQenus): Promise<void> {
  cli.child.kill('SIGTERM')
  const { code, stderr } = await cli.exited
  expect(code, stderr).toBe(0)
}

/** The console sink's canonical stream: every feature line, minus the ids a retraction withdrew. */
async function consoleFeatures(run: Run): Promise<Feature[]> {
  const lines = (await readFile(run.jsonl, 'utf8')).split('\n').filter(Boolean)
  const retracted = new Set(
    lines.filter((l) => l.startsWith('{"type":"retraction"')).flatMap((l) => decodeRetractionJson(l).ids),
  )
  return lines
    .filter((l) => !l.startsWith('{"type":"retraction"'))
    .map((l) => decodeFeatureJson(l))
    .filter((f) => !retracted.has(f.id))
}

describe('sink-parquet in a qenus pipeline on a devnet', () => {
  let reference: Feature[]
  let head: bigint

  it('archives exactly the final features of the console stream, wei-exact, without the reorged blocks', async () => {
    const run = await prepare('reorg')
    const cli = start(run)
    await caughtUp(run)
    const tip = await devnet.publicClient.getBlockNumber()
    const reorged: Hex[] = []
    for (const n of [tip - 1n, tip]) reorged.push((await devnet.publicClient.getBlock({ blockNumber: n })).hash)
    await devnet.reorg(2)
    await devnet.mine(FINALITY + 2)
    await caughtUp(run)
    await stop(cli)
    head = await devnet.publicClient.getBlockNumber()
    const archived = await readArchive(run.archive)
    const streamed = await consoleFeatures(run)
    expect(streamed.length).toBeGreaterThan(150)
    reference = streamed.filter((f) => f.blockNumber <= head - BigInt(FINALITY))
    // DuckDB's rows rebuilt into features equal the console sink's features: every column, wei-exact.
    expect(archived).toEqual(reference)
    expect(new Set(archived.map((f) => f.id)).size).toBe(archived.length)
    expect(archived.filter((f) => reorged.includes(f.blockHash))).toEqual([])
    // The withdrawn blocks did carry features: the reorg mattered.
    const lines = await readFile(run.jsonl, 'utf8')
    expect(reorged.some((hash) => lines.includes(`"blockHash":"${hash}"`))).toBe(true)
  })

  it('killed with SIGKILL and restarted, leaves the same archive: no duplicate row, no missing row', async () => {
    const run = await prepare('killed')
    const first = start(run)
    await waitFor(
      'a few checkpoints and part files',
      async () => {
        const text = await readFile(run.jsonl, 'utf8').catch(() => '')
        return text.split('\n').length > reference.length / 2
      },
      30_000,
    )
    first.child.kill('SIGKILL')
    await first.exited
    const atKill = (await checkpointOf(run.checkpoint))!.number
    expect(atKill).toBeLessThan(head)
    const second = start(run)
    await caughtUp(run)
    await stop(second)
    const archived = await readArchive(run.archive)
    expect(new Set(archived.map((f) => f.id)).size).toBe(archived.length)
    expect(archived).toEqual(reference)
  })
})
