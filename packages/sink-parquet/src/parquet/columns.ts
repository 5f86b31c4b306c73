import type { Feature, FeatureKind } from '@qenus/core'

/** How a value is stored: the Parquet type and how it maps back. @internal */
export type FieldType = 'string' | 'amount' | 'int32' | 'int64' | 'double' | 'bool' | 'json'

/** One field of a kind's `data`, possibly nested (`costs.gas`). @internal */
export interface FieldSpec {
  /** Path into `data`. */
  path: readonly string[]
  /** Storage type; `amount` is an exact decimal string plus a `_f` float64 twin. */
  type: FieldType
  /** Whether the field may be absent. */
  optional: boolean
  /** For `json`: keys (or `[]` for array items) whose values are bigints. */
  bigKeys?: readonly string[] | undefined
  /** For `string` fields holding decimals (prices): also write a float64 `_f` twin. */
  twin?: boolean | undefined
}

/** A Parquet column of a kind's table. @internal */
export interface ColumnSpec {
  /** Column name. */
  name: string
  /** hyparquet-writer basic type. */
  type: 'STRING' | 'DOUBLE' | 'INT32' | 'INT64' | 'BOOLEAN'
  /** Whether nulls occur. */
  nullable: boolean
  /** Reads the column's value from a feature; `null` when absent. */
  value(feature: Feature): string | number | bigint | boolean | null
}

const f = (path: string, type: FieldType, more: Partial<FieldSpec> = {}): FieldSpec => ({
  path: path.split('.'),
  type,
  optional: false,
  ...more,
})
const opt = (path: string, type: FieldType, more: Partial<FieldSpec> = {}) => f(path, type, { optional: true, ...more })

/** The `data` fields of every kind, in column order: the Parquet schemas and their inverse. @internal */
export const KIND_FIELDS: Readonly<Record<FeatureKind, readonly FieldSpec[]>> = {
  'amm.swap': [
    f('pool', 'string'),
    f('token0', 'string'),
    f('token1', 'string'),
    f('amount0', 'amount'),
    f('amount1', 'amount'),
    f('sender', 'string'),
    f('recipient', 'string'),
    f('fee', 'int32'),
    opt('sqrtPriceX96', 'amount'),
    opt('liquidity', 'amount'),
    opt('tick', 'int32'),
    f('price', 'string', { twin: true }),
  ],
  'amm.pool': [
    f('pool', 'string'),
    f('tokens', 'json'),
    f('reserves', 'json', { bigKeys: ['[]'] }),
    f('fee', 'int32'),
    f('price', 'string', { twin: true }),
    opt('priceInverse', 'string', { twin: true }),
    opt('sqrtPriceX96', 'amount'),
    opt('tick', 'int32'),
    opt('liquidity', 'amount'),
    f('depth', 'json', { bigKeys: ['amount0In', 'amount1In'] }),
  ],
  'amm.liquidity': [
    f('pool', 'string'),
    f('action', 'string'),
    f('owner', 'string'),
    f('tickLower', 'int32'),
    f('tickUpper', 'int32'),
    f('liquidity', 'amount'),
    f('amount0', 'amount'),
    f('amount1', 'amount'),
  ],
  'bridge.transfer': [
    f('bridge', 'string'),
    f('originChainId', 'int64'),
    f('destinationChainId', 'int64'),
    f('token', 'string'),
    f('amount', 'amount'),
    f('depositor', 'string'),
    f('recipient', 'string'),
    f('depositId', 'string'),
    f('fee', 'amount'),
    f('phase', 'string'),
  ],
  'bridge.liquidity': [f('bridge', 'string'), f('token', 'string'), f('available', 'amount')],
  'gas.block': [
    f('baseFeePerGas', 'amount'),
    f('nextBaseFeePerGas', 'amount'),
    f('gasUsed', 'amount'),
    f('gasLimit', 'amount'),
    f('priorityFeeP10', 'amount'),
    f('priorityFeeP50', 'amount'),
    f('priorityFeeP90', 'amount'),
    opt('blobBaseFee', 'amount'),
  ],
  'gas.l2fee': [f('l1BaseFee', 'amount'), opt('l1BlobBaseFee', 'amount'), f('l1FeeEstimate', 'amount')],
  'flashloan.liquidity': [
    f('provider', 'string'),
    f('asset', 'string'),
    f('available', 'amount'),
    f('premiumBps', 'int32'),
  ],
  'flashloan.event': [
    f('provider', 'string'),
    f('asset', 'string'),
    f('amount', 'amount'),
    f('premium', 'amount'),
    f('receiver', 'string'),
    f('initiator', 'string'),
  ],
  'sequencer.health': [f('up', 'bool'), f('secondsSinceLastBlock', 'double'), opt('l1BlockNumber', 'int64')],
  'mev.bid': [
    f('relay', 'string'),
    f('slot', 'int64'),
    f('builderPubkey', 'string'),
    f('value', 'amount'),
    f('bidBlockHash', 'string'),
    f('timestampMs', 'int64'),
  ],
  'mempool.swap': [
    f('pool', 'string'),
    f('tokenIn', 'string'),
    f('tokenOut', 'string'),
    f('amountIn', 'amount'),
    f('amountOutMin', 'amount'),
    f('from', 'string'),
    f('maxPriorityFeePerGas', 'amount'),
  ],
  opportunity: [
    f('type', 'string'),
    f('legs', 'json', { bigKeys: ['amountIn', 'amountOut'] }),
    f('quoteAsset', 'string'),
    f('grossProfit', 'amount'),
    f('costs.gas', 'amount'),
    f('costs.fees', 'amount'),
    f('costs.bridge', 'amount'),
    f('costs.flashPremium', 'amount'),
    f('netProfit', 'amount'),
    f('netProfitUsd', 'string', { twin: true }),
    f('confidence', 'double'),
    f('validUntilBlock', 'int64'),
  ],
}

/** Column name of a data field: the path in camelCase (`costs.gas` → `costsGas`). @internal */
export function fieldColumn(field: FieldSpec): string {
  return field.path.map((part, i) => (i === 0 ? part : part[0]!.toUpperCase() + part.slice(1))).join('')
}

const get = (feature: Feature, path: readonly string[]): unknown => {
  let value: unknown = feature.data
  for (const key of path) value = (value as Record<string, unknown> | undefined)?.[key]
  return value
}

const toJson = (value: unknown) => JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? v.toString() : v))

/**
 * A float64 of an exact decimal for analysts; `BigInt`/string parsing keeps it the nearest double.
 * Non-numeric decimals (never produced by extractors) become NaN rather than failing the block.
 */
const toFloat = (value: bigint | string): number => Number(value)

type Getter = ColumnSpec['value']

function dataColumns(field: FieldSpec): ColumnSpec[] {
  const name = fieldColumn(field)
  const nullable = field.optional
  const raw: Getter = (feature) => {
    const value = get(feature, field.path)
    return value === undefined ? null : (value as string)
  }
  switch (field.type) {
    case 'amount':
      return [
        { name, type: 'STRING', nullable, value: (ft) => (raw(ft) === null ? null : String(raw(ft))) },
        { name: `${name}_f`, type: 'DOUBLE', nullable, value: (ft) => nullOr(raw(ft), toFloat) },
      ]
    case 'string': {
      const text: ColumnSpec = { name, type: 'STRING', nullable, value: raw }
      if (!field.twin) return [text]
      return [text, { name: `${name}_f`, type: 'DOUBLE', nullable, value: (ft) => nullOr(raw(ft), toFloat) }]
    }
    case 'int32':
      return [{ name, type: 'INT32', nullable, value: raw }]
    case 'int64':
      return [{ name, type: 'INT64', nullable, value: (ft) => nullOr(raw(ft), BigInt) }]
    case 'double':
      return [{ name, type: 'DOUBLE', nullable, value: raw }]
    case 'bool':
      return [{ name, type: 'BOOLEAN', nullable, value: raw }]
    case 'json':
      return [{ name, type: 'STRING', nullable, value: (ft) => nullOr(get(ft, field.path), toJson) }]
  }
}

function nullOr<T>(value: unknown, map: (v: never) => T): T | null {
  return value === null || value === undefined ? null : map(value as never)
}

const ENVELOPE: ColumnSpec[] = [
  { name: 'id', type: 'STRING', nullable: false, value: (ft) => ft.id },
  { name: 'kind', type: 'STRING', nullable: false, value: (ft) => ft.kind },
  { name: 'chainId', type: 'INT64', nullable: false, value: (ft) => BigInt(ft.chainId) },
  { name: 'chain', type: 'STRING', nullable: false, value: (ft) => ft.chain },
  { name: 'blockNumber', type: 'INT64', nullable: false, value: (ft) => ft.blockNumber },
  { name: 'blockHash', type: 'STRING', nullable: false, value: (ft) => ft.blockHash },
  { name: 'blockTimestamp', type: 'INT64', nullable: false, value: (ft) => ft.blockTimestamp },
  { name: 'txHash', type: 'STRING', nullable: true, value: (ft) => ft.txHash ?? null },
  { name: 'txIndex', type: 'INT32', nullable: true, value: (ft) => ft.txIndex ?? null },
  { name: 'logIndex', type: 'INT32', nullable: true, value: (ft) => ft.logIndex ?? null },
  { name: 'protocol', type: 'STRING', nullable: false, value: (ft) => ft.protocol },
  { name: 'address', type: 'STRING', nullable: false, value: (ft) => ft.address },
]

const cache = new Map<FeatureKind, ColumnSpec[]>()

/**
 * The Parquet columns of one kind: the envelope, then the kind's data fields flattened, each
 * on-chain amount as an exact decimal string with a float64 `_f` twin.
 *
 * @param kind - The feature kind.
 * @returns The columns, in file order.
 */
export function kindColumns(kind: FeatureKind): readonly ColumnSpec[] {
  let columns = cache.get(kind)
  if (!columns) {
    columns = [...ENVELOPE, ...KIND_FIELDS[kind].flatMap(dataColumns)]
    cache.set(kind, columns)
  }
  return columns
}

/** A row as a Parquet reader returns it (hyparquet, DuckDB): INT64 as bigint or number. */
export type ParquetRow = Record<string, unknown>

/**
 * Rebuilds the feature a row was written from: the inverse of {@link kindColumns}. Float twins
 * are ignored; the exact decimal columns carry the values.
 *
 * @param row - One row of a kind's table, as hyparquet or DuckDB returns it.
 * @returns The feature, wei-exact.
 * @example
 * ```ts
 * import { featureFromRow } from '@qenus/sink-parquet'
 * const feature = featureFromRow(rowFromDuckDb)
 * ```
 */
export function featureFromRow(row: ParquetRow): Feature {
  const kind = String(row.kind) as FeatureKind
  const fields = KIND_FIELDS[kind]
  if (!fields) throw new Error(`featureFromRow: unknown kind ${String(row.kind)}`)
  const data: Record<string, unknown> = {}
  for (const field of fields) {
    const value = row[fieldColumn(field)]
    if (value === null || value === undefined) continue
    set(data, field.path, decodeValue(field, value))
  }
  const feature: Record<string, unknown> = {
    id: String(row.id),
    kind,
    chainId: Number(row.chainId),
    chain: String(row.chain),
    blockNumber: BigInt(row.blockNumber as bigint),
    blockHash: String(row.blockHash),
    blockTimestamp: BigInt(row.blockTimestamp as bigint),
  }
  if (row.txHash != null) feature.txHash = String(row.txHash)
  if (row.txIndex != null) feature.txIndex = Number(row.txIndex)
  if (row.logIndex != null) feature.logIndex = Number(row.logIndex)
  feature.protocol = String(row.protocol)
  feature.address = String(row.address)
  feature.data = data
  return feature as unknown as Feature
}

function set(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target
  for (const key of path.slice(0, -1)) {
    node[key] ??= {}
    node = node[key] as Record<string, unknown>
  }
  node[path.at(-1)!] = value
}

function decodeValue(field: FieldSpec, value: unknown): unknown {
  switch (field.type) {
    case 'amount':
    case 'int64':
      return BigInt(value as string)
    case 'int32':
    case 'double':
      return Number(value)
    case 'bool':
      return Boolean(value)
    case 'string':
      return String(value)
    case 'json':
      return reviveBigints(JSON.parse(String(value)), field.bigKeys ?? [])
  }
}

function reviveBigints(value: unknown, keys: readonly string[]): unknown {
  if (keys.length === 0) return value
  if (Array.isArray(value)) {
    return value.map((item) => (keys.includes('[]') ? BigInt(item) : reviveBigints(item, keys)))
  }
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) }
  for (const key of keys) if (typeof out[key] === 'string') out[key] = BigInt(out[key] as string)
  return out
}
