import { describe, expect, it } from 'vitest'
import { isQenusError } from '../errors.js'
import { KNOWN_CHAINS } from './chains.js'
import { getCodec } from './codec.js'
import type { RetractionRecord } from './codec-types.js'
import type { FeatureEnvelope } from './feature.js'
import { decodeFeatureJson, decodeRetractionJson, encodeFeatureJson, encodeRetractionJson } from './json.js'

const H = '0x918a700a8e7a9f3fe0b3ccb176c810ded08729331ceef8d6375af5d1eeeaa6c0'

function liquidity(): FeatureEnvelope<'amm.liquidity'> {
  return {
    id: `1:${H}:7:amm.liquidity:`,
    kind: 'amm.liquidity',
    chainId: 1,
    chain: 'ethereum',
    blockNumber: 17_173_049n,
    blockHash: H,
    blockTimestamp: 1_683_029_999n,
    logIndex: 7,
    protocol: 'uniswap-v3',
    address: '0x498498fa386ef2860e7abf8c60254580c8c41ec5',
    data: {
      pool: '0x498498fa386ef2860e7abf8c60254580c8c41ec5',
      action: 'mint',
      owner: '0xc36442b4a4522e871399cd717abdd847ab11fe88',
      tickLower: -887220,
      tickUpper: 887220,
      liquidity: 2n ** 128n - 1n,
      amount0: 10n ** 30n,
      amount1: 0n,
    },
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

describe('JSON codec', () => {
  it('writes keys in envelope order then .proto order, whatever the object key order', () => {
    const feature = liquidity()
    const shuffled = Object.fromEntries(Object.entries(feature).reverse()) as typeof feature
    shuffled.data = Object.fromEntries(Object.entries(feature.data).reverse()) as typeof feature.data
    expect(encodeFeatureJson(shuffled)).toBe(encodeFeatureJson(feature))
    const parsed = JSON.parse(encodeFeatureJson(feature))
    expect(Object.keys(parsed)).toEqual([
      'id',
      'kind',
      'chainId',
      'chain',
      'blockNumber',
      'blockHash',
      'blockTimestamp',
      'logIndex',
      'protocol',
      'address',
      'data',
    ])
    expect(Object.keys(parsed.data)).toEqual(Object.keys(feature.data))
  })

  it('is one line, with the exact numbers and strings', () => {
    const json = encodeFeatureJson(liquidity())
    expect(json).not.toContain('\n')
    expect(json).toContain('"blockNumber":17173049,')
    expect(json).toContain(`"liquidity":"${2n ** 128n - 1n}"`)
    expect(json).toContain('"amount0":"1000000000000000000000000000000"')
    expect(json).toContain('"tickLower":-887220')
  })

  it('lower-cases hex and leaves absent optionals out', () => {
    const feature = liquidity()
    feature.address = '0x498498FA386EF2860E7ABF8C60254580C8C41EC5'
    feature.txHash = undefined
    const decoded = decodeFeatureJson(encodeFeatureJson(feature))
    expect(decoded.address).toBe('0x498498fa386ef2860e7abf8c60254580c8c41ec5')
    expect('txHash' in decoded).toBe(false)
    expect('txIndex' in decoded).toBe(false)
  })

  it('decodes UTF-8 bytes, ignores unknown keys and accepts a block number past 2^53 as a string', () => {
    const parsed = JSON.parse(encodeFeatureJson(liquidity()))
    parsed.extra = { newer: 'field' }
    parsed.blockNumber = '9007199254740993'
    const decoded = decodeFeatureJson(Buffer.from(JSON.stringify(parsed)))
    expect(decoded.blockNumber).toBe(9_007_199_254_740_993n)
    expect('extra' in decoded).toBe(false)
    expect(encodeFeatureJson(decoded)).toContain('"blockNumber":"9007199254740993"')
  })

  it('names the feature and the field that is wrong', () => {
    const feature = liquidity()
    ;(feature.data as unknown as Record<string, unknown>).amount0 = 1.5
    expect(failure(() => encodeFeatureJson(feature))).toEqual({
      code: 'CODEC_ENCODE_FAILED',
      message: `cannot encode feature "1:${H}:7:amm.liquidity:" (amm.liquidity): data.amount0: expected a bigint, got number 1.5`,
    })
    const bad = liquidity()
    bad.address = '0x12345' as `0x${string}`
    expect(failure(() => encodeFeatureJson(bad)).message).toMatch(/address: expected even-length 0x hex/)
    const missing = liquidity() as unknown as Record<string, unknown>
    delete missing.protocol
    expect(failure(() => encodeFeatureJson(missing as never)).message).toMatch(/protocol: is required/)
  })

  it('rejects floats, bad decimals and unknown kinds on decode, naming the path', () => {
    const parsed = JSON.parse(encodeFeatureJson(liquidity()))
    expect(
      failure(() => decodeFeatureJson(JSON.stringify({ ...parsed, data: { ...parsed.data, amount1: 1e21 } }))),
    ).toMatchObject({
      code: 'CODEC_DECODE_FAILED',
      message: expect.stringMatching(/data\.amount1: expected a decimal integer string, got number 1e\+21/),
    })
    expect(
      failure(() => decodeFeatureJson(JSON.stringify({ ...parsed, data: { ...parsed.data, liquidity: '0x10' } })))
        .message,
    ).toMatch(/data\.liquidity: expected a decimal integer string/)
    expect(failure(() => decodeFeatureJson(JSON.stringify({ ...parsed, kind: 'amm.nope' }))).message).toMatch(
      /kind: unknown kind/,
    )
    expect(failure(() => decodeFeatureJson('{"id":')).message).toMatch(/not valid JSON/)
  })

  it('round-trips a retraction, block numbers as JSON numbers', () => {
    const record: RetractionRecord = {
      chainId: 1,
      chain: 'ethereum',
      to: { number: 100n, hash: H },
      reverted: [
        { number: 102n, hash: `0x${'02'.repeat(32)}` },
        { number: 101n, hash: `0x${'01'.repeat(32)}` },
      ],
      ids: ['a', 'b'],
    }
    const json = encodeRetractionJson({ ...record, chain: KNOWN_CHAINS.ethereum })
    expect(JSON.parse(json).to).toEqual({ number: 100, hash: H })
    expect(decodeRetractionJson(json)).toStrictEqual(record)
    expect(getCodec('json').decodeRetraction(getCodec('json').encodeRetraction(record))).toStrictEqual(record)
  })
})
