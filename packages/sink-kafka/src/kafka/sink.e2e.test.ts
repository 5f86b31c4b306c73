import { type Feature, type FeatureBatch, isQenusError, KNOWN_CHAINS } from '@qenus/core'
import {
  type KafkaCluster,
  type KafkaFaultProxy,
  makeFeatureBatches,
  retractionOf,
  startKafka,
  startKafkaFaultProxy,
} from '@qenus/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { byPartition, decodeFeed, readTopics } from '../test/feed.js'
import { kafkaSinkOptions } from './options.js'
import { KafkaSink } from './sink.js'

const CHAIN_B = { ...KNOWN_CHAINS.devnet!, name: 'devnet-b', chainId: 31338 }

let kafka: KafkaCluster
let topicCount = 0

beforeAll(async () => {
  kafka = await startKafka({ brokers: 3 })
})

afterAll(async () => {
  await kafka?.stop()
})

function sinkOn(
  brokers: string[],
  extra: Record<string, unknown> = {},
  logger?: ConstructorParameters<typeof KafkaSink>[1],
) {
  const prefix = `t${++topicCount}.`
  const options = kafkaSinkOptions.parse({
    brokers,
    topicPrefix: prefix,
    topics: { create: 'broker' },
    delivery: 'transactional',
    transactionalId: `tx-${prefix}`,
    ...extra,
  })
  return new KafkaSink(options, logger)
}

/** A pending swap seen at `head`'s block, built from one of its features: an independent shape. */
function mempoolSwap(feature: Feature, i: number): Feature {
  const txHash = `0x${(i + 1).toString(16).padStart(64, 'a')}` as const
  return {
    ...feature,
    id: `${feature.chainId}:${feature.blockHash}:-:mempool.swap:${txHash}`,
    kind: 'mempool.swap',
    txHash,
    txIndex: undefined,
    logIndex: undefined,
    data: {
      pool: feature.address,
      tokenIn: `0x${'11'.repeat(20)}`,
      tokenOut: `0x${'22'.repeat(20)}`,
      amountIn: 10n ** 18n + BigInt(i),
      amountOutMin: 3_000_000_000n,
      from: `0x${'33'.repeat(20)}`,
      maxPriorityFeePerGas: 2_000_000_000n,
    },
  } as Feature
}

const sortKey = (f: Feature) => f.blockNumber * 1_000_000n + BigInt(f.logIndex ?? 999_999)

describe('KafkaSink against the mock cluster, read back by kcat', () => {
  it('writes one record per feature: topic per family, key chainId:address, headers, order per partition', async () => {
    const sink = sinkOn(kafka.brokers, { delivery: 'at-least-once', compression: 'gzip' })
    await sink.start()
    const a = makeFeatureBatches({ fromBlock: 10n, blocks: 6, perBlock: 7, seed: 21 })
    const b = makeFeatureBatches({ chain: CHAIN_B, fromBlock: 500n, blocks: 6, perBlock: 5, seed: 22 })
    for (let i = 0; i < a.length; i++) {
      await sink.write(a[i]!)
      await sink.write(b[i]!)
    }
    await sink.close()
    const feed = decodeFeed(await readTopics(kafka.brokers, sink.topics))
    const expected = [...a, ...b].flatMap((x) => x.features)
    expect(feed.features).toHaveLength(expected.length)
    const byId = new Map(feed.features.map((f) => [f.id, f]))
    for (const f of expected) expect(byId.get(f.id)).toEqual(f)
    for (const record of feed.records) {
      const f = byId.get(decodeFeed([record]).features[0]!.id)!
      expect(record.topic).toBe(`${sink.topics[0]!.split('.')[0]}.features.amm`)
      expect(record.key).toBe(`${f.chainId}:${f.address}`)
      expect(record.headers).toEqual({
        kind: f.kind,
        chainId: String(f.chainId),
        blockNumber: f.blockNumber.toString(),
        codec: 'json',
      })
    }
    // One key lives in one partition, in block then log order.
    const partitionOfKey = new Map<string, string>()
    for (const [partition, records] of byPartition(feed.records)) {
      const features = decodeFeed(records).features
      for (const f of features) {
        const key = `${f.chainId}:${f.address}`
        expect(partitionOfKey.get(key) ?? partition).toBe(partition)
        partitionOfKey.set(key, partition)
      }
      for (const key of new Set(features.map((f) => `${f.chainId}:${f.address}`))) {
        const order = features.filter((f) => `${f.chainId}:${f.address}` === key).map(sortKey)
        expect(order).toEqual([...order].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)))
      }
    }
  })

  it('puts a retraction for every withdrawn id on its feature topic and partition, before the replacements', async () => {
    const sink = sinkOn(kafka.brokers)
    await sink.start()
    const batches = makeFeatureBatches({ fromBlock: 40n, blocks: 4, perBlock: 3, seed: 31 })
    for (const batch of batches) await sink.write(batch)
    const retraction = retractionOf(batches, 2)
    await sink.revert(retraction)
    const replacement = makeFeatureBatches({ fromBlock: 42n, blocks: 3, perBlock: 2, seed: 32, branch: 1 })
    for (const batch of replacement) await sink.write(batch)
    await sink.close()
    const records = await readTopics(kafka.brokers, sink.topics)
    const retractions = records.filter((r) => r.headers.kind === 'retraction')
    expect(retractions.map((r) => r.headers.retracts).sort()).toEqual([...retraction.ids].sort())
    const withdrawn = new Map(batches.slice(2).flatMap((b) => b.features.map((f) => [f.id, f] as const)))
    const replacedIds = new Set(replacement.flatMap((b) => b.features.map((f) => f.id)))
    for (const [, group] of byPartition(records)) {
      const kinds = group.map((r) =>
        r.headers.kind === 'retraction' ? 'R' : feedId(r) && replacedIds.has(feedId(r)!) ? 'N' : 'O',
      )
      // Within a partition: old features, then every retraction, then the replacements.
      expect(kinds.join('')).toMatch(/^O*R*N*$/)
    }
    for (const r of retractions) {
      const value = JSON.parse(r.payload!.toString())
      const feature = withdrawn.get(value.ids[0])!
      expect(value).toMatchObject({ type: 'retraction', chainId: feature.chainId, ids: [feature.id] })
      expect(r.key).toBe(`${feature.chainId}:${feature.address}`)
      expect(r.headers).toMatchObject({ chainId: String(feature.chainId), blockNumber: feature.blockNumber.toString() })
    }
  })

  it('sends mempool features to features.mempool, keyed by pool, and never retracts them', async () => {
    const sink = sinkOn(kafka.brokers)
    await sink.start()
    const batches = makeFeatureBatches({ fromBlock: 70n, blocks: 2, perBlock: 2, seed: 41 })
    const head = batches[1]!
    await sink.write(batches[0]!)
    await sink.write(head)
    const pending = head.features.map((f, i) => mempoolSwap(f, i))
    await sink.writePending({ ...head, features: pending, pending: true })
    await sink.revert(retractionOf(batches, 1))
    await sink.close()
    const records = await readTopics(kafka.brokers, sink.topics)
    const mempool = records.filter((r) => r.topic.endsWith('.features.mempool'))
    expect(decodeFeed(mempool).features).toEqual(pending)
    expect(mempool.map((r) => r.key)).toEqual(pending.map((f) => `${f.chainId}:${f.address}`))
    const retracted = records.filter((r) => r.headers.kind === 'retraction').map((r) => r.headers.retracts)
    expect(retracted.sort()).toEqual(head.features.map((f) => f.id).sort())
  })

  it('fails start with a clear error when idempotent delivery cannot get a producer id (no controller)', async () => {
    const sink = sinkOn(kafka.brokers, { delivery: 'idempotent' })
    const error = await sink.start().catch((e: unknown) => e)
    expect(isQenusError(error) && error.code).toBe('SINK_KAFKA_CONNECT_FAILED')
    expect(String((error as Error).message)).toMatch(/controller.*delivery "transactional"/s)
  })

  it('fails start naming the missing topics when it may not create them', async () => {
    for (const create of ['never', 'admin'] as const) {
      const sink = sinkOn(kafka.brokers, { topics: { create } })
      const error = await sink.start().catch((e: unknown) => e)
      expect(isQenusError(error) && error.code).toBe('SINK_KAFKA_TOPICS_MISSING')
      expect(String((error as Error).message)).toContain(sink.topics.join(', '))
    }
  })
})

function feedId(record: { payload: Buffer | null }): string | undefined {
  return record.payload ? (JSON.parse(record.payload.toString()) as { id?: string }).id : undefined
}

describe('KafkaSink when the brokers are cut off', () => {
  let proxy: KafkaFaultProxy

  afterAll(async () => {
    await proxy?.stop()
  })

  it('holds, applies backpressure, then delivers every record once when the brokers come back', async () => {
    proxy = await startKafkaFaultProxy(kafka.brokers)
    const lines: string[] = []
    const log = (level: string) => (fields: object, message: string) =>
      lines.push(`${level} ${message} ${JSON.stringify(fields)}`)
    const logger = { debug: () => undefined, info: log('info'), warn: log('warn'), error: log('error') }
    const sink = sinkOn(proxy.brokers, { buffer: { maxRecords: 300 }, retry: { initialMs: 100, maxMs: 500 } }, logger)
    await sink.start()
    const batches: FeatureBatch[] = makeFeatureBatches({ fromBlock: 1n, blocks: 120, perBlock: 10, seed: 41 })
    let writtenDuringCut = 0
    let cutAt = 0
    for (const [i, batch] of batches.entries()) {
      if (i === 40) {
        await sink.flush()
        proxy.cut('reset')
        cutAt = performance.now()
        setTimeout(() => proxy.restore(), 4_000)
      }
      await sink.write(batch)
      if (cutAt > 0 && performance.now() - cutAt < 3_900) writtenDuringCut++
    }
    await sink.close()
    // Writes went on while the buffer had room, then waited for the brokers.
    expect(writtenDuringCut).toBeGreaterThan(0)
    expect(writtenDuringCut * 10).toBeLessThanOrEqual(300 + 10)
    const { features } = decodeFeed(await readTopics(kafka.brokers, sink.topics))
    const ids = features.map((f) => f.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(new Set(ids)).toEqual(new Set(batches.flatMap((b) => b.features.map((f) => f.id))))
    expect(lines.some((l) => l.startsWith('warn kafka sink: brokers have not acknowledged'))).toBe(true)
    expect(lines.some((l) => l.startsWith('info kafka sink: brokers acknowledging again'))).toBe(true)
  })
})
