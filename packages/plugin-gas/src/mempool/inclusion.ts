import type { BlockHeader, Hex, Receipt, TipInclusion, TipInclusionBucket } from '@qenus/core'

/** Default bucket edges of {@link InclusionTracker}, gwei: buckets [0, 0.1), [0.1, 0.5), … [10, ∞). */
export const DEFAULT_TIP_BUCKETS_GWEI: readonly string[] = ['0.1', '0.5', '1', '2', '5', '10']

/**
 * A decimal gwei amount in wei, exactly.
 *
 * @param gwei - A non-negative decimal string with at most 9 decimals, e.g. `'0.1'`.
 * @example
 * ```ts
 * import { gweiToWei } from '@qenus/plugin-gas'
 * gweiToWei('0.1') // 100_000_000n
 * ```
 */
export function gweiToWei(gwei: string): bigint {
  const match = /^(\d+)(?:\.(\d{1,9}))?$/.exec(gwei)
  if (!match) throw new RangeError(`gweiToWei: expected a decimal with at most 9 decimals, got ${JSON.stringify(gwei)}`)
  return BigInt(match[1] as string) * 1_000_000_000n + BigInt((match[2] ?? '').padEnd(9, '0'))
}

/** Options of {@link InclusionTracker}. */
export interface InclusionTrackerOptions {
  /** Upper (exclusive) bucket edges in wei, ascending; the first bucket starts at 0, the last is open. */
  edges: readonly bigint[]
  /** Blocks of inclusions the buckets cover. @default 50 */
  windowBlocks?: number | undefined
  /** A transaction not included within this many blocks of the head it was seen at is dropped. @default 50 */
  maxPendingBlocks?: number | undefined
  /** Most pending transactions tracked at once; the oldest sighting is dropped beyond it. @default 50000 */
  maxPending?: number | undefined
}

interface Sighting {
  tip: bigint
  seenAt: bigint
  seenAtTimestamp: bigint
}

interface Sample extends Sighting {
  hash: Hex
  blocks: number
  ms: number
}

/**
 * The effective tip a pending transaction bids at a base fee: `min(maxPriorityFeePerGas,
 * maxFeePerGas − baseFee)` for EIP-1559 and later types, `gasPrice − baseFee` for legacy and
 * EIP-2930 ones; floored at 0 (a bid under the base fee cannot be included at it).
 *
 * @param transaction - Raw fields as JSON-RPC returns them (hex quantities).
 * @param baseFee - The base fee the transaction competes at, wei.
 * @returns The tip in wei, or `undefined` when the fields it needs are missing or not quantities.
 * @example
 * ```ts
 * import { tipBid } from '@qenus/plugin-gas'
 * tipBid({ maxFeePerGas: '0x64', maxPriorityFeePerGas: '0x0a' }, 95n) // 5n
 * ```
 */
export function tipBid(transaction: Record<string, unknown>, baseFee: bigint): bigint | undefined {
  const maxFee = quantity(transaction.maxFeePerGas)
  const maxPriority = quantity(transaction.maxPriorityFeePerGas)
  let tip: bigint
  if (maxFee !== undefined && maxPriority !== undefined) {
    tip = maxFee - baseFee < maxPriority ? maxFee - baseFee : maxPriority
  } else {
    const gasPrice = quantity(transaction.gasPrice)
    if (gasPrice === undefined) return undefined
    tip = gasPrice - baseFee
  }
  return tip > 0n ? tip : 0n
}

function quantity(value: unknown): bigint | undefined {
  return typeof value === 'string' && /^0x[0-9a-fA-F]+$/.test(value) ? BigInt(value) : undefined
}

/** The value at the nearest rank `ceil(q·n)` of ascending `sorted` (an observed value, never interpolated). */
function nearestRank(sorted: readonly number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] as number
}

/**
 * Measures time to inclusion per tip bucket from mempool sightings and the blocks that include them.
 *
 * @remarks
 * A sighting records the transaction's effective tip bid and the head it was seen at; the first
 * block whose receipts carry its hash closes it with `blocks = inclusion block − head` and
 * `ms = (inclusion timestamp − head timestamp) × 1000`. The buckets report the samples of the last
 * `windowBlocks` blocks with their nearest-rank median and p90. Everything derives from the
 * sightings and blocks given, in order, so the same events give the same figures. Memory is
 * bounded: sightings not included within `maxPendingBlocks` blocks, or beyond `maxPending`, are
 * dropped and counted.
 *
 * @example
 * ```ts
 * import { InclusionTracker } from '@qenus/plugin-gas'
 * const tracker = new InclusionTracker({ edges: [10n ** 9n] })
 * tracker.seen('0xab…', 2n * 10n ** 9n, head)
 * tracker.onBlock(next, receipts) // → TipInclusion with the sample in the second bucket
 * ```
 */
export class InclusionTracker {
  readonly #edges: readonly bigint[]
  readonly #window: number
  readonly #maxPendingBlocks: bigint
  readonly #maxPending: number
  readonly #pending = new Map<Hex, Sighting>()
  #samples: (Sample & { block: bigint })[] = []
  #dropped = 0

  /** @param options - See {@link InclusionTrackerOptions}. */
  constructor(options: InclusionTrackerOptions) {
    this.#edges = options.edges
    this.#window = options.windowBlocks ?? 50
    this.#maxPendingBlocks = BigInt(options.maxPendingBlocks ?? 50)
    this.#maxPending = options.maxPending ?? 50_000
    if (this.#edges.some((edge, i) => edge <= (i === 0 ? 0n : (this.#edges[i - 1] as bigint)))) {
      throw new RangeError(`InclusionTracker: edges must be positive and ascending, got ${this.#edges.join(', ')}`)
    }
  }

  /** Sightings not yet included. */
  get pending(): number {
    return this.#pending.size
  }

  /** Sightings dropped so far. */
  get dropped(): number {
    return this.#dropped
  }

  /** Records a pending transaction seen at `head`; a hash already tracked keeps its first sighting. */
  seen(hash: Hex, tip: bigint, head: Pick<BlockHeader, 'number' | 'timestamp'>): void {
    if (this.#pending.has(hash)) return
    this.#pending.set(hash, { tip, seenAt: head.number, seenAtTimestamp: head.timestamp })
    if (this.#pending.size > this.#maxPending) {
      this.#pending.delete(this.#pending.keys().next().value as Hex)
      this.#dropped++
    }
  }

  /** Closes the sightings the block includes, expires old ones, and reports the buckets at this block. */
  onBlock(header: Pick<BlockHeader, 'number' | 'timestamp'>, receipts: readonly Pick<Receipt, 'transactionHash'>[]) {
    for (const { transactionHash } of receipts) {
      const sighting = this.#pending.get(transactionHash)
      if (!sighting) continue
      this.#pending.delete(transactionHash)
      // Seen at a head that a reorg since dropped, at or above the block including it: no delay to measure.
      if (sighting.seenAt >= header.number) continue
      this.#samples.push({
        ...sighting,
        hash: transactionHash,
        block: header.number,
        blocks: Number(header.number - sighting.seenAt),
        ms: Number(header.timestamp - sighting.seenAtTimestamp) * 1000,
      })
    }
    for (const [hash, sighting] of this.#pending) {
      if (header.number - sighting.seenAt < this.#maxPendingBlocks) continue
      this.#pending.delete(hash)
      this.#dropped++
    }
    const oldest = header.number - BigInt(this.#window) + 1n
    this.#samples = this.#samples.filter((s) => s.block >= oldest && s.block <= header.number)
    return this.report()
  }

  /** The buckets over the samples currently in the window. */
  report(): TipInclusion {
    const buckets: TipInclusionBucket[] = []
    for (let i = 0; i <= this.#edges.length; i++) {
      const minTip = i === 0 ? 0n : (this.#edges[i - 1] as bigint)
      const maxTip = this.#edges[i]
      const inBucket = this.#samples.filter((s) => s.tip >= minTip && (maxTip === undefined || s.tip < maxTip))
      const bucket: TipInclusionBucket = {
        minTip,
        ...(maxTip === undefined ? {} : { maxTip }),
        samples: inBucket.length,
      }
      if (inBucket.length > 0) {
        const blocks = inBucket.map((s) => s.blocks).sort((a, b) => a - b)
        const ms = inBucket.map((s) => s.ms).sort((a, b) => a - b)
        Object.assign(bucket, {
          medianBlocks: nearestRank(blocks, 0.5),
          p90Blocks: nearestRank(blocks, 0.9),
          medianMs: nearestRank(ms, 0.5),
          p90Ms: nearestRank(ms, 0.9),
        })
      }
      buckets.push(bucket)
    }
    return { windowBlocks: this.#window, buckets, pendingTracked: this.#pending.size, pendingDropped: this.#dropped }
  }

  /** Reopens the sightings included in blocks above `to` (they are pending again after the reorg). */
  revertTo(to: bigint): void {
    for (const sample of this.#samples) {
      if (sample.block <= to) continue
      this.#pending.set(sample.hash, {
        tip: sample.tip,
        seenAt: sample.seenAt,
        seenAtTimestamp: sample.seenAtTimestamp,
      })
    }
    this.#samples = this.#samples.filter((s) => s.block <= to)
  }
}
