import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { decodeFeatureJson, type Feature, type Hex } from '@qenus/core'
import {
  checkpointOf,
  type Devnet,
  type KafkaCluster,
  killStrays,
  type RunningQenus,
  startDevnet,
  startKafka,
  startQenus,
  testDir,
  waitFor,
} from '@qenus/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { byPartition, decodeFeed, readTopics } from '../test/feed.js'
import { topicNames } from './topics.js'

let devnet: Devnet
let kafka: KafkaCluster
let root: string

beforeAll(async () => {
  ;[devnet, kafka] = await Promise.all([startDevnet(), startKafka({ brokers: 3 })])
  await devnet.traffic({ seed: 51, swaps: 150, mints: 8, burns: 4, txPerBlock: 6 })
  root = await testDir('sink-kafka')
})

afterAll(async () => {
  killStrays()
  await Promise.all([devnet?.stop(), kafka?.stop()])
})

interface Run {
  config: string
  out: string
  checkpoint: string
  topics: string[]
}

/** A pipeline into Kafka and, in the same run, into a console-sink file: the reference. */
async function prepare(name: string): Promise<Run> {
  const dir = join(root, name)
  await mkdir(dir, { recursive: true })
  const out = join(dir, 'features.jsonl')
  const config = join(dir, 'qenus.config.json')
  const topicPrefix = `${name}.`
  await writeFile(
    config,
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
        { use: '@qenus/sink-console', path: out },
        {
          use: '@qenus/sink-kafka',
          brokers: kafka.brokers,
          topicPrefix,
          topics: { create: 'broker' },
          delivery: 'transactional',
          transactionalId: `e2e-${name}`,
        },
      ],
      checkpoint: { dir: join(dir, 'checkpoints'), everyBlocks: 2 },
      server: { port: false },
    }),
  )
  return { config, out, checkpoint: join(dir, 'checkpoints', 'e2e.devnet.json'), topics: topicNames(topicPrefix) }
}

async function checkpointBlock(run: Run): Promise<bigint> {
  return (await checkpointOf(run.checkpoint))?.number ?? -1n
}

async function caughtUp(run: Run): Promise<void> {
  const head = await devnet.publicClient.getBlockNumber()
  await waitFor(`checkpoint at ${head}`, async () => (await checkpointBlock(run)) >= head)
}

async function stop(cli: RunningQenus): Promise<string> {
  cli.child.kill('SIGTERM')
  const result = await cli.exited
  expect(result.code, result.stderr).toBe(0)
  return `${result.stdout}${result.stderr}`
}

async function consoleLines(run: Run): Promise<Record<string, unknown>[]> {
  const text = await readFile(run.out, 'utf8').catch(() => '')
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line))
}

async function consoleFeatures(run: Run): Promise<Feature[]> {
  const text = await readFile(run.out, 'utf8')
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('{"type":"retraction"'))
    .map((line) => decodeFeatureJson(line))
}

describe('qenus run into Kafka on a devnet', () => {
  it('survives SIGKILL: after the restart, Kafka holds every feature of the console file, wei-exact', async () => {
    const run = await prepare('killed')
    const first = startQenus(['run', '--config', run.config, '--from', '0'])
    await waitFor('some features out', async () => (await consoleLines(run)).length > 60)
    first.child.kill('SIGKILL')
    expect((await first.exited).signal).toBe('SIGKILL')
    const second = startQenus(['run', '--config', run.config, '--from', '0'])
    await caughtUp(run)
    await stop(second)
    const reference = await consoleFeatures(run)
    const { features, records } = decodeFeed(await readTopics(kafka.brokers, run.topics))
    const byId = new Map(features.map((f) => [f.id, f]))
    expect(reference.length).toBeGreaterThan(100)
    for (const f of reference) expect(byId.get(f.id), f.id).toEqual(f)
    expect(byId.size).toBe(reference.length)
    const duplicates = features.length - byId.size
    console.info(`SIGKILL replay: ${features.length} records, ${byId.size} ids, ${duplicates} duplicates`)
    // Per partition, a key's features go in block then log order, replays aside.
    for (const [, group] of byPartition(records)) {
      const seen = new Set<string>()
      let last = -1n
      for (const f of decodeFeed(group).features) {
        if (seen.has(f.id)) continue
        seen.add(f.id)
        const at = f.blockNumber * 1_000_000n + BigInt(f.logIndex ?? 999_999)
        expect(at >= last, `${f.id} after block ${last / 1_000_000n}`).toBe(true)
        last = at
      }
    }
  })

  it('retracts what a reorg withdrew, in each partition before the replacement features', async () => {
    const run = await prepare('reorg')
    const cli = startQenus(['run', '--config', run.config, '--from', '0'])
    await caughtUp(run)
    const head = await devnet.publicClient.getBlockNumber()
    const dropped = new Set<Hex>()
    for (let n = head - 2n; n <= head; n++) dropped.add((await devnet.publicClient.getBlock({ blockNumber: n })).hash)
    const withdrawn = (await consoleFeatures(run)).filter((f) => dropped.has(f.blockHash)).map((f) => f.id)
    expect(withdrawn.length).toBeGreaterThan(0)
    await devnet.reorg(3)
    await devnet.traffic({ seed: 52, swaps: 12, txPerBlock: 6 })
    await caughtUp(run)
    await stop(cli)
    const records = await readTopics(kafka.brokers, run.topics)
    const retracted = records.filter((r) => r.headers.kind === 'retraction').map((r) => r.headers.retracts!)
    expect(new Set(retracted)).toEqual(new Set(withdrawn))
    const console = await consoleLines(run)
    const retraction = console.find((l) => l.type === 'retraction') as { ids: string[] }
    expect(new Set(retraction.ids)).toEqual(new Set(retracted))
    // Replacements: features of blocks above the common ancestor that are not withdrawn.
    const fresh = (await consoleFeatures(run)).filter((f) => f.blockNumber > head - 3n && !dropped.has(f.blockHash))
    expect(fresh.length).toBeGreaterThan(0)
    const freshIds = new Set(fresh.map((f) => f.id))
    let checked = 0
    for (const [, group] of byPartition(records)) {
      const retractionsAt = group.flatMap((r, i) => (r.headers.kind === 'retraction' ? [i] : []))
      const replacementsAt = group.flatMap((r, i) =>
        r.headers.kind !== 'retraction' && freshIds.has(decodeFeed([r]).features[0]!.id) ? [i] : [],
      )
      if (retractionsAt.length === 0 || replacementsAt.length === 0) continue
      expect(Math.max(...retractionsAt)).toBeLessThan(Math.min(...replacementsAt))
      checked++
    }
    expect(checked).toBeGreaterThan(0)
    // A reader applying the retractions holds exactly the console file's live features.
    const gone = new Set(retracted)
    const live = decodeFeed(records).features.filter((f) => !gone.has(f.id))
    const expected = (await consoleFeatures(run)).filter((f) => !gone.has(f.id))
    expect(new Set(live.map((f) => f.id))).toEqual(new Set(expected.map((f) => f.id)))
  })

  it('after a reorg while stopped, retracts each withdrawn feature on its own topic and key', async () => {
    const run = await prepare('reorg-stopped')
    let cli = startQenus(['run', '--config', run.config, '--from', '0'])
    await caughtUp(run)
    await stop(cli)
    const head = await devnet.publicClient.getBlockNumber()
    const dropped = new Set<Hex>()
    for (let n = head - 2n; n <= head; n++) dropped.add((await devnet.publicClient.getBlock({ blockNumber: n })).hash)
    const withdrawn = (await consoleFeatures(run)).filter((f) => dropped.has(f.blockHash)).map((f) => f.id)
    expect(withdrawn.length).toBeGreaterThan(0)
    await devnet.reorg(3)
    await devnet.traffic({ seed: 53, swaps: 12, txPerBlock: 6 })
    cli = startQenus(['run', '--config', run.config])
    await caughtUp(run)
    const logs = await stop(cli)
    expect(logs).not.toContain('kafka sink: retracting ids')
    const retraction = (await consoleLines(run)).find((l) => l.type === 'retraction') as { ids: string[] }
    expect(retraction.ids).toEqual([...withdrawn].reverse())
    const records = await readTopics(kafka.brokers, run.topics)
    const retractions = records.filter((r) => r.headers.kind === 'retraction')
    expect(new Set(retractions.map((r) => r.headers.retracts))).toEqual(new Set(withdrawn))
    // Each retraction record sits where kcat finds the feature it withdraws: same topic, key, partition.
    const placed = new Map<string, (typeof records)[number]>()
    for (const record of records.filter((r) => r.headers.kind !== 'retraction')) {
      placed.set(decodeFeed([record]).features[0]!.id, record)
    }
    for (const r of retractions) {
      const feature = placed.get(r.headers.retracts!)
      expect(feature, r.headers.retracts).toBeDefined()
      expect({ topic: r.topic, key: r.key, partition: r.partition }).toEqual({
        topic: feature!.topic,
        key: feature!.key,
        partition: feature!.partition,
      })
      expect(r.offset).toBeGreaterThan(feature!.offset)
    }
  })
})
