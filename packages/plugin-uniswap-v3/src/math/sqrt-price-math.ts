import { UniswapMathError } from './errors.js'
import { divRoundingUp, MAX_UINT160, MAX_UINT256, mulDiv, mulDivRoundingUp, Q96 } from './full-math.js'

/**
 * The sqrt price after adding or removing `amount` of token0, rounded up, as
 * `SqrtPriceMath.getNextSqrtPriceFromAmount0RoundingUp`.
 *
 * @remarks
 * Exact formula `L·√P / (L + amount·√P)`; when `amount·√P` would overflow uint256 the contract
 * falls back to `L / (L/√P + amount)`, which rounds differently, so the same fallback is kept here.
 *
 * @param sqrtPX96 - Starting sqrt price, Q64.96.
 * @param liquidity - Usable liquidity.
 * @param amount - token0 to add (`add`) or remove.
 * @param add - Whether token0 is added (price goes down) or removed (price goes up).
 * @returns The new sqrt price, Q64.96.
 * @throws {@link UniswapMathError} when removing more token0 than the liquidity holds.
 */
export function getNextSqrtPriceFromAmount0RoundingUp(
  sqrtPX96: bigint,
  liquidity: bigint,
  amount: bigint,
  add: boolean,
): bigint {
  if (amount === 0n) return sqrtPX96
  const numerator1 = liquidity << 96n
  const product = amount * sqrtPX96
  if (add) {
    if (product <= MAX_UINT256 && numerator1 + product <= MAX_UINT256) {
      return mulDivRoundingUp(numerator1, sqrtPX96, numerator1 + product)
    }
    const denominator = numerator1 / sqrtPX96 + amount
    if (denominator > MAX_UINT256) throw new UniswapMathError('getNextSqrtPriceFromAmount0RoundingUp', 'overflow')
    return divRoundingUp(numerator1, denominator)
  }
  if (product > MAX_UINT256 || numerator1 <= product) {
    throw new UniswapMathError(
      'getNextSqrtPriceFromAmount0RoundingUp',
      `removing ${amount} token0 exceeds what liquidity ${liquidity} holds above sqrtPriceX96 ${sqrtPX96}`,
    )
  }
  return toUint160(
    'getNextSqrtPriceFromAmount0RoundingUp',
    mulDivRoundingUp(numerator1, sqrtPX96, numerator1 - product),
  )
}

/**
 * The sqrt price after adding or removing `amount` of token1, rounded down, as
 * `SqrtPriceMath.getNextSqrtPriceFromAmount1RoundingDown`: `√P ± amount / L`.
 *
 * @param sqrtPX96 - Starting sqrt price, Q64.96.
 * @param liquidity - Usable liquidity.
 * @param amount - token1 to add (`add`) or remove.
 * @param add - Whether token1 is added (price goes up) or removed (price goes down).
 * @returns The new sqrt price, Q64.96.
 * @throws {@link UniswapMathError} when removing more token1 than the liquidity holds, or the
 * price leaves uint160.
 */
export function getNextSqrtPriceFromAmount1RoundingDown(
  sqrtPX96: bigint,
  liquidity: bigint,
  amount: bigint,
  add: boolean,
): bigint {
  const where = 'getNextSqrtPriceFromAmount1RoundingDown'
  // Rounded down when adding and up when removing, so the price always errs against the trader.
  if (add) {
    const quotient = amount <= MAX_UINT160 ? (amount << 96n) / liquidity : mulDiv(amount, Q96, liquidity)
    return toUint160(where, sqrtPX96 + quotient)
  }
  const quotient =
    amount <= MAX_UINT160 ? divRoundingUp(amount << 96n, liquidity) : mulDivRoundingUp(amount, Q96, liquidity)
  if (sqrtPX96 <= quotient) {
    throw new UniswapMathError(
      where,
      `removing ${amount} token1 exceeds what liquidity ${liquidity} holds below sqrtPriceX96 ${sqrtPX96}`,
    )
  }
  return sqrtPX96 - quotient
}

/**
 * The sqrt price after a swap of `amountIn` (fee already taken off), as `SqrtPriceMath.getNextSqrtPriceFromInput`.
 *
 * @param sqrtPX96 - Starting sqrt price, Q64.96, above 0.
 * @param liquidity - Usable liquidity, above 0.
 * @param amountIn - Input amount: token0 when `zeroForOne`, else token1.
 * @param zeroForOne - Swap direction.
 * @returns The new sqrt price; rounding never moves it past the exact target.
 * @example
 * ```ts
 * getNextSqrtPriceFromInput(2n ** 96n, 10n ** 18n, 10n ** 15n, true) // just under 2^96
 * ```
 */
export function getNextSqrtPriceFromInput(
  sqrtPX96: bigint,
  liquidity: bigint,
  amountIn: bigint,
  zeroForOne: boolean,
): bigint {
  requirePositive('getNextSqrtPriceFromInput', sqrtPX96, liquidity)
  return zeroForOne
    ? getNextSqrtPriceFromAmount0RoundingUp(sqrtPX96, liquidity, amountIn, true)
    : getNextSqrtPriceFromAmount1RoundingDown(sqrtPX96, liquidity, amountIn, true)
}

/**
 * The sqrt price after a swap that takes `amountOut` out of the pool, as `SqrtPriceMath.getNextSqrtPriceFromOutput`.
 *
 * @param sqrtPX96 - Starting sqrt price, Q64.96, above 0.
 * @param liquidity - Usable liquidity, above 0.
 * @param amountOut - Output amount: token1 when `zeroForOne`, else token0.
 * @param zeroForOne - Swap direction.
 * @returns The new sqrt price; rounding always moves it at least to the exact target.
 */
export function getNextSqrtPriceFromOutput(
  sqrtPX96: bigint,
  liquidity: bigint,
  amountOut: bigint,
  zeroForOne: boolean,
): bigint {
  requirePositive('getNextSqrtPriceFromOutput', sqrtPX96, liquidity)
  return zeroForOne
    ? getNextSqrtPriceFromAmount1RoundingDown(sqrtPX96, liquidity, amountOut, false)
    : getNextSqrtPriceFromAmount0RoundingUp(sqrtPX96, liquidity, amountOut, false)
}

/**
 * token0 between two sqrt prices for a liquidity, `L·(√B − √A) / (√A·√B)`, as `SqrtPriceMath.getAmount0Delta`.
 *
 * @param sqrtRatioAX96 - One sqrt price (order does not matter), above 0.
 * @param sqrtRatioBX96 - The other sqrt price.
 * @param liquidity - Liquidity, uint128.
 * @param roundUp - Round up (amounts owed to the pool) or down (amounts paid out).
 * @returns The token0 amount.
 * @example
 * ```ts
 * getAmount0Delta(getSqrtRatioAtTick(-60), getSqrtRatioAtTick(60), 10n ** 18n, true)
 * ```
 */
export function getAmount0Delta(
  sqrtRatioAX96: bigint,
  sqrtRatioBX96: bigint,
  liquidity: bigint,
  roundUp: boolean,
): bigint {
  const [lower, upper] = sqrtRatioAX96 > sqrtRatioBX96 ? [sqrtRatioBX96, sqrtRatioAX96] : [sqrtRatioAX96, sqrtRatioBX96]
  if (lower <= 0n) throw new UniswapMathError('getAmount0Delta', `sqrt price ${lower} is not above 0`)
  const numerator1 = liquidity << 96n
  const numerator2 = upper - lower
  // Two divisions, each rounded the same way, exactly as the contract (not one exact division).
  return roundUp
    ? divRoundingUp(mulDivRoundingUp(numerator1, numerator2, upper), lower)
    : mulDiv(numerator1, numerator2, upper) / lower
}

/**
 * token1 between two sqrt prices for a liquidity, `L·(√B − √A)`, as `SqrtPriceMath.getAmount1Delta`.
 *
 * @param sqrtRatioAX96 - One sqrt price (order does not matter).
 * @param sqrtRatioBX96 - The other sqrt price.
 * @param liquidity - Liquidity, uint128.
 * @param roundUp - Round up (amounts owed to the pool) or down (amounts paid out).
 * @returns The token1 amount.
 */
export function getAmount1Delta(
  sqrtRatioAX96: bigint,
  sqrtRatioBX96: bigint,
  liquidity: bigint,
  roundUp: boolean,
): bigint {
  const diff = sqrtRatioAX96 > sqrtRatioBX96 ? sqrtRatioAX96 - sqrtRatioBX96 : sqrtRatioBX96 - sqrtRatioAX96
  return roundUp ? mulDivRoundingUp(liquidity, diff, Q96) : mulDiv(liquidity, diff, Q96)
}

/**
 * Signed token0 delta for a signed liquidity change, as the contract's `getAmount0Delta(…, int128)`:
 * rounded up when liquidity is added (owed to the pool), down and negated when it is removed.
 *
 * @param sqrtRatioAX96 - One sqrt price.
 * @param sqrtRatioBX96 - The other sqrt price.
 * @param liquidityDelta - Liquidity added (> 0) or removed (< 0).
 * @returns The token0 amount, negative when paid out.
 */
export function getAmount0DeltaSigned(sqrtRatioAX96: bigint, sqrtRatioBX96: bigint, liquidityDelta: bigint): bigint {
  return liquidityDelta < 0n
    ? -getAmount0Delta(sqrtRatioAX96, sqrtRatioBX96, -liquidityDelta, false)
    : getAmount0Delta(sqrtRatioAX96, sqrtRatioBX96, liquidityDelta, true)
}

/**
 * Signed token1 delta for a signed liquidity change, as the contract's `getAmount1Delta(…, int128)`.
 *
 * @param sqrtRatioAX96 - One sqrt price.
 * @param sqrtRatioBX96 - The other sqrt price.
 * @param liquidityDelta - Liquidity added (> 0) or removed (< 0).
 * @returns The token1 amount, negative when paid out.
 */
export function getAmount1DeltaSigned(sqrtRatioAX96: bigint, sqrtRatioBX96: bigint, liquidityDelta: bigint): bigint {
  return liquidityDelta < 0n
    ? -getAmount1Delta(sqrtRatioAX96, sqrtRatioBX96, -liquidityDelta, false)
    : getAmount1Delta(sqrtRatioAX96, sqrtRatioBX96, liquidityDelta, true)
}

function requirePositive(where: string, sqrtPX96: bigint, liquidity: bigint): void {
  if (sqrtPX96 <= 0n) throw new UniswapMathError(where, `sqrtPX96 ${sqrtPX96} is not above 0`)
  if (liquidity <= 0n) throw new UniswapMathError(where, `liquidity ${liquidity} is not above 0`)
}

function toUint160(where: string, value: bigint): bigint {
  if (value > MAX_UINT160) throw new UniswapMathError(where, `sqrt price ${value} overflows uint160`)
  return value
}
