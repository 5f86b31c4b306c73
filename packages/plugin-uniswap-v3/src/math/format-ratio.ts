/**
 * How {@link formatRatio} drops the digits it does not print.
 * - `half-up`: to the nearest, ties away from zero (Big.js `ROUND_HALF_UP`, the Uniswap SDK default).
 * - `down`: towards zero (truncation).
 */
export type RatioRounding = 'half-up' | 'down'

function digitCount(value: bigint): number {
  return value.toString().length
}

/**
 * The number of fraction digits that leaves `significantDigits` significant digits for
 * |n/d| = `n`/`d` (both positive), before rounding.
 */
function fractionDigits(n: bigint, d: bigint, significantDigits: number): number {
  const integerPart = n / d
  if (integerPart > 0n) return Math.max(0, significantDigits - digitCount(integerPart))
  // n/d < 1: the first significant digit sits at fraction position k, the least k with n·10^k ≥ d.
  let k = digitCount(d) - digitCount(n)
  if (n * 10n ** BigInt(k) < d) k++
  return k - 1 + significantDigits
}

function scaleAndRound(n: bigint, d: bigint, places: number, rounding: RatioRounding): bigint {
  const scaled = n * 10n ** BigInt(places)
  const quotient = scaled / d
  return rounding === 'half-up' && 2n * (scaled % d) >= d ? quotient + 1n : quotient
}

/**
 * Formats the exact ratio `numerator / denominator` as a plain decimal string, in integer arithmetic.
 *
 * @remarks
 * The format is `-?\d+(\.\d+)?`, never with an exponent, whatever the magnitude:
 * - the integer part is always printed in full, so a ratio with more than `significantDigits`
 *   integer digits is printed with all of them (rounded to an integer);
 * - otherwise the string has exactly `significantDigits` significant digits, trailing zeros
 *   included (so the precision is visible), and leading zeros after the point for ratios below 1;
 * - rounding is `half-up` (default) or `down` at the last printed digit; a carry that would add a
 *   digit (9.99… → 10.0…) drops one fraction digit instead;
 * - zero is `0`; a negative ratio gets a leading `-`.
 *
 * @param numerator - Numerator of the ratio.
 * @param denominator - Denominator of the ratio; must not be zero.
 * @param significantDigits - Significant digits to print, a positive integer.
 * @param rounding - How dropped digits are rounded. @defaultValue `'half-up'`
 * @returns The ratio as a decimal string.
 * @throws RangeError when `denominator` is zero or `significantDigits` is not a positive integer.
 *
 * @example
 * ```ts
 * import { formatRatio } from '@qenus/plugin-uniswap-v3'
 * formatRatio(2n, 3n, 5) // '0.66667'
 * formatRatio(2n, 3n, 5, 'down') // '0.66666'
 * formatRatio(1n, 8n * 10n ** 30n, 3) // '0.000000000000000000000000000000125'
 * formatRatio(10n ** 40n, 3n, 5) // '3333333333333333333333333333333333333333'
 * ```
 */
export function formatRatio(
  numerator: bigint,
  denominator: bigint,
  significantDigits: number,
  rounding: RatioRounding = 'half-up',
): string {
  if (denominator === 0n) throw new RangeError('formatRatio: denominator is zero')
  if (!Number.isInteger(significantDigits) || significantDigits < 1) {
    throw new RangeError(`formatRatio: significantDigits must be a positive integer, got ${significantDigits}`)
  }
  if (numerator === 0n) return '0'
  const negative = numerator < 0n !== denominator < 0n
  const n = numerator < 0n ? -numerator : numerator
  const d = denominator < 0n ? -denominator : denominator
  let places = fractionDigits(n, d, significantDigits)
  let digits = scaleAndRound(n, d, places, rounding)
  if (places > 0 && digitCount(digits) > significantDigits) {
    places--
    digits = scaleAndRound(n, d, places, rounding)
  }
  return (negative ? '-' : '') + placePoint(digits.toString(), places)
}

function placePoint(digits: string, places: number): string {
  if (places === 0) return digits
  const padded = digits.padStart(places + 1, '0')
  return `${padded.slice(0, -places)}.${padded.slice(-places)}`
}
