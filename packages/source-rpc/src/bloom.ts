import type { Hex, Log } from '@qenus/core'
import { hexToBytes, keccak256 } from 'viem'
import type { MergedFilter } from './filters.js'

/** Above this share of set bits a bloom says "maybe" to almost anything, so it proves nothing missing. */
const MAX_FILL_FOR_ABSENCE_CHECK = 0.25

/**
 * Whether `item` (an address or topic) may be in the 2048-bit `bloom` (the yellow paper's M3:2048).
 *
 * @param bloom - A block's logsBloom.
 * @param item - 20 or 32 bytes, hex.
 * @returns False when it is certainly absent.
 */
export function inBloom(bloom: Uint8Array, item: Hex): boolean {
  for (const bit of bloomBits(item)) {
    if ((bloom[255 - (bit >> 3)]! & (1 << (bit & 7))) === 0) return false
  }
  return true
}

/** Bloom bits of recent items: filter addresses and topics recur in every block, and keccak dominates the check. */
const BITS = new Map<string, readonly number[]>()
const MAX_MEMO = 4096

function bloomBits(item: Hex): readonly number[] {
  const key = item.toLowerCase()
  const known = BITS.get(key)
  if (known) return known
  const hash = hexToBytes(keccak256(item))
  const bits = [0, 2, 4].map((i) => ((hash[i]! << 8) | hash[i + 1]!) & 2047)
  if (BITS.size >= MAX_MEMO) BITS.clear()
  BITS.set(key, bits)
  return bits
}

function fill(bloom: Uint8Array): number {
  let set = 0
  for (const byte of bloom) for (let b = byte; b; b &= b - 1) set++
  return set / 2048
}

/**
 * Compares one block's `eth_getLogs` answer with its logsBloom.
 *
 * @param logsBloom - The block's bloom.
 * @param logs - The provider's answer for this block under `filter`.
 * @param filter - The merged filter that was asked.
 * @returns `'forged'` when a log's address or first topic is certainly not in the block, `'missing'` when the bloom says
 *   logs the filter selects are very likely missing, `'ok'` otherwise.
 *
 * @remarks
 * A log is flagged missing only when the bloom holds an asked address and an asked first topic
 * but the answer has no log with that address and one of those topics, and only while the bloom
 * is sparse enough to make a false positive unlikely. A missing log that shares address and
 * topic with a returned one cannot be seen in a bloom. Topics after the first are not checked:
 * they are mostly unique per log (sender, recipient), so hashing them would dominate a backfill.
 */
export function checkAgainstBloom(
  logsBloom: Hex,
  logs: readonly Log[],
  filter: MergedFilter,
): 'ok' | 'forged' | 'missing' {
  const bloom = hexToBytes(logsBloom)
  for (const log of logs) {
    const topic0 = log.topics[0]
    if (!inBloom(bloom, log.address) || (topic0 !== undefined && !inBloom(bloom, topic0))) return 'forged'
  }
  if (fill(bloom) > MAX_FILL_FOR_ABSENCE_CHECK) return 'ok'
  const topics = filter.topic0?.filter((t) => inBloom(bloom, t))
  if (topics?.length === 0) return 'ok'
  const topicOk = (log: Log) => !topics || (log.topics[0] !== undefined && topics.includes(log.topics[0]))
  if (!filter.address) {
    if (!topics) return logs.length === 0 && fill(bloom) > 0 ? 'missing' : 'ok'
    return topics.every((t) => logs.some((log) => log.topics[0] === t)) ? 'ok' : 'missing'
  }
  for (const address of filter.address) {
    if (inBloom(bloom, address) && !logs.some((log) => log.address === address && topicOk(log))) return 'missing'
  }
  return 'ok'
}
