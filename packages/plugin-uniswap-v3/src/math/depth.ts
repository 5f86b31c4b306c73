import { UniswapMathError } from './errors.js'
import { type PoolState, simulateSwap, sortedTicks } from './pool.js'
import { MAX_SQRT_RATIO, MIN_SQRT_RATIO } from './tick-math.js'

/** Basis points in 1. */
const BPS = 10_000n
/** An exact input no swap can use up, so a swap runs until its price limit. */
const UNBOUNDED_INPUT = (1n << 255n) - 1n

/** The price moves {@link depth} reports by default, in basis points. @defaultValue [10, 50, 100] */
export const DEFAULT_DEPTH_BPS: readonly number[] = [10, 50, 100]

/** Input needed to move a pool's price by `bps` each way; shaped like `@qenus/core`'s `DepthLevel`. */
export interface PoolDepthLevel {
  /** Price move in basis points. */
  bps: number
  /** token0 in, fee included, to move the price (token1 per token0) down by `bps`. */
  amount0In: bigint
  /** token1 in, fee included, to move the price up by `bps`. */
  amount1In: bigint
  /**
   * Liquidity ran out before the down target: `amount0In` is all the pool can take, and the price
   * would fall further for nothing.
   */
  exhausted0: boolean
  /** Liquidity ran out before the up target: `amount1In` is all the pool can take. */
  exhausted1: boolean
}

/** sqrt prices that a move of `bps` leads to. */
export interface DepthTargets {
  /** sqrt price of `price × (1 − bps/10⁴)`, rounded down. */
  down: bigint
  /** sqrt price of `price × (1 + bps/10⁴)`, rounded up. */
  up: bigint
}

/**
 * Integer square root, `floor(√n)`.
 *
 * @param n - A non-negative integer.
 * @returns The greatest `r` with `r² ≤ n`.
 */
export function isqrt(n: bigint): bigint {
  if (n < 0n) throw new UniswapMathError('isqrt', `${n} is negative`)
  if (n < 2n) return n
  // Newton's iteration from a power of two above the root only decreases until it reaches floor(√n).
  let x = 1n << BigInt((n.toString(2).length >> 1) + 1)
  for (;;) {
    const y = (x + n / x) >> 1n
    if (y >= x) return x
    x = y
  }
}

/**
 * The sqrt prices at which the price has moved `bps` down and up, in integer math.
 *
 * @remarks
 * Price is `sqrtPriceX96²`, so the targets are `isqrt(floor(sqrtP² × (10⁴ − bps) / 10⁴))` (down) and
 * `ceil(√ceil(sqrtP² × (10⁴ + bps) / 10⁴))` (up). Both equal the exact irrational target rounded
 * away from the current price, to the Q64.96 grid: the reported amounts move the price by at least
 * `bps`, never by less.
 *
 * @param sqrtPriceX96 - Current sqrt price, Q64.96.
 * @param bps - Move in basis points, an integer in [1, 9999].
 * @returns The two target sqrt prices (not yet clamped to the pool's price range).
 * @example
 * ```ts
 * depthTargets(2n ** 96n, 100) // down ≈ 2^96 × √0.99, up ≈ 2^96 × √1.01
 * ```
 */
export function depthTargets(sqrtPriceX96: bigint, bps: number): DepthTargets {
  if (!Number.isInteger(bps) || bps < 1 || bps >= 10_000) {
    throw new UniswapMathError('depth', `bps ${bps} is not an integer in [1, 9999]`)
  }
  const squared = sqrtPriceX96 * sqrtPriceX96
  const down = isqrt((squared * (BPS - BigInt(bps))) / BPS)
  const upSquared = ceilDiv(squared * (BPS + BigInt(bps)), BPS)
  const upFloor = isqrt(upSquared)
  return { down, up: upFloor * upFloor === upSquared ? upFloor : upFloor + 1n }
}

/**
 * Input needed to move the pool's price by each of `bpsList` basis points each way, by simulating
 * swaps to the target price across initialized ticks (see {@link simulateSwap}).
 *
 * @remarks
 * Each amount is what the pool takes, fee included, from an exact-input swap whose
 * `sqrtPriceLimitX96` is the target of {@link depthTargets}: the same number a quoter returns for a
 * swap to that limit. A side is `exhausted` when in-range liquidity is 0 at the target and no
 * initialized tick lies further in that direction, or when the target is beyond the prices a pool
 * can reach; the amount is then everything the pool can absorb on the way.
 *
 * @param state - Pool state with every initialized tick between the current price and the targets.
 * @param bpsList - Moves in basis points, integers in [1, 9999]. @defaultValue [10, 50, 100]
 * @returns One level per entry of `bpsList`, in its order.
 * @example
 * ```ts
 * for (const level of depth(state)) console.log(level.bps, level.amount0In, level.amount1In)
 * ```
 */
export function depth(state: PoolState, bpsList: readonly number[] = DEFAULT_DEPTH_BPS): PoolDepthLevel[] {
  const ticks = sortedTicks(state)
  return bpsList.map((bps) => {
    const targets = depthTargets(state.sqrtPriceX96, bps)
    const down = swapTo(state, ticks, true, targets.down)
    const up = swapTo(state, ticks, false, targets.up)
    return {
      bps,
      amount0In: down.amountIn,
      amount1In: up.amountIn,
      exhausted0: down.exhausted,
      exhausted1: up.exhausted,
    }
  })
}

function swapTo(state: PoolState, ticks: readonly number[], zeroForOne: boolean, target: bigint) {
  const clamped = zeroForOne ? maxBig(target, MIN_SQRT_RATIO + 1n) : minBig(target, MAX_SQRT_RATIO - 1n)
  const result = simulateSwap(state, zeroForOne, UNBOUNDED_INPUT, clamped, ticks)
  const moreLiquidityBeyond = zeroForOne
    ? (ticks[0] ?? Number.POSITIVE_INFINITY) <= result.tick
    : (ticks.at(-1) ?? Number.NEGATIVE_INFINITY) > result.tick
  const ranOut = result.liquidity === 0n && !moreLiquidityBeyond
  return { amountIn: zeroForOne ? result.amount0 : result.amount1, exhausted: ranOut || clamped !== target }
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b
}

const maxBig = (a: bigint, b: bigint) => (a > b ? a : b)
const minBig = (a: bigint, b: bigint) => (a < b ? a : b)
