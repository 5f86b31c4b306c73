import { mulDiv, mulDivRoundingUp } from './full-math.js'
import {
  getAmount0Delta,
  getAmount1Delta,
  getNextSqrtPriceFromInput,
  getNextSqrtPriceFromOutput,
} from './sqrt-price-math.js'

/** Fees are in pips: hundredths of a basis point, out of 1,000,000. */
const FEE_DENOMINATOR = 1_000_000n

/** Result of {@link computeSwapStep}. */
export interface SwapStep {
  /** Sqrt price after the step, Q64.96. */
  sqrtRatioNextX96: bigint
  /** Input consumed, fee excluded. */
  amountIn: bigint
  /** Output produced. */
  amountOut: bigint
  /** Fee taken on the input. */
  feeAmount: bigint
}

/**
 * One step of a swap within a single liquidity range, as `SwapMath.computeSwapStep`.
 *
 * @remarks
 * The direction comes from the prices (`current >= target` is token0 in), the kind from the sign
 * of `amountRemaining` (≥ 0 exact input, < 0 exact output). When an exact-input step stops short
 * of the target, the whole remaining input is consumed and the fee is the rest after `amountIn`.
 *
 * @param sqrtRatioCurrentX96 - Current sqrt price, Q64.96.
 * @param sqrtRatioTargetX96 - Price the step may not pass (next tick or the swap's limit).
 * @param liquidity - Usable liquidity.
 * @param amountRemaining - Input (≥ 0) or output (< 0) still to be swapped.
 * @param feePips - Fee in pips, below 1,000,000.
 * @returns The price reached and the amounts in, out and fee of the step.
 * @example
 * ```ts
 * computeSwapStep(2n ** 96n, getSqrtRatioAtTick(-10), 10n ** 18n, 10n ** 15n, 3000)
 * ```
 */
export function computeSwapStep(
  sqrtRatioCurrentX96: bigint,
  sqrtRatioTargetX96: bigint,
  liquidity: bigint,
  amountRemaining: bigint,
  feePips: number,
): SwapStep {
  const fee = BigInt(feePips)
  const zeroForOne = sqrtRatioCurrentX96 >= sqrtRatioTargetX96
  const exactIn = amountRemaining >= 0n
  const toTargetIn = (roundUp: boolean, to: bigint) =>
    zeroForOne
      ? getAmount0Delta(to, sqrtRatioCurrentX96, liquidity, roundUp)
      : getAmount1Delta(sqrtRatioCurrentX96, to, liquidity, roundUp)
  const toTargetOut = (to: bigint) =>
    zeroForOne
      ? getAmount1Delta(to, sqrtRatioCurrentX96, liquidity, false)
      : getAmount0Delta(sqrtRatioCurrentX96, to, liquidity, false)

  let next: bigint
  let amountIn = 0n
  let amountOut = 0n
  if (exactIn) {
    const remainingLessFee = mulDiv(amountRemaining, FEE_DENOMINATOR - fee, FEE_DENOMINATOR)
    amountIn = toTargetIn(true, sqrtRatioTargetX96)
    next =
      remainingLessFee >= amountIn
        ? sqrtRatioTargetX96
        : getNextSqrtPriceFromInput(sqrtRatioCurrentX96, liquidity, remainingLessFee, zeroForOne)
  } else {
    amountOut = toTargetOut(sqrtRatioTargetX96)
    next =
      -amountRemaining >= amountOut
        ? sqrtRatioTargetX96
        : getNextSqrtPriceFromOutput(sqrtRatioCurrentX96, liquidity, -amountRemaining, zeroForOne)
  }

  // Amounts to the target are reused as computed; a partial step recomputes them from the price reached.
  const reachedTarget = next === sqrtRatioTargetX96
  if (!(reachedTarget && exactIn)) amountIn = toTargetIn(true, next)
  if (!(reachedTarget && !exactIn)) amountOut = toTargetOut(next)
  if (!exactIn && amountOut > -amountRemaining) amountOut = -amountRemaining

  const feeAmount =
    exactIn && !reachedTarget ? amountRemaining - amountIn : mulDivRoundingUp(amountIn, fee, FEE_DENOMINATOR - fee)
  return { sqrtRatioNextX96: next, amountIn, amountOut, feeAmount }
}
