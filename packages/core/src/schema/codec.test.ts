import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import protobuf from 'protobufjs'
import ts from 'typescript'
import type { Hex } from 'viem'
import { describe, expect, it } from 'vitest'
import { getCodec } from './codec.js'
import { codecSchema, type FieldSpec } from './codec-schema.js'
import { FEATURE_KINDS, type Feature, type FeatureDataMap, type FeatureEnvelope, type FeatureKind } from './feature.js'
import { decodeFeatureJson, encodeFeatureJson } from './json.js'
import { decodeFeatureProto, decodeRetractionProto, encodeFeatureProto, encodeRetractionProto } from './protobuf.js'

const INT256_MIN = -(2n ** 255n)
const INT256_MAX = 2n ** 255n - 1n
const UINT256_MAX = 2n ** 256n - 1n
const UINT160_MAX = 2n ** 160n - 1n
const UINT128_MAX = 2n ** 128n - 1n
const UINT64_MAX = 2n ** 64n - 1n
const A = '0x00000000000000000000000000000000000000ff'
const B = '0xffffffffffffffffffffffffffffffffffffffff'
const H = '0xaa5ab9bb22d8020d438496a7edb4eff508b1c5128b0dc01fdecf57f96aac1bb3'

const SAMPLE_DATA: { [K in FeatureKind]: Required<FeatureDataMap[K]> } = {
  'amm.swap': {
    pool: A,
    token0: B,
    token1: A,
    amount0: INT256_MIN,
    amount1: INT256_MAX,
    sender: A,
    recipient: B,
    fee: 0xffff_ffff,
    sqrtPriceX96: UINT160_MAX,
    liquidity: UINT128_MAX,
    tick: -887272,
    price: '0.000000000000000000123456789012345678',
  },
  'amm.pool': {
    pool: A,
    tokens: [A, B, A],
    reserves: [UINT256_MAX, 0n, 1n],
    fee: 100,
    price: '1',
    priceInverse: '1.000000000000000000',
    sqrtPriceX96: UINT160_MAX,
    tick: 887272,
    liquidity: UINT128_MAX,
    depth: [
      { bps: 10, amount0In: UINT256_MAX, amount1In: 0n },
      { bps: 50, amount0In: 1n, amount1In: UINT128_MAX },
    ],
  },
  'amm.liquidity': {
    pool: A,
    action: 'burn',
    owner: B,
    tickLower: -887272,
    tickUpper: -887220,
    liquidity: UINT128_MAX,
    amount0: UINT256_MAX,
    amount1: 0n,
  },
  'bridge.transfer': {
    bridge: 'across',
    originChainId: 1,
    destinationChainId: 2 ** 53 - 1,
    token: A,
    amount: UINT256_MAX,
    depositor: A,
    recipient: B,
    depositId: '0xdeadbeef',
    fee: INT256_MIN,
    phase: 'finalized',
  },
  'bridge.liquidity': { bridge: 'hop', token: B, available: UINT256_MAX },
  'gas.block': {
    baseFeePerGas: UINT256_MAX,
    nextBaseFeePerGas: 7n,
    gasUsed: 0n,
    gasLimit: UINT64_MAX,
    priorityFeeP10: 1n,
    priorityFeeP50: 2n ** 64n,
    priorityFeeP90: 2n ** 200n,
    blobBaseFee: 1n,
    utilization: 0.5,
    blobGasUsed: 786_432n,
    excessBlobGas: UINT64_MAX,
    txCount: 0xffff_ffff,
    recommendedPriorityFee1: UINT256_MAX,
    recommendedPriorityFee3: 0n,
    recommendedPriorityFee10: 1n,
    inclusion: {
      windowBlocks: 50,
      buckets: [
        { minTip: 0n, maxTip: 100_000_000n, samples: 0 },
        {
          minTip: 100_000_000n,
          maxTip: UINT256_MAX,
          samples: 3,
          medianBlocks: 1,
          p90Blocks: 4,
          medianMs: 12_000,
          p90Ms: 0,
        },
        {
          minTip: UINT256_MAX,
          samples: 0xffff_ffff,
          medianBlocks: 0xffff_ffff,
          p90Blocks: 0,
          medianMs: 0xffff_ffff,
          p90Ms: 1,
        },
      ],
      pendingTracked: 0,
      pendingDropped: 0xffff_ffff,
    },
  },
  'gas.l2fee': {
    l1BaseFee: UINT256_MAX,
    l1BlobBaseFee: 0n,
    l1FeeEstimate: 123456789012345678901234567890n,
    baseFeeScalar: 0xffff_ffffn,
    blobBaseFeeScalar: 0n,
    l1PricePerCalldataByte: UINT256_MAX,
    l2GasPrice: 1n,
    referenceTxBytes: 0xffff_ffff,
    referenceSwapGas: UINT64_MAX,
    totalCostWei: UINT256_MAX,
    totalCostUsd: '0.123456789012345678',
  },
  'flashloan.liquidity': { provider: 'aave-v3', asset: A, available: UINT256_MAX, premiumBps: 5 },
  'flashloan.event': {
    provider: 'balancer-v2',
    asset: B,
    amount: UINT256_MAX,
    premium: 0n,
    receiver: A,
    initiator: B,
  },
  'sequencer.health': {
    up: false,
    secondsSinceLastBlock: 12.5,
    l1BlockNumber: UINT64_MAX,
    status: 'halted',
    reason: 'no block for 30 s',
    expectedBlockTimeMs: 0xffff_ffff,
    blockTimeMs: 2000.5,
    gaps: 0,
    reorgs: 0xffff_ffff,
    l2ChainId: 8453,
    l2Chain: 'base',
    secondsSinceLastBatch: 0,
    lastBatchL1Block: UINT64_MAX,
    lastBatchTxHash: H,
    batchesInBlock: 0xffff_ffff,
  },
  'mev.bid': {
    relay: 'flashbots',
    slot: UINT64_MAX,
    builderPubkey: `0x${'ab'.repeat(48)}`,
    value: UINT256_MAX,
    bidBlockHash: H,
    timestampMs: 1_683_029_999_123n,
    gasUsed: 29_999_999n,
    txCount: 137,
    bidBlockNumber: 17_039_004n,
    delivered: true,
  },
  'mempool.swap': {
    pool: A,
    tokenIn: A,
    tokenOut: B,
    amountIn: UINT256_MAX,
    amountOutMin: 0n,
    from: B,
    maxPriorityFeePerGas: UINT128_MAX,
    method: 'exactInputSingle',
    exactOutput: false,
    hops: 2,
    expectedAmountIn: UINT256_MAX,
    expectedAmountOut: 1n,
    sqrtPriceX96Before: 2n ** 160n - 1n,
    sqrtPriceX96After: 4295128739n,
    priceImpactBps: '-12.345678901234567890',
    seenAtBlock: UINT64_MAX,
    seenAtMs: 1_683_029_999_123n,
    delayBlocks: 1n,
    delayMs: -1500,
  },
  opportunity: {
    type: 'cross-chain',
    legs: [
      { chainId: 1, protocol: 'uniswap-v3', address: A, tokenIn: A, tokenOut: B, amountIn: UINT256_MAX, amountOut: 1n },
      { chainId: 42161, protocol: 'curve', address: B, tokenIn: B, tokenOut: A, amountIn: 0n, amountOut: UINT256_MAX },
    ],
    quoteAsset: A,
    grossProfit: INT256_MAX,
    costs: { gas: UINT256_MAX, fees: 0n, bridge: 1n, flashPremium: UINT128_MAX },
    netProfit: INT256_MIN,
    netProfitUsd: '-12345678901234567890.123456789',
    confidence: 0.875,
    validUntilBlock: UINT64_MAX,
  },
}

function sample<K extends FeatureKind>(kind: K): FeatureEnvelope<K> {
  return {
    id: `1:${H}:4294967295:${kind}:"quoted"\\é😀`,
    kind,
    chainId: 2 ** 53 - 1,
    chain: 'ethereum',
    blockNumber: 2n ** 53n - 1n,
    blockHash: H,
    blockTimestamp: 1_683_029_999n,
    txHash: H,
    txIndex: 0xffff_ffff,
    logIndex: 0,
    protocol: 'uniswap-v3',
    address: B,
    data: SAMPLE_DATA[kind],
  }
}

// --- the TypeScript side, read from feature.ts with the compiler API (tests are not type-checked)

interface TsField {
  name: string
  optional: boolean
  repeated: boolean
  group: 'hex' | 'bigint' | 'number' | 'text' | 'bool' | 'message'
  fields: TsField[]
}

const featureSource = ts.createSourceFile(
  'feature.ts',
  readFileSync(fileURLToPath(new URL('./feature.ts', import.meta.url)), 'utf8'),
  ts.ScriptTarget.ES2022,
  true,
)
const interfaces = new Map<string, ts.InterfaceDeclaration>()
const aliases = new Map<string, ts.TypeAliasDeclaration>()
for (const statement of featureSource.statements) {
  if (ts.isInterfaceDeclaration(statement)) interfaces.set(statement.name.text, statement)
  if (ts.isTypeAliasDeclaration(statement)) aliases.set(statement.name.text, statement)
}

function tsFields(members: readonly ts.TypeElement[]): TsField[] {
  return members.filter(ts.isPropertySignature).map((member) => {
    let type = member.type as ts.TypeNode
    if (ts.isUnionTypeNode(type)) {
      const defined = type.types.filter((t) => t.kind !== ts.SyntaxKind.UndefinedKeyword)
      type = defined.length === 1 ? defined[0] : ts.factory.createUnionTypeNode(defined)
    }
    const repeated = ts.isArrayTypeNode(type)
    const element = ts.isArrayTypeNode(type) ? type.elementType : type
    return {
      name: member.name.getText(featureSource),
      optional: member.questionToken !== undefined,
      repeated,
      ...classify(element),
    }
  })
}

function classify(type: ts.TypeNode): Pick<TsField, 'group' | 'fields'> {
  const none: TsField[] = []
  if (type.kind === ts.SyntaxKind.BigIntKeyword) return { group: 'bigint', fields: none }
  if (type.kind === ts.SyntaxKind.NumberKeyword) return { group: 'number', fields: none }
  if (type.kind === ts.SyntaxKind.StringKeyword) return { group: 'text', fields: none }
  if (type.kind === ts.SyntaxKind.BooleanKeyword) return { group: 'bool', fields: none }
  if (ts.isUnionTypeNode(type) && type.types.every((t) => ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal))) {
    return { group: 'text', fields: none }
  }
  if (ts.isTypeLiteralNode(type)) return { group: 'message', fields: tsFields(type.members) }
  if (ts.isTypeReferenceNode(type)) {
    const name = type.typeName.getText(featureSource)
    if (name === 'Hex') return { group: 'hex', fields: none }
    // The envelope's `kind: K` and any alias of string literals (FeatureKind) are strings.
    if (name === 'K' || aliases.has(name)) return { group: 'text', fields: none }
    const iface = interfaces.get(name)
    if (iface) return { group: 'message', fields: tsFields(iface.members) }
  }
  throw new Error(`feature.ts: unclassified type ${type.getText(featureSource)}`)
}

function protoGroup(field: FieldSpec): TsField['group'] {
  return field.kind === 'decimal' || field.kind === 'u64' ? 'bigint' : field.kind
}

/** Every difference between a TypeScript interface and a `.proto` message, as readable lines. */
function drift(ts: TsField[], proto: FieldSpec[], path: string): string[] {
  const problems: string[] = []
  const protoByName = new Map(proto.map((f) => [f.name, f]))
  for (const t of ts) {
    const p = protoByName.get(t.name)
    if (!p) {
      problems.push(`${path}.${t.name}: in TypeScript, not in the .proto`)
      continue
    }
    const tsShape = `${t.group}${t.repeated ? '[]' : ''}${t.optional ? '?' : ''}`
    const protoShape = `${protoGroup(p)}${p.repeated ? '[]' : ''}${p.optional ? '?' : ''}`
    if (tsShape !== protoShape) problems.push(`${path}.${t.name}: TypeScript ${tsShape}, .proto ${protoShape}`)
    if (t.group === 'message' && p.kind === 'message') problems.push(...drift(t.fields, p.fields, `${path}.${t.name}`))
  }
  for (const p of proto) {
    if (!ts.some((t) => t.name === p.name)) problems.push(`${path}.${p.name}: in the .proto, not in TypeScript`)
  }
  return problems
}

describe('features.proto matches feature.ts', () => {
  const schema = codecSchema()
  const dataMap = tsFields((interfaces.get('FeatureDataMap') as ts.InterfaceDeclaration).members)

  it('has one data message per kind, and no other', () => {
    expect([...schema.kinds.keys()].sort()).toEqual([...FEATURE_KINDS].sort())
    expect(dataMap.map((f) => f.name.replace(/'/g, '')).sort()).toEqual([...FEATURE_KINDS].sort())
  })

  it('has the envelope of FeatureEnvelope, in the same order', () => {
    const members = (interfaces.get('FeatureEnvelope') as ts.InterfaceDeclaration).members
    const withoutData = tsFields(members.filter((m) => m.name?.getText(featureSource) !== 'data'))
    expect(drift(withoutData, schema.envelope, 'Feature')).toEqual([])
    expect(schema.envelope.map((f) => f.name)).toEqual(withoutData.map((f) => f.name))
  })

  it.each(FEATURE_KINDS)('%s: same fields, optionality, arrays and bigints, in the same order', (kind) => {
    const entry = dataMap.find((f) => f.name.replace(/'/g, '') === kind) as TsField
    const spec = schema.kinds.get(kind)
    expect(spec).toBeDefined()
    expect(drift(entry.fields, spec?.fields ?? [], kind)).toEqual([])
    expect(spec?.fields.map((f) => f.name)).toEqual(entry.fields.map((f) => f.name))
  })

  it('reports a field missing or changed on either side', () => {
    const entry = dataMap.find((f) => f.name === "'amm.swap'") as TsField
    const fields = schema.kinds.get('amm.swap')?.fields ?? []
    const changed = fields
      .filter((f) => f.name !== 'price')
      .map((f) =>
        f.name === 'tick' ? { ...f, optional: false } : f.name === 'fee' ? { ...f, kind: 'decimal' as const } : f,
      )
    expect(drift(entry.fields, [...changed, { ...fields[0], name: 'extra' }], 'amm.swap')).toEqual([
      'amm.swap.fee: TypeScript number, .proto bigint',
      'amm.swap.tick: TypeScript number?, .proto number',
      'amm.swap.price: in TypeScript, not in the .proto',
      'amm.swap.extra: in the .proto, not in TypeScript',
    ])
  })
})

describe('fully populated samples with extreme values', () => {
  it.each(FEATURE_KINDS)('%s: the sample sets every data field of the .proto message', (kind) => {
    const spec = codecSchema().kinds.get(kind)
    expect(Object.keys(SAMPLE_DATA[kind]).sort()).toEqual(spec?.fields.map((f) => f.name).sort())
  })

  it.each(FEATURE_KINDS)('%s: both codecs round-trip it exactly', (kind) => {
    const feature = sample(kind) as Feature
    expect(decodeFeatureProto(encodeFeatureProto(feature))).toStrictEqual(feature)
    expect(decodeFeatureJson(encodeFeatureJson(feature))).toStrictEqual(feature)
    for (const name of ['json', 'protobuf'] as const) {
      const codec = getCodec(name)
      expect(codec.decode(codec.encode(feature))).toStrictEqual(feature)
    }
  })

  it.each(FEATURE_KINDS)('%s: JSON through protobuf is byte-equal to JSON direct', (kind) => {
    const feature = sample(kind) as Feature
    expect(encodeFeatureJson(decodeFeatureProto(encodeFeatureProto(feature)))).toBe(encodeFeatureJson(feature))
  })

  it.each(FEATURE_KINDS)('%s: JSON.parse reads every data bigint as its exact decimal string', (kind) => {
    const feature = sample(kind) as Feature
    expect(JSON.parse(encodeFeatureJson(feature))).toEqual(plain(feature))
  })
})

/**
 * The JSON shape written out independently of the codec: bigints in `data` as decimal strings,
 * the envelope's block number and timestamp as numbers.
 */
function plain(feature: Feature): unknown {
  const toPlain = (value: unknown): unknown => {
    if (typeof value === 'bigint') return value.toString()
    if (Array.isArray(value)) return value.map(toPlain)
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlain(v)]))
    }
    return value
  }
  return {
    ...(toPlain(feature) as object),
    blockNumber: Number(feature.blockNumber),
    blockTimestamp: Number(feature.blockTimestamp),
  }
}

// --- property-style: random features built from the .proto's own field table, seeded

/** xorshift128+ over BigInt-free 32-bit halves: reproducible across runs and machines. */
function prng(seed: number): () => number {
  let a = seed >>> 0 || 1
  let b = 0x9e3779b9
  return () => {
    a ^= a << 13
    a ^= a >>> 17
    a ^= a << 5
    b = (b + 0x6d2b79f5) >>> 0
    return ((a >>> 0) ^ b) >>> 0
  }
}

class Random {
  readonly #next: () => number
  constructor(seed: number) {
    this.#next = prng(seed)
  }
  int(below: number): number {
    return this.#next() % below
  }
  chance(): boolean {
    return this.int(2) === 0
  }
  bits(count: number): bigint {
    let value = 0n
    for (let i = 0; i < count; i += 32) value = (value << 32n) | BigInt(this.#next())
    return count === 0 ? 0n : value & ((1n << BigInt(count)) - 1n)
  }
  hex(bytes: number): Hex {
    if (bytes === 0) return '0x'
    return `0x${this.bits(bytes * 8)
      .toString(16)
      .padStart(bytes * 2, '0')}`
  }
  text(): string {
    const alphabet = ['a', 'Z', '0', ' ', '"', '\\', '\n', '\t', '\u0001', 'é', '😀', '\u2028', '/', '-', '.']
    return Array.from({ length: this.int(12) }, () => alphabet[this.int(alphabet.length)]).join('')
  }
}

function randomValue(field: FieldSpec, rnd: Random): unknown {
  switch (field.kind) {
    case 'hex':
      return rnd.hex([0, 1, 20, 32, 48][rnd.int(5)])
    case 'text':
      return rnd.text()
    case 'decimal': {
      const value = rnd.bits(rnd.int(257))
      return rnd.chance() ? -value : value
    }
    case 'u64':
      return rnd.bits(rnd.int(65))
    case 'bool':
      return rnd.chance()
    case 'message':
      return randomObject(field.fields, rnd)
    case 'number':
      return randomNumber(field, rnd)
  }
}

function randomNumber(field: FieldSpec, rnd: Random): number {
  switch (field.protoType) {
    case 'uint32':
      return rnd.int(2 ** 32)
    case 'sint32':
      return rnd.int(2 ** 32) - 2 ** 31
    case 'sint64':
      return Number(rnd.chance() ? -rnd.bits(rnd.int(54)) : rnd.bits(rnd.int(54)))
    case 'double':
      return (rnd.int(2 ** 32) - 2 ** 31) / (rnd.int(1000) + 1) / 10 ** rnd.int(20)
    default:
      return Number(rnd.bits(rnd.int(54)))
  }
}

function randomObject(fields: FieldSpec[], rnd: Random): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const field of fields) {
    if (field.optional && rnd.chance()) continue
    out[field.name] = field.repeated
      ? Array.from({ length: rnd.int(4) }, () => randomValue(field, rnd))
      : randomValue(field, rnd)
  }
  return out
}

function randomFeature(rnd: Random): Feature {
  const schema = codecSchema()
  const kind = FEATURE_KINDS[rnd.int(FEATURE_KINDS.length)]
  const spec = schema.kinds.get(kind)
  const envelope = randomObject(schema.envelope, rnd)
  return { ...envelope, kind, data: randomObject(spec?.fields ?? [], rnd) } as unknown as Feature
}

describe('random features (seeded)', () => {
  const features = Array.from({ length: 3000 }, (_, i) => randomFeature(new Random(0x5eed + i)))

  it('covers every kind', () => {
    expect(new Set(features.map((f) => f.kind)).size).toBe(FEATURE_KINDS.length)
  })

  it('round-trip exactly through both codecs and agree byte for byte', () => {
    for (const feature of features) {
      const json = encodeFeatureJson(feature)
      expect(decodeFeatureJson(json)).toStrictEqual(feature)
      const viaProto = decodeFeatureProto(encodeFeatureProto(feature))
      expect(viaProto).toStrictEqual(feature)
      expect(encodeFeatureJson(viaProto)).toBe(json)
    }
  })

  it('write every bigint as an exact decimal string that JSON.parse reads back', () => {
    for (const feature of features) {
      const parsed = JSON.parse(encodeFeatureJson(feature)) as Record<string, unknown>
      const expected = plain(feature) as Record<string, unknown>
      // The envelope falls back to strings past 2^53; the random generator goes up to 2^64.
      for (const key of ['blockNumber', 'blockTimestamp'] as const) {
        if (feature[key] > BigInt(Number.MAX_SAFE_INTEGER)) expected[key] = feature[key].toString()
      }
      expect(parsed).toEqual(expected)
    }
  })
})

// --- byte equality with protobufjs's own reflection encoder, the reference wire format

/** protobufjs's own `Long` (long.js) holding the 64 bits of `v`, built from its low and high words. */
function toLong(v: bigint): protobuf.Long {
  const bits = BigInt.asUintN(64, v)
  return new protobuf.util.Long(Number(bits & 0xffffffffn) | 0, Number(bits >> 32n) | 0, true)
}

/** The object tree protobufjs encodes, from its reflected types alone: hex as bytes, bigints as strings or `Long`s. */
function reflectionObject(type: protobuf.Type, obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(obj)) {
    const field = type.fields[key]
    if (!field) continue
    const one = (v: unknown): unknown => {
      if (field.resolvedType instanceof protobuf.Type) return reflectionObject(field.resolvedType, v as never)
      if (field.type === 'bytes') return Buffer.from((v as string).slice(2), 'hex')
      if (typeof v !== 'bigint') return v
      return field.type === 'string' ? v.toString() : toLong(v)
    }
    out[key] = Array.isArray(value) ? value.map(one) : one(value)
  }
  return out
}

function reflectionEncode(feature: Feature): Uint8Array {
  const schema = codecSchema()
  const { data, ...envelope } = feature
  const message = reflectionObject(schema.feature, envelope)
  message[schema.kinds.get(feature.kind)?.member ?? ''] = reflectionObject(
    schema.kinds.get(feature.kind)?.type as protobuf.Type,
    data as never,
  )
  return schema.feature.encode(message).finish()
}

/** Strings past each of protobufjs's string paths (under 40, under 128, longer), lone surrogates included. */
const AWKWARD_TEXT = [
  '',
  'a',
  'é😀\ud800x',
  'x'.repeat(39),
  `${'é'.repeat(39)}\udc00`,
  '😀'.repeat(70),
  'z'.repeat(5000),
]

describe('protobuf bytes equal protobufjs reflection encoding', () => {
  const random = Array.from({ length: 3000 }, (_, i) => randomFeature(new Random(0xb17e + i)))

  it('for seeded random features of every kind', () => {
    expect(new Set(random.map((f) => f.kind)).size).toBe(FEATURE_KINDS.length)
    for (const feature of random) expect(Buffer.from(encodeFeatureProto(feature))).toEqual(reflectionEncode(feature))
  })

  it.each(FEATURE_KINDS)('%s: for the extreme sample, awkward strings and zero values', (kind) => {
    for (const text of AWKWARD_TEXT) {
      const feature = { ...sample(kind), id: text, chain: text, chainId: 0, blockNumber: 0n, address: '0x' } as Feature
      expect(Buffer.from(encodeFeatureProto(feature))).toEqual(reflectionEncode(feature))
    }
  })

  it('for -0, which proto3 keeps for doubles only', () => {
    const feature = { ...sample('sequencer.health'), txIndex: -0 } as Feature
    Object.assign(feature.data, { secondsSinceLastBlock: -0, blockTimeMs: 0, gaps: -0 })
    expect(Buffer.from(encodeFeatureProto(feature))).toEqual(reflectionEncode(feature))
  })

  it('for retractions', () => {
    const rnd = new Random(7)
    for (let i = 0; i < 200; i++) {
      const block = () => ({ number: rnd.bits(rnd.int(65)), hash: rnd.hex(rnd.int(2) * 32) })
      const record = {
        chainId: rnd.int(2 ** 32),
        chain: rnd.text(),
        to: block(),
        reverted: Array.from({ length: rnd.int(4) }, block),
        ids: Array.from({ length: rnd.int(4) }, () => rnd.text()),
      }
      const bytes = encodeRetractionProto(record)
      expect(Buffer.from(bytes)).toEqual(
        codecSchema().retraction.encode(reflectionObject(codecSchema().retraction, record)).finish(),
      )
      expect(decodeRetractionProto(bytes)).toStrictEqual(record)
    }
  })
})
