import { formatRatio, type RatioRounding } from './format-ratio.js'

const Q192 = 1n << 192n

/** Significant digits of {@link priceFromSqrtPriceX96}, the schema's minimum. @defaultValue 18 */
export const PRICE_SIGNIFICANT_DIGITS = 18

/**
 * token1 per token0, decimals-adjusted, from a pool's `sqrtPriceX96`:
 * `sqrtPriceX96² / 2^192 × 10^(decimals0 − decimals1)`, formatted by {@link formatRatio}.
 *
 * @param sqrtPriceX96 - sqrt(token1/token0) in raw units, as Q64.96.
 * @param decimals0 - Decimals of token0.
 * @param decimals1 - Decimals of token1.
 * @param significantDigits - Significant digits. @defaultValue {@link PRICE_SIGNIFICANT_DIGITS}
 * @param rounding - Rounding of the last digit. @defaultValue `'half-up'`
 * @returns The price as a plain decimal string.
 *
 * @example
 * ```ts
 * import { priceFromSqrtPriceX96 } from '@qenus/plugin-uniswap-v3'
 * // USDC (6) / WETH (18) pool: ETH at ~1,850 USDC gives token1 (WETH) per token0 (USDC)
 * priceFromSqrtPriceX96(1841236545279393596624335911298620n, 6, 18) // '0.000540082375367707333'
 * ```
 */
export function priceFromSqrtPriceX96(
  sqrtPriceX96: bigint,
  decimals0: number,
  decimals1: number,
  significantDigits = PRICE_SIGNIFICANT_DIGITS,
  rounding: RatioRounding = 'half-up',
): string {
  const shift = decimals0 - decimals1
  const numerator = sqrtPriceX96 * sqrtPriceX96 * 10n ** BigInt(Math.max(0, shift))
  const denominator = Q192 * 10n ** BigInt(Math.max(0, -shift))
  return formatRatio(numerator, denominator, significantDigits, rounding)
}

/**
 * token0 per token1, decimals-adjusted: the inverse of {@link priceFromSqrtPriceX96}, computed
 * from the same exact ratio (not by inverting a rounded string).
 *
 * @param sqrtPriceX96 - sqrt(token1/token0) in raw units, as Q64.96; above 0.
 * @param decimals0 - Decimals of token0.
 * @param decimals1 - Decimals of token1.
 * @param significantDigits - Significant digits. @defaultValue {@link PRICE_SIGNIFICANT_DIGITS}
 * @param rounding - Rounding of the last digit. @defaultValue `'half-up'`
 * @returns The price as a plain decimal string.
 * @example
 * ```ts
 * import { inversePriceFromSqrtPriceX96 } from '@qenus/plugin-uniswap-v3'
 * inversePriceFromSqrtPriceX96(2n ** 96n, 18, 6) // '0.00000000000100000000000000000' (token0 per token1)
 * ```
 */
export function inversePriceFromSqrtPriceX96(
  sqrtPriceX96: bigint,
  decimals0: number,
  decimals1: number,
  significantDigits = PRICE_SIGNIFICANT_DIGITS,
  rounding: RatioRounding = 'half-up',
): string {
  const shift = decimals1 - decimals0
  const numerator = Q192 * 10n ** BigInt(Math.max(0, shift))
  const denominator = sqrtPriceX96 * sqrtPriceX96 * 10n ** BigInt(Math.max(0, -shift))
  return formatRatio(numerator, denominator, significantDigits, rounding)
}
