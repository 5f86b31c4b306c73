import type { Hex } from '@qenus/core'

/** One bid trace of the relay data API (`builder_blocks_received` or `proposer_payload_delivered`), parsed exactly. */
export interface BidTrace {
  /** Beacon chain slot. */
  slot: bigint
  /** Execution block hash of the bid, lower-case hex. */
  blockHash: Hex
  /** Execution block number. */
  blockNumber: bigint
  /** Builder BLS public key, lower-case hex (48 bytes). */
  builderPubkey: Hex
  /** Bid value paid to the proposer, wei. */
  value: bigint
  /** Gas used by the block. */
  gasUsed: bigint
  /** Transactions in the block. */
  txCount: number
  /** When the relay received the bid, Unix ms; absent in `proposer_payload_delivered`. */
  timestampMs?: bigint | undefined
  /** The proposer's fee recipient, lower-case hex, when given. */
  proposerFeeRecipient?: Hex | undefined
}

const UINT = /^(0|[1-9][0-9]{0,77})$/
const HASH = /^0x[0-9a-fA-F]{64}$/
const PUBKEY = /^0x[0-9a-fA-F]{96}$/
const ADDRESS = /^0x[0-9a-fA-F]{40}$/

/**
 * Parses one bid trace as the relay data API documents it (every integer a decimal string).
 *
 * @param entry - One element of the answer's array.
 * @returns The trace, or the reason it is malformed.
 */
export function parseBidTrace(entry: unknown): BidTrace | { malformed: string } {
  if (typeof entry !== 'object' || entry === null) return { malformed: 'entry is not an object' }
  const e = entry as Record<string, unknown>
  const uint = (key: string): bigint | string => {
    const v = e[key]
    if (typeof v === 'string' && UINT.test(v)) return BigInt(v)
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v)
    return `${key}: expected a decimal integer string, got ${JSON.stringify(v)}`
  }
  const hex = (key: string, pattern: RegExp): Hex | { bad: string } => {
    const v = e[key]
    return typeof v === 'string' && pattern.test(v) ? (v.toLowerCase() as Hex) : { bad: `${key}: malformed ${key}` }
  }
  const slot = uint('slot')
  const blockNumber = uint('block_number')
  const value = uint('value')
  const gasUsed = uint('gas_used')
  const txCount = uint('num_tx')
  const timestampMs = e.timestamp_ms === undefined ? undefined : uint('timestamp_ms')
  const blockHash = hex('block_hash', HASH)
  const builderPubkey = hex('builder_pubkey', PUBKEY)
  const recipient = e.proposer_fee_recipient === undefined ? undefined : hex('proposer_fee_recipient', ADDRESS)
  if (typeof recipient === 'object') return { malformed: recipient.bad }
  for (const field of [slot, blockNumber, value, gasUsed, txCount, timestampMs]) {
    if (typeof field === 'string') return { malformed: field }
  }
  for (const field of [blockHash, builderPubkey]) if (typeof field === 'object') return { malformed: field.bad }
  return {
    slot: slot as bigint,
    blockHash: blockHash as Hex,
    blockNumber: blockNumber as bigint,
    builderPubkey: builderPubkey as Hex,
    value: value as bigint,
    gasUsed: gasUsed as bigint,
    txCount: Number(txCount),
    timestampMs: timestampMs as bigint | undefined,
    proposerFeeRecipient: recipient,
  }
}
