/** Lowest tick a Uniswap V3 pool supports. */
export const MIN_TICK = -887272
/** Highest tick a Uniswap V3 pool supports. */
export const MAX_TICK = 887272

/** Tick spacing of each Uniswap V3 fee tier, as the factory enables them. */
export const TICK_SPACING: Readonly<Record<number, number>> = { 100: 1, 500: 10, 3000: 60, 10000: 200 }

const Q192 = 1n << 192n

/** Integer square root (floor) of a non-negative bigint. */
export function isqrt(n: bigint): bigint {
  if (n < 0n) throw new RangeError(`isqrt of negative number ${n}`)
  if (n < 2n) return n
  let x = 1n << BigInt((n.toString(2).length >> 1) + 1)
  for (;;) {
    const y = (x + n / x) >> 1n
    if (y >= x) return x
    x = y
  }
}

/**
 * The Q64.96 square root price of a pool where one token0 is worth `price` token1
 * (decimals-adjusted, given as a fraction so no float touches it).
 *
 * @param price - token1 per token0 as `[numerator, denominator]`.
 * @param decimals0 - Decimals of token0.
 * @param decimals1 - Decimals of token1.
 */
export function sqrtPriceX96FromPrice(price: [bigint, bigint], decimals0: number, decimals1: number): bigint {
  const [num, den] = price
  return isqrt((num * 10n ** BigInt(decimals1) * Q192) / (den * 10n ** BigInt(decimals0)))
}

/**
 * token1 per token0, decimals-adjusted, from a Q64.96 square root price, as a decimal string,
 * computed in integer arithmetic.
 *
 * @param sqrtPriceX96 - Square root price, Q64.96.
 * @param decimals0 - Decimals of token0.
 * @param decimals1 - Decimals of token1.
 * @param fractionDigits - Digits after the point before trimming trailing zeros.
 * @default fractionDigits 40
 */
export function priceFromSqrtPriceX96(
  sqrtPriceX96: bigint,
  decimals0: number,
  decimals1: number,
  fractionDigits = 40,
): string {
  const scale = 10n ** BigInt(fractionDigits)
  const scaled = (sqrtPriceX96 * sqrtPriceX96 * 10n ** BigInt(decimals0) * scale) / (Q192 * 10n ** BigInt(decimals1))
  const digits = scaled.toString().padStart(fractionDigits + 1, '0')
  const int = digits.slice(0, -fractionDigits)
  const frac = digits.slice(-fractionDigits).replace(/0+$/, '')
  return frac ? `${int}.${frac}` : int
}

/** Rounds a tick down to a multiple of `spacing`. */
export function floorTick(tick: number, spacing: number): number {
  return Math.floor(tick / spacing) * spacing
}

/** The widest range a pool of `spacing` accepts. */
export function fullRange(spacing: number): [number, number] {
  return [Math.ceil(MIN_TICK / spacing) * spacing, Math.floor(MAX_TICK / spacing) * spacing]
}
