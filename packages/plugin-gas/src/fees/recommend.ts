/** The inclusion targets recommendations are made for, in blocks. */
export const INCLUSION_TARGETS: readonly [1, 3, 10] = [1, 3, 10]

/** Options of {@link TipRecommender}. */
export interface TipRecommenderOptions {
  /** Recent blocks kept. @default 20 */
  window?: number | undefined
  /** Wanted probability of inclusion within the target, from 0 to 1 (exclusive). @default 0.9 */
  confidence?: number | undefined
}

/**
 * Recommends priority fees for inclusion within 1, 3 and 10 blocks from the blocks it has seen.
 *
 * @remarks
 * Each block contributes its acceptance threshold: the 10th gas-weighted percentile of its
 * included tips (the cheap end of what got in, ignoring the few zero-tip builder transactions
 * below it), or 0 for a block without transactions. Treating the next blocks as draws from the same distribution,
 * a tip `T` that the share `F(T)` of recent blocks accepted is included within `n` blocks with
 * probability `1 - (1 - F(T))^n`. For confidence `c` the recommendation for `n` blocks is the
 * smallest recent threshold with `F(T) ≥ 1 - (1 - c)^(1/n)`: with `c = 0.9`, the 90th, 54th and
 * 21st percentiles of recent thresholds for 1, 3 and 10 blocks. Values are always tips that were
 * actually paid (exact wei), never interpolated.
 *
 * @example
 * ```ts
 * import { TipRecommender } from '@qenus/plugin-gas'
 * const r = new TipRecommender({ window: 20 })
 * r.add(100n, 2_000_000_000n)
 * r.recommend() // [2_000_000_000n, 2_000_000_000n, 2_000_000_000n]
 * ```
 */
export class TipRecommender {
  readonly #window: number
  readonly #confidence: number
  #blocks: { number: bigint; threshold: bigint }[] = []

  /** @param options - See {@link TipRecommenderOptions}. */
  constructor(options: TipRecommenderOptions = {}) {
    this.#window = options.window ?? 20
    this.#confidence = options.confidence ?? 0.9
    if (!Number.isInteger(this.#window) || this.#window < 1) {
      throw new RangeError(`TipRecommender: window must be a positive integer, got ${this.#window}`)
    }
    if (!(this.#confidence > 0 && this.#confidence < 1)) {
      throw new RangeError(`TipRecommender: confidence must be between 0 and 1, got ${this.#confidence}`)
    }
  }

  /** Blocks currently in the window. */
  get size(): number {
    return this.#blocks.length
  }

  /** Adds a block's acceptance threshold; blocks must come in order. */
  add(number: bigint, threshold: bigint): void {
    this.#blocks = this.#blocks.filter((b) => b.number < number)
    this.#blocks.push({ number, threshold })
    if (this.#blocks.length > this.#window) this.#blocks.shift()
  }

  /** Drops the blocks above `number` (a reorg). */
  revertTo(number: bigint): void {
    this.#blocks = this.#blocks.filter((b) => b.number <= number)
  }

  /** Recommended tips for inclusion within 1, 3 and 10 blocks, wei; `undefined` with no blocks yet. */
  recommend(): [bigint, bigint, bigint] | undefined {
    if (this.#blocks.length === 0) return undefined
    const sorted = this.#blocks.map((b) => b.threshold).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    const pick = (n: number) => {
      const share = 1 - (1 - this.#confidence) ** (1 / n)
      const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1))
      return sorted[index]!
    }
    return INCLUSION_TARGETS.map(pick) as [bigint, bigint, bigint]
  }
}
