import { UniswapMathError } from './errors.js'
import { MAX_UINT256 } from './full-math.js'

/** Lowest tick a pool can reach: log base 1.0001 of 2^-128. */
export const MIN_TICK = -887272
/** Highest tick a pool can reach. */
export const MAX_TICK = 887272
/** `getSqrtRatioAtTick(MIN_TICK)`: the lowest `sqrtPriceX96` a pool can have. */
export const MIN_SQRT_RATIO = 4295128739n
/** `getSqrtRatioAtTick(MAX_TICK)`: one above the highest `sqrtPriceX96` a pool can have. */
export const MAX_SQRT_RATIO = 1461446703485210103287273052203988822378723970342n

/**
 * `2^128 / sqrt(1.0001)^(2^i)` as Q128.128, i = 0..19, the factors TickMath.sol multiplies together
 * for each set bit of |tick|. They must be these exact words: the last bits of the product, and so
 * the rounding of every price, depend on them.
 */
const SQRT_POWERS = [
  0xfffcb933bd6fad37aa2d162d1a594001n,
  0xfff97272373d413259a46990580e213an,
  0xfff2e50f5f656932ef12357cf3c7fdccn,
  0xffe5caca7e10e4e61c3624eaa0941cd0n,
  0xffcb9843d60f6159c9db58835c926644n,
  0xff973b41fa98c081472e6896dfb254c0n,
  0xff2ea16466c96a3843ec78b326b52861n,
  0xfe5dee046a99a2a811c461f1969c3053n,
  0xfcbe86c7900a88aedcffc83b479aa3a4n,
  0xf987a7253ac413176f2b074cf7815e54n,
  0xf3392b0822b70005940c7a398e4b70f3n,
  0xe7159475a2c29b7443b29c7fa6e889d9n,
  0xd097f3bdfd2022b8845ad8f792aa5825n,
  0xa9f746462d870fdf8a65dc1f90e061e5n,
  0x70d869a156d2a1b890bb3df62baf32f7n,
  0x31be135f97d08fd981231505542fcfa6n,
  0x9aa508b5b7a84e1c677de54f3e99bc9n,
  0x5d6af8dedb81196699c329225ee604n,
  0x2216e584f5fa1ea926041bedfe98n,
  0x48a170391f7dc42444e8fa2n,
] as const

const Q128 = 1n << 128n
const Q32_MASK = (1n << 32n) - 1n

/**
 * `sqrt(1.0001^tick) × 2^96`, bit-exact to `TickMath.getSqrtRatioAtTick`.
 *
 * @param tick - An integer in [{@link MIN_TICK}, {@link MAX_TICK}].
 * @returns The sqrt price as Q64.96 (uint160), rounded up from the Q128.128 intermediate.
 * @throws {@link UniswapMathError} for a non-integer tick or one out of range (contract revert `'T'`).
 * @example
 * ```ts
 * getSqrtRatioAtTick(0) // 79228162514264337593543950336n (2^96)
 * ```
 */
export function getSqrtRatioAtTick(tick: number): bigint {
  if (!Number.isInteger(tick) || tick < MIN_TICK || tick > MAX_TICK) {
    throw new UniswapMathError(
      'getSqrtRatioAtTick',
      `tick ${tick} is not an integer in [${MIN_TICK}, ${MAX_TICK}]`,
      'T',
    )
  }
  const absTick = Math.abs(tick)
  let ratio = absTick & 1 ? SQRT_POWERS[0] : Q128
  for (let bit = 1; bit < SQRT_POWERS.length; bit++) {
    if (absTick & (1 << bit)) ratio = (ratio * SQRT_POWERS[bit]!) >> 128n
  }
  // The table holds 1.0001^(-k/2); a positive tick takes the reciprocal, computed as the contract does.
  if (tick > 0) ratio = MAX_UINT256 / ratio
  return (ratio >> 32n) + ((ratio & Q32_MASK) === 0n ? 0n : 1n)
}

/** 2^64 / log2(sqrt(1.0001)): turns a Q64.64 log2 into a Q128.128 log base sqrt(1.0001). */
const LOG_SQRT10001 = 255738958999603826347141n
/** Error bounds TickMath.sol subtracts/adds so that the true tick is one of two candidates. */
const TICK_LOW_ERROR = 3402992956809132418596140100660247210n
const TICK_HIGH_ERROR = 291339464771989622907027621153398088495n

/**
 * The greatest tick whose sqrt ratio is at most `sqrtPriceX96`, bit-exact to `TickMath.getTickAtSqrtRatio`.
 *
 * @remarks
 * Like the contract, it takes log2 of the Q128.128 ratio to 14 fractional bits, turns that into a
 * log base sqrt(1.0001) with error bounds that leave two candidate ticks, and picks between them
 * with {@link getSqrtRatioAtTick}.
 *
 * @param sqrtPriceX96 - A Q64.96 sqrt price in [{@link MIN_SQRT_RATIO}, {@link MAX_SQRT_RATIO}).
 * @returns The tick.
 * @throws {@link UniswapMathError} when `sqrtPriceX96` is out of range (contract revert `'R'`).
 * @example
 * ```ts
 * getTickAtSqrtRatio(2n ** 96n) // 0
 * ```
 */
export function getTickAtSqrtRatio(sqrtPriceX96: bigint): number {
  if (sqrtPriceX96 < MIN_SQRT_RATIO || sqrtPriceX96 >= MAX_SQRT_RATIO) {
    throw new UniswapMathError(
      'getTickAtSqrtRatio',
      `sqrtPriceX96 ${sqrtPriceX96} is outside [${MIN_SQRT_RATIO}, ${MAX_SQRT_RATIO})`,
      'R',
    )
  }
  const logSqrt10001 = log2Q128(sqrtPriceX96 << 32n) * LOG_SQRT10001
  const tickLow = Number((logSqrt10001 - TICK_LOW_ERROR) >> 128n)
  const tickHigh = Number((logSqrt10001 + TICK_HIGH_ERROR) >> 128n)
  if (tickLow === tickHigh) return tickLow
  return getSqrtRatioAtTick(tickHigh) <= sqrtPriceX96 ? tickHigh : tickLow
}

/**
 * log2 of a Q128.128 number as a signed Q64.64, with the 14 fractional bits TickMath.sol computes
 * (integer part from the most significant bit, then one bit per squaring of the normalised mantissa).
 */
function log2Q128(ratio: bigint): bigint {
  const msb = ratio.toString(2).length - 1
  let r = msb >= 128 ? ratio >> BigInt(msb - 127) : ratio << BigInt(127 - msb)
  // bigint `|` and `>>` on negatives follow two's complement, as the contract's int256 does.
  let log2 = BigInt(msb - 128) << 64n
  for (let bit = 63n; bit >= 50n; bit--) {
    r = (r * r) >> 127n
    const f = r >> 128n
    log2 |= f << bit
    r >>= f
  }
  return log2
}
