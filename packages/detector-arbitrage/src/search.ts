import { MAX_SQRT_RATIO, MIN_SQRT_RATIO, simulateSwap } from '@qenus/plugin-uniswap-v3'
import type { KeptPool } from './book.js'

/** One swap through a kept pool, exactly as the pool computes it. */
export interface SwapQuote {
  /** Output paid by the pool, raw units. */
  amountOut: bigint
  /** sqrt price after the swap. */
  sqrtPriceX96: bigint
}

/**
 * Exact-input swap of `amountIn` through a kept pool with no price limit (as a router's
 * `exactInputSingle` with `sqrtPriceLimitX96 = 0`).
 *
 * @param pool - Kept pool.
 * @param zeroForOne - token0 in.
 * @param amountIn - Input, raw units, fee included.
 * @returns The output and end price, or `undefined` when the input is not positive or the pool
 * runs out of liquidity before taking all of it.
 */
export function swapExactIn(pool: KeptPool, zeroForOne: boolean, amountIn: bigint): SwapQuote | undefined {
  if (amountIn <= 0n) return undefined
  const limit = zeroForOne ? MIN_SQRT_RATIO + 1n : MAX_SQRT_RATIO - 1n
  const result = simulateSwap(pool.state, zeroForOne, amountIn, limit, pool.ticks)
  const [used, out] = zeroForOne ? [result.amount0, result.amount1] : [result.amount1, result.amount0]
  if (used !== amountIn) return undefined
  return { amountOut: -out, sqrtPriceX96: result.sqrtPriceX96 }
}

/**
 * Input that moves a pool's price to `sqrtPriceX96` (fee included): past it, buying on this pool
 * costs more than the price elsewhere, so no arbitrage input is larger.
 *
 * @returns 0 when the price is already at or past the target in that direction.
 */
export function inputToPrice(pool: KeptPool, zeroForOne: boolean, sqrtPriceX96: bigint): bigint {
  const current = pool.state.sqrtPriceX96
  if (zeroForOne ? sqrtPriceX96 >= current : sqrtPriceX96 <= current) return 0n
  const limit = zeroForOne
    ? sqrtPriceX96 > MIN_SQRT_RATIO
      ? sqrtPriceX96
      : MIN_SQRT_RATIO + 1n
    : sqrtPriceX96 < MAX_SQRT_RATIO
      ? sqrtPriceX96
      : MAX_SQRT_RATIO - 1n
  const huge = 1n << 200n
  const result = simulateSwap(pool.state, zeroForOne, huge, limit, pool.ticks)
  return zeroForOne ? result.amount0 : result.amount1
}

const PHI = 618_034n
const ONE = 1_000_000n

/**
 * Maximises a unimodal function of an integer by golden-section search, down to a bracket of
 * `hi / 10^7` (at least 3; the top of a concave profit curve is flat, so what is left there is
 * worth far less than a wei per unit), then keeps the best point evaluated.
 *
 * @param f - The objective; `undefined` counts as minus infinity.
 * @param lo - Lowest argument.
 * @param hi - Highest argument.
 * @returns The best argument found and its value, or `undefined` when `f` is undefined everywhere tried.
 */
export function maximize(
  f: (x: bigint) => bigint | undefined,
  lo: bigint,
  hi: bigint,
): { x: bigint; value: bigint } | undefined {
  const memo = new Map<bigint, bigint | undefined>()
  const at = (x: bigint) => {
    if (!memo.has(x)) memo.set(x, f(x))
    return memo.get(x)
  }
  const better = (a: bigint | undefined, b: bigint | undefined) => a !== undefined && (b === undefined || a >= b)
  const stop = hi / 10_000_000n > 3n ? hi / 10_000_000n : 3n
  let a = lo
  let b = hi
  // Each step keeps one interior point and evaluates one new one, as golden-section search does.
  let c = b - ((b - a) * PHI) / ONE
  let d = a + ((b - a) * PHI) / ONE
  while (b - a > stop && a < c && c < d && d < b) {
    if (better(at(c), at(d))) {
      b = d
      d = c
      c = b - ((b - a) * PHI) / ONE
    } else {
      a = c
      c = d
      d = a + ((b - a) * PHI) / ONE
    }
  }
  let best: { x: bigint; value: bigint } | undefined
  for (const x of [a, b, ...memo.keys()]) {
    const value = at(x)
    if (value !== undefined && (best === undefined || value > best.value)) best = { x, value }
  }
  return best
}
