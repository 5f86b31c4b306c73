import { describe, expect, it } from 'vitest'
import { isQenusError } from '../errors.js'
import { KNOWN_CHAINS } from './chains.js'
import { getCodec } from './codec.js'
import { codecSchema } from './codec-schema.js'
import type { RetractionRecord } from './codec-types.js'
import type { FeatureEnvelope } from './feature.js'
import { decodeFeatureProto, decodeRetractionProto, encodeFeatureProto, encodeRetractionProto } from './protobuf.js'

const H = '0x918a700a8e7a9f3fe0b3ccb176c810ded08729331ceef8d6375af5d1eeeaa6c0'

function health(): FeatureEnvelope<'sequencer.health'> {
  return {
    id: `42161:${H}:-:sequencer.health:`,
    kind: 'sequencer.health',
    chainId: 42161,
    chain: 'arbitrum',
    blockNumber: 300_000_000n,
    blockHash: H,
    blockTimestamp: 1_700_000_000n,
    protocol: 'arbitrum',
    address: '0x0000000000000000000000000000000000000000',
    data: { up: true, secondsSinceLastBlock: 0.25 },
  }
}

function failure(run: () => unknown): { code: string; message: string } {
  try {
    run()
  } catch (error) {
    if (isQenusError(error)) return { code: error.code, message: error.message }
    throw error
  }
  throw new Error('expected a failure')
}

describe('protobuf codec', () => {
  it('keeps absent optional fields absent, and zero values as set', () => {
    const feature = health()
    const decoded = decodeFeatureProto(encodeFeatureProto(feature))
    expect(decoded).toStrictEqual(feature)
    expect('l1BlockNumber' in decoded.data).toBe(false)
    expect('logIndex' in decoded).toBe(false)
    const zero = { ...health(), logIndex: 0, data: { up: false, secondsSinceLastBlock: 0, l1BlockNumber: 0n } }
    expect(decodeFeatureProto(encodeFeatureProto(zero))).toStrictEqual(zero)
  })

  it('reads unset proto3 fields of another producer as their defaults', () => {
    const { feature } = codecSchema()
    const bytes = feature.encode({ id: 'x', kind: 'gas.l2fee', chain: 'base', gasL2fee: {} }).finish()
    const decoded = decodeFeatureProto(bytes)
    expect(decoded).toMatchObject({ chainId: 0, blockNumber: 0n, blockHash: '0x', address: '0x' })
    expect(decoded.data).toStrictEqual({ l1BaseFee: 0n, l1FeeEstimate: 0n })
  })

  it('names the bad field on encode, and rejects garbage and kind mismatches on decode', () => {
    const feature = health()
    feature.blockNumber = -1n
    expect(failure(() => encodeFeatureProto(feature))).toEqual({
      code: 'CODEC_ENCODE_FAILED',
      message: `cannot encode feature "42161:${H}:-:sequencer.health:" (sequencer.health): blockNumber: expected a bigint in uint64 range, got bigint -1`,
    })
    const tick = { ...health(), data: { ...health().data, secondsSinceLastBlock: Number.NaN } }
    expect(failure(() => encodeFeatureProto(tick)).message).toMatch(/data\.secondsSinceLastBlock: expected a number/)
    expect(failure(() => decodeFeatureProto(new Uint8Array([0xff, 0xff, 0xff]))).code).toBe('CODEC_DECODE_FAILED')
    const { feature: type } = codecSchema()
    const mismatch = type.encode({ id: 'y', kind: 'amm.swap', gasL2fee: {} }).finish()
    expect(failure(() => decodeFeatureProto(mismatch)).message).toMatch(
      /kind: is string "amm.swap" but the data case is gas.l2fee/,
    )
    expect(failure(() => decodeFeatureProto(type.encode({ id: 'z' }).finish())).message).toMatch(/no data case/)
    expect(failure(() => getCodec('protobuf').decode('text')).code).toBe('CODEC_DECODE_FAILED')
  })

  it('writes upper-case hex as its bytes, and names hex that is not hex', () => {
    const upper = { ...health(), blockHash: H.toUpperCase().replace('0X', '0x') as `0x${string}` }
    expect(Buffer.from(encodeFeatureProto(upper))).toEqual(Buffer.from(encodeFeatureProto(health())))
    for (const address of ['0x0g', '0x123', 'ab', '0xÿÿ', 7]) {
      expect(failure(() => encodeFeatureProto({ ...health(), address } as never)).message).toMatch(
        /: address: expected even-length 0x hex, got /,
      )
    }
  })

  it('is smaller than JSON', () => {
    expect(encodeFeatureProto(health()).length).toBeLessThan(getCodec('json').encode(health()).length)
  })

  it('round-trips a retraction from the runtime form', () => {
    const record: RetractionRecord = {
      chainId: 8453,
      chain: 'base',
      to: { number: 5n, hash: H },
      reverted: [{ number: 6n, hash: `0x${'06'.repeat(32)}` }],
      ids: ['8453:0x06:1:amm.swap:', '8453:0x06:0:amm.swap:'],
    }
    const bytes = encodeRetractionProto({ ...record, chain: KNOWN_CHAINS.base })
    expect(decodeRetractionProto(bytes)).toStrictEqual(record)
    expect(getCodec('protobuf').decodeRetraction(bytes)).toStrictEqual(record)
  })

  it('getCodec knows json and protobuf only', () => {
    expect(getCodec('protobuf').contentType).toBe('application/x-protobuf')
    expect(failure(() => getCodec('avro' as never)).code).toBe('CODEC_UNKNOWN')
  })
})
