import { UniswapMathError } from './errors.js'

/** 2^96, the scale of a Q64.96 number. */
export const Q96 = 1n << 96n
/** Largest uint256. */
export const MAX_UINT256 = (1n << 256n) - 1n
/** Largest uint160, the width of a `sqrtPriceX96`. */
export const MAX_UINT160 = (1n << 160n) - 1n
/** Largest uint128, the width of pool liquidity. */
export const MAX_UINT128 = (1n << 128n) - 1n

/**
 * `floor(a × b / denominator)` with a full-width product, as `FullMath.mulDiv`.
 *
 * @param a - Multiplicand, uint256.
 * @param b - Multiplier, uint256.
 * @param denominator - Divisor, uint256, not 0.
 * @returns The quotient, rounded down.
 * @throws {@link UniswapMathError} when `denominator` is 0 or the result does not fit in uint256,
 * where the contract reverts.
 * @example
 * ```ts
 * mulDiv(3n, 5n, 2n) // 7n
 * ```
 */
export function mulDiv(a: bigint, b: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw new UniswapMathError('mulDiv', 'denominator is 0')
  const result = (a * b) / denominator
  if (result > MAX_UINT256) throw new UniswapMathError('mulDiv', `result ${result} overflows uint256`)
  return result
}

/**
 * `ceil(a × b / denominator)` with a full-width product, as `FullMath.mulDivRoundingUp`.
 *
 * @param a - Multiplicand, uint256.
 * @param b - Multiplier, uint256.
 * @param denominator - Divisor, uint256, not 0.
 * @returns The quotient, rounded up.
 * @throws {@link UniswapMathError} when `denominator` is 0 or the result does not fit in uint256.
 * @example
 * ```ts
 * mulDivRoundingUp(3n, 5n, 2n) // 8n
 * ```
 */
export function mulDivRoundingUp(a: bigint, b: bigint, denominator: bigint): bigint {
  const result = mulDiv(a, b, denominator)
  if ((a * b) % denominator === 0n) return result
  if (result === MAX_UINT256) throw new UniswapMathError('mulDivRoundingUp', 'result overflows uint256')
  return result + 1n
}

/**
 * `ceil(x / y)`, as `UnsafeMath.divRoundingUp` (the contract returns 0 for `y = 0`; here that is an error).
 *
 * @param x - Dividend, uint256.
 * @param y - Divisor, not 0.
 * @returns The quotient, rounded up.
 */
export function divRoundingUp(x: bigint, y: bigint): bigint {
  if (y === 0n) throw new UniswapMathError('divRoundingUp', 'divisor is 0')
  const q = x / y
  return x % y === 0n ? q : q + 1n
}
