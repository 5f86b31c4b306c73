/**
 * The feature codecs of @qenus/core, features/s over the same features (BENCH_CODEC_FEATURES,
 * default 50,000: amm.swap over 50 pools with amounts past 2^53, and every fifth an amm.pool with
 * reserves and depth), each row beside a baseline measured in the same run:
 *
 * - encodeFeatureJson (the JSON feeds);
 * - encodeFeatureProto, baseline protobufjs's reflection encoder (`Type.encode`) of the same
 *   features as protobufjs objects, built before timing (bigints as strings or Longs, hex as bytes);
 * - decodeFeatureProto, baseline protobufjs's `Type.decode` of the same bytes (no bigint or hex
 *   revival).
 *
 * BENCH_CODEC_CORE names another build of @qenus/core (its dist/index.js) to time beside this one,
 * e.g. the previous commit's, for before/after figures from one run.
 */
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import * as core from '@qenus/core'
import protobuf from 'protobufjs'
import { compare, formatRate, peakRssMiB, positiveInt, printTable } from './harness.mjs'

const COUNT = positiveInt('BENCH_CODEC_FEATURES', 50_000)
const other = process.env.BENCH_CODEC_CORE ? await import(pathToFileURL(process.env.BENCH_CODEC_CORE).href) : undefined

const HASH = '0xaa5ab9bb22d8020d438496a7edb4eff508b1c5128b0dc01fdecf57f96aac1bb3'
const WETH = '0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2'
const TOKEN = '0x7b4328c127b85369d9f82ca0503b000d09cf9180'

function envelope(i, kind, pool) {
  return {
    id: `1:${HASH}:${i % 300}:${kind}:`,
    kind,
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
  }
}

function feature(i) {
  const pool = `0x${(0x498498fa386ef2860e7abf8c60254580c8c41ec5n + BigInt(i % 50)).toString(16)}`
  const big = BigInt(i)
  if (i % 5 === 4) {
    return {
      ...envelope(i, 'amm.pool', pool),
      data: {
        pool,
        tokens: [TOKEN, WETH],
        reserves: [903011634319514535653893n + big, 600000000000000000000n + big],
        fee: 3000,
        price: '0.000000655531297017',
        priceInverse: '1525483.1203945',
        sqrtPriceX96: 64147135836289934962170958n + big,
        tick: -142335,
        liquidity: 456969538768005548133323n,
        depth: [10, 50, 100].map((bps) => ({ bps, amount0In: 10n ** 21n + big, amount1In: 10n ** 18n + big })),
      },
    }
  }
  return {
    ...envelope(i, 'amm.swap', pool),
    data: {
      pool,
      token0: TOKEN,
      token1: WETH,
      amount0: -903011634319514535653893n - big,
      amount1: 600000000000000000n + big,
      sender: '0x68b3465833fb72a70ecdf485e0e4c7bd8665fc45',
      recipient: '0xc89c92526f5b49821bdd137d375a4032a317212f',
      fee: 3000,
      sqrtPriceX96: 64147135836289934962170958n + big,
      liquidity: 456969538768005548133323n,
      tick: -142335,
      price: '0.000000655531297017',
    },
  }
}

function loadFeatureType() {
  const root = new protobuf.Root()
  const googleDir = core.protoIncludeDirs()[1]
  const resolve = root.resolvePath.bind(root)
  root.resolvePath = (origin, target) =>
    target.startsWith('google/protobuf/') ? join(googleDir, target) : resolve(origin, target)
  root.loadSync(core.protoPath())
  root.resolveAll()
  return root.lookupType('qenus.v1.Feature')
}

const MEMBER = { 'amm.swap': 'ammSwap', 'amm.pool': 'ammPool' }

/** The protobufjs object of a value, from the reflected field alone. */
function wireObject(type, obj) {
  const out = {}
  for (const [key, value] of Object.entries(obj)) {
    const field = type.fields[key]
    if (!field) continue
    const one = (v) => {
      if (field.resolvedType instanceof protobuf.Type) return wireObject(field.resolvedType, v)
      if (field.type === 'bytes') return Buffer.from(v.slice(2), 'hex')
      if (typeof v !== 'bigint') return v
      return field.type === 'string' ? v.toString() : protobuf.util.Long.fromString(v.toString(), true)
    }
    out[key] = Array.isArray(value) ? value.map(one) : one(value)
  }
  return out
}

const Feature = loadFeatureType()
const features = Array.from({ length: COUNT }, (_, i) => feature(i))
const wire = features.map(({ data, ...rest }) => ({
  ...wireObject(Feature, rest),
  [MEMBER[rest.kind]]: wireObject(Feature.fields[MEMBER[rest.kind]].resolvedType, data),
}))
const bytes = features.map(core.encodeFeatureProto)
for (let i = 0; i < COUNT; i += 997) {
  if (!Buffer.from(bytes[i]).equals(Feature.encode(wire[i]).finish())) {
    throw new Error(`feature ${i}: encodeFeatureProto differs from protobufjs`)
  }
}

const each = (fn, inputs) => () => {
  for (const input of inputs) fn(input)
  return inputs.length
}
const cases = {
  'JSON encode': each(core.encodeFeatureJson, features),
  'protobuf encode': each(core.encodeFeatureProto, features),
  'protobuf encode, baseline': each((m) => Feature.encode(m).finish(), wire),
  'protobuf decode': each(core.decodeFeatureProto, bytes),
  'protobuf decode, baseline': each((b) => Feature.decode(b), bytes),
}
if (other) {
  cases['protobuf encode, BENCH_CODEC_CORE'] = each(other.encodeFeatureProto, features)
  cases['protobuf decode, BENCH_CODEC_CORE'] = each(other.decodeFeatureProto, bytes)
}
const rates = await compare(cases)
printTable(
  ['row', 'features/s (min–max)'],
  Object.entries(rates).map(([name, rate]) => [name, formatRate(rate)]),
)
console.log(
  `${COUNT.toLocaleString('en-US')} features (4 amm.swap : 1 amm.pool); peak RSS ${peakRssMiB().toFixed(0)} MiB`,
)
