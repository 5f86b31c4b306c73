import type { Hex, Log } from '@qenus/core'

/** The Uniswap V3 pool `Swap` event signature. */
export const SWAP_EVENT_SIGNATURE = 'Swap(address,address,int256,int256,uint160,uint128,int24)'

/** `keccak256(SWAP_EVENT_SIGNATURE)`: topic0 of every Uniswap V3 `Swap` log. */
export const SWAP_TOPIC: Hex = '0xc42079f94a6350d7e6235f29174924f928cc2ac818eb64fed8004e115fbcca67'

/** The fields of a Uniswap V3 `Swap` event, exactly as the pool emitted them. */
export interface SwapEvent {
  /** Who called `swap` (topic 1), lower-case hex. */
  sender: Hex
  /** Who received the output (topic 2), lower-case hex. */
  recipient: Hex
  /** Change of the pool's token0 balance, raw units (int256). */
  amount0: bigint
  /** Change of the pool's token1 balance, raw units (int256). */
  amount1: bigint
  /** sqrt(token1/token0) as Q64.96 after the swap (uint160). */
  sqrtPriceX96: bigint
  /** In-range liquidity after the swap (uint128). */
  liquidity: bigint
  /** Tick after the swap (int24). */
  tick: number
}

/** Why a log was not decoded as a `Swap`; stable, so quarantined logs can be counted per code. */
export type SwapQuarantineCode = 'WRONG_TOPIC' | 'WRONG_TOPIC_COUNT' | 'WRONG_DATA_LENGTH' | 'NOT_HEX' | 'OUT_OF_RANGE'

/** A log that is not a well-formed `Swap`: kept aside with its reason instead of throwing. */
export interface SwapQuarantine {
  /** Discriminator. */
  ok: false
  /** Stable reason code. */
  code: SwapQuarantineCode
  /** What was wrong, for humans. */
  reason: string
}

/** The outcome of {@link decodeSwapLog}. */
export type SwapDecodeResult = { ok: true; value: SwapEvent } | SwapQuarantine

type FieldType = { signed: boolean; bits: number }

/**
 * The data words of the event, in ABI order. The decoder walks this table, so the only per-type
 * code is the range check and sign handling below.
 */
const DATA_FIELDS: readonly (FieldType & { name: 'amount0' | 'amount1' | 'sqrtPriceX96' | 'liquidity' | 'tick' })[] = [
  { name: 'amount0', signed: true, bits: 256 },
  { name: 'amount1', signed: true, bits: 256 },
  { name: 'sqrtPriceX96', signed: false, bits: 160 },
  { name: 'liquidity', signed: false, bits: 128 },
  { name: 'tick', signed: true, bits: 24 },
]

const WORD = 64
const DATA_LENGTH = 2 + DATA_FIELDS.length * WORD
const TOPIC_ADDRESS = /^0x0{24}[0-9a-fA-F]{40}$/
const HEX_DATA = /^0x[0-9a-fA-F]*$/

/** The high hex digits each field must carry: zeros, or for a negative signed value its sign extension. */
const PADS = DATA_FIELDS.map(({ bits }) => {
  const length = (256 - bits) / 4
  return { length, zeros: '0'.repeat(length), ones: 'f'.repeat(length), ONES: 'F'.repeat(length) }
})

function quarantine(code: SwapQuarantineCode, reason: string): SwapQuarantine {
  return { ok: false, code, reason }
}

/**
 * Reads data word `i` as its field's type, or `undefined` when the word is not a valid ABI
 * encoding of that type (high bits that are neither zero nor the sign extension).
 */
function readWord(data: string, i: number): bigint | undefined {
  const start = 2 + i * WORD
  const { signed, bits } = DATA_FIELDS[i]
  const pad = PADS[i]
  const valueStart = start + pad.length
  const negative = signed && data.charCodeAt(valueStart) >= 56 // '8' or above: the sign bit is set
  if (pad.length > 0) {
    const high = data.slice(start, valueStart)
    if (negative ? high !== pad.ones && high !== pad.ONES : high !== pad.zeros) return undefined
  }
  const value = BigInt(`0x${data.slice(valueStart, start + WORD)}`)
  return negative ? value - (1n << BigInt(bits)) : value
}

/**
 * Decodes a Uniswap V3 `Swap` log by slicing its hex, checking its shape first.
 *
 * @remarks
 * This is the extractor's hot path: it is about 30× faster than a generic ABI decoder. A log of
 * the wrong shape is returned as a {@link SwapQuarantine} with its reason, never thrown, so one
 * malformed log cannot stop a pipeline.
 *
 * @param log - The log's `topics` and `data`.
 * @returns The decoded event, or the reason it could not be decoded.
 *
 * @example
 * ```ts
 * import { decodeSwapLog } from '@qenus/plugin-uniswap-v3'
 * const result = decodeSwapLog(log)
 * if (result.ok) console.log(result.value.amount0)
 * else console.warn(result.code, result.reason)
 * ```
 */
export function decodeSwapLog(log: Pick<Log, 'topics' | 'data'>): SwapDecodeResult {
  const { topics, data } = log
  if (topics.length !== 3) return quarantine('WRONG_TOPIC_COUNT', `expected 3 topics, got ${topics.length}`)
  if (topics[0]?.toLowerCase() !== SWAP_TOPIC) return quarantine('WRONG_TOPIC', `topic0 ${topics[0]} is not Swap`)
  if (data.length !== DATA_LENGTH) {
    return quarantine('WRONG_DATA_LENGTH', `expected ${DATA_LENGTH - 2} hex chars of data, got ${data.length - 2}`)
  }
  if (!TOPIC_ADDRESS.test(topics[1]) || !TOPIC_ADDRESS.test(topics[2])) {
    return quarantine('NOT_HEX', 'sender or recipient topic is not a left-padded address')
  }
  if (!HEX_DATA.test(data)) return quarantine('NOT_HEX', 'data is not hex')
  const values: bigint[] = []
  for (let i = 0; i < DATA_FIELDS.length; i++) {
    const value = readWord(data, i)
    if (value === undefined) {
      return quarantine('OUT_OF_RANGE', `data word ${i} (${DATA_FIELDS[i].name}) does not fit its type`)
    }
    values.push(value)
  }
  return {
    ok: true,
    value: {
      sender: `0x${topics[1].slice(26).toLowerCase()}`,
      recipient: `0x${topics[2].slice(26).toLowerCase()}`,
      amount0: values[0],
      amount1: values[1],
      sqrtPriceX96: values[2],
      liquidity: values[3],
      tick: Number(values[4]), // int24: always a safe integer
    },
  }
}
