import { bench, describe } from 'vitest'
import type { Feature } from './feature.js'
import { decodeFeatureJson, encodeFeatureJson } from './json.js'
import { decodeFeatureProto, encodeFeatureProto } from './protobuf.js'

const HASH = '0xaa5ab9bb22d8020d438496a7edb4eff508b1c5128b0dc01fdecf57f96aac1bb3'

/** Swaps over 50 pools, as a busy block spreads them, with amounts past 2^53. */
function swap(i: number): Feature {
  const pool = `0x${(0x498498fa386ef2860e7abf8c60254580c8c41ec5n + BigInt(i % 50)).toString(16)}` as const
  return {
    id: `1:${HASH}:${i % 300}:amm.swap:`,
    kind: 'amm.swap',
    chainId: 1,
    chain: 'ethereum',
    blockNumber: 17_173_049n + BigInt(i >> 8),
    blockHash: HASH,
    blockTimestamp: 1_683_029_999n,
    txHash: `0x${(BigInt(HASH) + BigInt(i)).toString(16)}`,
    txIndex: i % 200,
    logIndex: i % 300,
    protocol: 'uniswap-v3',
    address: pool,
    data: {
      pool,
      token0: '0x7b4328c127b85369d9f82ca0503b000d09cf9180',
      token1: '0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2',
      amount0: -903011634319514535653893n - BigInt(i),
      amount1: 600000000000000000n + BigInt(i),
      sender: '0x68b3465833fb72a70ecdf485e0e4c7bd8665fc45',
      recipient: '0xc89c92526f5b49821bdd137d375a4032a317212f',
      fee: 3000,
      sqrtPriceX96: 64147135836289934962170958n + BigInt(i),
      liquidity: 456969538768005548133323n,
      tick: -142335,
      price: '0.000000655531297017',
    },
  }
}

const features = Array.from({ length: 10_000 }, (_, i) => swap(i))
const json = features.map(encodeFeatureJson)
const proto = features.map(encodeFeatureProto)
const replacer = (_key: string, value: unknown) => (typeof value === 'bigint' ? value.toString() : value)

describe('amm.swap x 10k', () => {
  bench('encodeFeatureJson', () => {
    for (const f of features) encodeFeatureJson(f)
  })
  bench('baseline: JSON.stringify with a bigint replacer', () => {
    for (const f of features) JSON.stringify(f, replacer)
  })
  bench('decodeFeatureJson', () => {
    for (const text of json) decodeFeatureJson(text)
  })
  bench('encodeFeatureProto', () => {
    for (const f of features) encodeFeatureProto(f)
  })
  bench('decodeFeatureProto', () => {
    for (const bytes of proto) decodeFeatureProto(bytes)
  })
})
