/** What confidence is built from. */
export interface ConfidenceInputs {
  /** Age of the oldest state the opportunity rests on, seconds (0 when all of it is this block's). */
  ageSeconds: number
  /** Age at which state counts half. */
  halfLifeSeconds: number
  /** Price move each leg causes in its pool, basis points. */
  movesBps: readonly number[]
  /** Volatility of the pools' log prices per square-root second (the largest of the legs). */
  sigma: number
  /** Seconds the opportunity must hold: until the next block, or the bridge delay. */
  horizonSeconds: number
  /** Net profit divided by the input, the price move it can absorb. */
  margin: number
}

/**
 * Confidence in 0..1, the product of three factors:
 * - state age: `0.5 ^ (age / halfLife)`;
 * - depth: `1 / (1 + move / 100 bps)` for the leg that moves its pool most, since a trade that
 *   walks far through thin liquidity is the first to break when anyone trades before it;
 * - price risk: `exp(−σ·√horizon / margin)`, the expected adverse move over the horizon
 *   against the profit margin that absorbs it.
 *
 * @param inputs - See {@link ConfidenceInputs}.
 * @returns The confidence, rounded to 4 decimals.
 * @example
 * ```ts
 * confidence({ ageSeconds: 0, halfLifeSeconds: 30, movesBps: [20, 15], sigma: 0, horizonSeconds: 12, margin: 0.01 })
 * // 0.8333
 * ```
 */
export function confidence(inputs: ConfidenceInputs): number {
  const age = 0.5 ** (Math.max(0, inputs.ageSeconds) / inputs.halfLifeSeconds)
  const depth = 1 / (1 + Math.max(0, ...inputs.movesBps) / 100)
  const risk =
    inputs.sigma > 0 && inputs.margin > 0
      ? Math.exp((-inputs.sigma * Math.sqrt(Math.max(0, inputs.horizonSeconds))) / inputs.margin)
      : inputs.margin > 0
        ? 1
        : 0
  return Math.round(age * depth * risk * 10_000) / 10_000
}
