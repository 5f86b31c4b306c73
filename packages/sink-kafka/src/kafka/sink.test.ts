import { readFileSync } from 'node:fs'
import { FEATURE_KINDS, getCodec, isQenusError } from '@qenus/core'
import { makeFeatureBatches, retractionOf } from '@qenus/testkit'
import { describe, expect, it } from 'vitest'
import plugin from '../index.js'
import { compressionType } from './compression.js'
import { kafkaSinkOptions } from './options.js'
import { featureRecord, placementOf, retractionRecord } from './records.js'
import { KafkaSink } from './sink.js'
import { topicNames, topicOf } from './topics.js'

describe('topics', () => {
  it('maps every kind to its SPEC family, prefixed', () => {
    expect(topicNames('mainnet.')).toEqual([
      'mainnet.features.amm',
      'mainnet.features.bridge',
      'mainnet.features.flashloan',
      'mainnet.features.gas',
      'mainnet.features.mempool',
      'mainnet.features.mev',
      'mainnet.features.sequencer',
      'mainnet.opportunities',
    ])
    for (const kind of FEATURE_KINDS) expect(topicNames('')).toContain(topicOf('', kind))
    expect(topicOf('', 'gas.l2fee')).toBe('features.gas')
    expect(topicOf('x.', 'opportunity')).toBe('x.opportunities')
  })
})

describe('records', () => {
  const [batch] = makeFeatureBatches({ blocks: 1, perBlock: 2 })
  const feature = batch!.features[0]!

  it('encodes a feature with its key and headers, JSON or protobuf', () => {
    const json = featureRecord(feature, getCodec('json'), 'p.')
    expect(json).toMatchObject({ topic: 'p.features.amm', key: `${feature.chainId}:${feature.address}` })
    expect(json.headers).toEqual({ kind: 'amm.swap', chainId: '31337', blockNumber: '1000', codec: 'json' })
    expect(getCodec('json').decode(json.value)).toEqual(feature)
    const proto = featureRecord(feature, getCodec('protobuf'), '')
    expect(proto.headers.codec).toBe('protobuf')
    expect(getCodec('protobuf').decode(new Uint8Array(proto.value))).toEqual(feature)
  })

  it('encodes a retraction of one id that core decodes, on the feature topic and key', () => {
    const batches = makeFeatureBatches({ blocks: 2, perBlock: 2 })
    const retraction = retractionOf(batches, 1)
    const id = retraction.ids[0]!
    const placement = { topic: 't', key: 'k', blockNumber: 1001n }
    const json = retractionRecord(retraction, id, placement, getCodec('json'))
    expect(JSON.parse(json.value.toString()).type).toBe('retraction')
    expect(getCodec('json').decodeRetraction(json.value).ids).toEqual([id])
    expect(json.headers).toEqual({
      kind: 'retraction',
      chainId: '31337',
      blockNumber: '1001',
      codec: 'json',
      retracts: id,
    })
    const proto = retractionRecord(retraction, id, placement, getCodec('protobuf'))
    expect(getCodec('protobuf').decodeRetraction(new Uint8Array(proto.value))).toMatchObject({
      ids: [id],
      chainId: 31337,
    })
    expect(placementOf(id, retraction, 'p.')).toEqual({
      topic: 'p.features.amm',
      key: '31337',
      blockNumber: 1001n,
      exact: false,
    })
    // With the retraction's own features, exactly where featureRecord put the feature.
    const withdrawn = batches[1]!.features.find((f) => f.id === id)!
    const known = { id, kind: withdrawn.kind, address: withdrawn.address }
    const record = featureRecord(withdrawn, getCodec('json'), 'p.')
    expect(placementOf(id, retraction, 'p.', known)).toEqual({
      topic: record.topic,
      key: record.key,
      blockNumber: 1001n,
      exact: true,
    })
  })
})

describe('options and plugin', () => {
  it('has throughput defaults and names what was wrong', () => {
    expect(kafkaSinkOptions.parse({ brokers: ['b:9092'] })).toMatchObject({
      topicPrefix: '',
      codec: 'json',
      compression: 'none',
      delivery: 'idempotent',
      topics: { create: 'admin', partitions: 6, replicationFactor: 3 },
      batch: { maxRecords: 2000, maxBytes: 1_048_576, lingerMs: 5 },
    })
    const bad = kafkaSinkOptions.safeParse({ brokers: ['nohost'], topicPrefix: 'a b', batch: { maxRecords: 0 } })
    expect(bad.success).toBe(false)
    expect(bad.error!.issues.map((i) => i.path.join('.')).sort()).toEqual([
      'batch.maxRecords',
      'brokers.0',
      'topicPrefix',
    ])
  })

  it('names the package an optional compression needs', async () => {
    for (const [compression, pkg] of [
      ['snappy', 'kafkajs-snappy'],
      ['lz4', 'kafkajs-lz4'],
      ['zstd', '@kafkajs/zstd'],
    ] as const) {
      const error = await compressionType(compression).catch((e: unknown) => e)
      expect(isQenusError(error) && error.code).toBe('SINK_KAFKA_CODEC_MISSING')
      expect(String((error as Error).message)).toContain(pkg)
    }
    expect(await compressionType('gzip')).toBe(1)
  })

  it('is the default export, with its package version', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'))
    expect(plugin).toMatchObject({ name: '@qenus/sink-kafka', version: pkg.version, apiVersion: '^0.1.0' })
    expect(plugin.components.sinks?.kafka?.component).toBe(KafkaSink)
  })
})
