import type { Hex, Log } from '@qenus/core'
import { toEventSelector } from 'viem'
import type { SwapQuarantine, SwapQuarantineCode } from '../swap/decode.js'

/** Why a log was not decoded; the same stable codes for every event. */
export type LogQuarantineCode = SwapQuarantineCode

/** A log that does not fit its event's ABI, with its reason. */
export type LogQuarantine = SwapQuarantine

/** The outcome of a log decoder: the event's fields, or why the log was set aside. */
export type LogDecodeResult<T> = { ok: true; value: T } | LogQuarantine

type AbiType = 'address' | 'int24' | 'uint24' | 'uint128' | 'uint160' | 'uint256'

interface Field {
  name: string
  type: AbiType
  indexed: boolean
}

interface EventSpec {
  name: string
  topic: Hex
  topics: readonly Field[]
  data: readonly Field[]
}

const WIDTH: Record<AbiType, { signed: boolean; bits: number }> = {
  address: { signed: false, bits: 160 },
  int24: { signed: true, bits: 24 },
  uint24: { signed: false, bits: 24 },
  uint128: { signed: false, bits: 128 },
  uint160: { signed: false, bits: 160 },
  uint256: { signed: false, bits: 256 },
}

/** Parses `'Name(type name, type indexed name, …)'` into a decoding table. */
function spec(signature: string): EventSpec {
  const [, name, params] = /^(\w+)\((.*)\)$/.exec(signature) as RegExpExecArray
  const fields = params!.split(',').map((param) => {
    const parts = param.trim().split(/\s+/)
    return { type: parts[0] as AbiType, indexed: parts[1] === 'indexed', name: parts.at(-1)! }
  })
  const topic = toEventSelector(`${name}(${fields.map((f) => f.type).join(',')})`)
  return { name: name!, topic, topics: fields.filter((f) => f.indexed), data: fields.filter((f) => !f.indexed) }
}

const MINT = spec(
  'Mint(address sender, address indexed owner, int24 indexed tickLower, int24 indexed tickUpper, uint128 amount, uint256 amount0, uint256 amount1)',
)
const BURN = spec(
  'Burn(address indexed owner, int24 indexed tickLower, int24 indexed tickUpper, uint128 amount, uint256 amount0, uint256 amount1)',
)
const COLLECT = spec(
  'Collect(address indexed owner, address recipient, int24 indexed tickLower, int24 indexed tickUpper, uint128 amount0, uint128 amount1)',
)
const POOL_CREATED = spec(
  'PoolCreated(address indexed token0, address indexed token1, uint24 indexed fee, int24 tickSpacing, address pool)',
)

/** topic0 of the pool's `Mint` event. */
export const MINT_TOPIC: Hex = MINT.topic
/** topic0 of the pool's `Burn` event. */
export const BURN_TOPIC: Hex = BURN.topic
/** topic0 of the pool's `Collect` event. */
export const COLLECT_TOPIC: Hex = COLLECT.topic
/** topic0 of the factory's `PoolCreated` event. */
export const POOL_CREATED_TOPIC: Hex = POOL_CREATED.topic

/** A pool `Mint`: liquidity added to a position. */
export interface MintEvent {
  /** Who called `mint` (usually the position manager), lower-case hex. */
  sender: Hex
  /** Position owner, lower-case hex. */
  owner: Hex
  /** Lower tick of the position. */
  tickLower: number
  /** Upper tick of the position. */
  tickUpper: number
  /** Liquidity added (uint128). */
  amount: bigint
  /** token0 paid in, raw units. */
  amount0: bigint
  /** token1 paid in, raw units. */
  amount1: bigint
}

/** A pool `Burn`: liquidity removed from a position (tokens owed, not yet paid out). */
export interface BurnEvent {
  /** Position owner, lower-case hex. */
  owner: Hex
  /** Lower tick of the position. */
  tickLower: number
  /** Upper tick of the position. */
  tickUpper: number
  /** Liquidity removed (uint128); 0 for a fee poke. */
  amount: bigint
  /** token0 owed to the position, raw units. */
  amount0: bigint
  /** token1 owed to the position, raw units. */
  amount1: bigint
}

/** A pool `Collect`: tokens owed to a position paid out. */
export interface CollectEvent {
  /** Position owner, lower-case hex. */
  owner: Hex
  /** Who received the tokens, lower-case hex. */
  recipient: Hex
  /** Lower tick of the position. */
  tickLower: number
  /** Upper tick of the position. */
  tickUpper: number
  /** token0 paid out (uint128). */
  amount0: bigint
  /** token1 paid out (uint128). */
  amount1: bigint
}

/** A factory `PoolCreated`. */
export interface PoolCreatedEvent {
  /** Pool token0, lower-case hex. */
  token0: Hex
  /** Pool token1, lower-case hex. */
  token1: Hex
  /** Fee in pips. */
  fee: number
  /** Tick spacing of the fee tier. */
  tickSpacing: number
  /** The new pool, lower-case hex. */
  pool: Hex
}

const WORD = 64
const HEX_WORD = /^0x[0-9a-fA-F]{64}$/
const HEX_DATA = /^0x[0-9a-fA-F]*$/

/** Reads one 32-byte word (64 hex digits) as `type`, or `undefined` when the high bits do not fit it. */
function readWord(word: string, type: AbiType): bigint | number | Hex | undefined {
  const { signed, bits } = WIDTH[type]
  const padLength = (256 - bits) / 4
  const high = word.slice(0, padLength).toLowerCase()
  const negative = signed && word.charCodeAt(padLength) >= 56 // '8' or above: the sign bit is set
  if (high !== (negative ? 'f' : '0').repeat(padLength)) return undefined
  if (type === 'address') return `0x${word.slice(padLength).toLowerCase()}`
  const raw = BigInt(`0x${word.slice(padLength)}`)
  const value = negative ? raw - (1n << BigInt(bits)) : raw
  return bits <= 48 ? Number(value) : value
}

const quarantine = (code: LogQuarantineCode, reason: string): LogQuarantine => ({ ok: false, code, reason })

/**
 * Decodes a log against a table built from the event signature, checking topic count, topic0,
 * data length, hex and each value's range, so a log of the wrong shape is quarantined, not thrown.
 */
function decodeWith<T>(event: EventSpec, { topics, data }: Pick<Log, 'topics' | 'data'>): LogDecodeResult<T> {
  const topicCount = event.topics.length + 1
  if (topics.length !== topicCount) {
    return quarantine('WRONG_TOPIC_COUNT', `${event.name}: expected ${topicCount} topics, got ${topics.length}`)
  }
  if (topics[0]?.toLowerCase() !== event.topic) {
    return quarantine('WRONG_TOPIC', `topic0 ${topics[0]} is not ${event.name}`)
  }
  const dataLength = event.data.length * WORD
  if (data.length !== dataLength + 2) {
    return quarantine(
      'WRONG_DATA_LENGTH',
      `${event.name}: expected ${dataLength} hex chars of data, got ${data.length - 2}`,
    )
  }
  if (!HEX_DATA.test(data) || !topics.every((t) => HEX_WORD.test(t))) {
    return quarantine('NOT_HEX', `${event.name}: a topic or the data is not hex`)
  }
  const value: Record<string, unknown> = {}
  const words = [
    ...event.topics.map((field, i) => ({ field, word: topics[i + 1]!.slice(2), where: `topic ${i + 1}` })),
    ...event.data.map((field, i) => ({
      field,
      word: data.slice(2 + i * WORD, 2 + (i + 1) * WORD),
      where: `data word ${i}`,
    })),
  ]
  for (const { field, word, where } of words) {
    const decoded = readWord(word, field.type)
    if (decoded === undefined) {
      return quarantine('OUT_OF_RANGE', `${event.name}: ${where} (${field.name}) does not fit ${field.type}`)
    }
    value[field.name] = decoded
  }
  return { ok: true, value: value as T }
}

/**
 * Decodes a Uniswap V3 pool `Mint` log.
 *
 * @param log - The log's `topics` and `data`.
 * @returns The event, or the reason it could not be decoded (never throws).
 * @example
 * ```ts
 * import { decodeMintLog } from '@qenus/plugin-uniswap-v3'
 * const result = decodeMintLog(log)
 * if (result.ok) console.log(result.value.tickLower, result.value.amount)
 * ```
 */
export function decodeMintLog(log: Pick<Log, 'topics' | 'data'>): LogDecodeResult<MintEvent> {
  return decodeWith<MintEvent>(MINT, log)
}

/**
 * Decodes a Uniswap V3 pool `Burn` log.
 *
 * @param log - The log's `topics` and `data`.
 * @returns The event, or the reason it could not be decoded (never throws).
 */
export function decodeBurnLog(log: Pick<Log, 'topics' | 'data'>): LogDecodeResult<BurnEvent> {
  return decodeWith<BurnEvent>(BURN, log)
}

/**
 * Decodes a Uniswap V3 pool `Collect` log.
 *
 * @param log - The log's `topics` and `data`.
 * @returns The event, or the reason it could not be decoded (never throws).
 */
export function decodeCollectLog(log: Pick<Log, 'topics' | 'data'>): LogDecodeResult<CollectEvent> {
  return decodeWith<CollectEvent>(COLLECT, log)
}

/**
 * Decodes a Uniswap V3 factory `PoolCreated` log.
 *
 * @param log - The log's `topics` and `data`.
 * @returns The event, or the reason it could not be decoded (never throws).
 */
export function decodePoolCreatedLog(log: Pick<Log, 'topics' | 'data'>): LogDecodeResult<PoolCreatedEvent> {
  return decodeWith<PoolCreatedEvent>(POOL_CREATED, log)
}
