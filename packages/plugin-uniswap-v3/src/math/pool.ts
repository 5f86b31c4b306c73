import { UniswapMathError } from './errors.js'
import { MAX_UINT128 } from './full-math.js'
import { computeSwapStep } from './swap-math.js'
import { nextInitializedTickWithinOneWord } from './tick-bitmap.js'
import {
  getSqrtRatioAtTick,
  getTickAtSqrtRatio,
  MAX_SQRT_RATIO,
  MAX_TICK,
  MIN_SQRT_RATIO,
  MIN_TICK,
} from './tick-math.js'

/** Liquidity kept at one initialized tick, as the pool's `ticks(tick)` returns it. */
export interface TickInfo {
  /** Liquidity added (negated when crossed leftward) when the price crosses the tick upward. */
  liquidityNet: bigint
  /** Total liquidity of positions that use the tick as a bound; the tick is initialized iff it is above 0. */
  liquidityGross: bigint
}

/** The part of a Uniswap V3 pool's state that swaps depend on. */
export interface PoolState {
  /** Current sqrt price, Q64.96 (`slot0.sqrtPriceX96`). */
  sqrtPriceX96: bigint
  /** Current tick (`slot0.tick`). */
  tick: number
  /** In-range liquidity (`liquidity()`). */
  liquidity: bigint
  /** Fee in pips (`fee()`), e.g. 3000 for 0.3%. */
  fee: number
  /** Tick spacing (`tickSpacing()`). */
  tickSpacing: number
  /** Every initialized tick (liquidityGross > 0); ticks absent from the map are uninitialized. */
  ticks: Map<number, TickInfo>
}

/** Outcome of {@link simulateSwap}: the pool's return values and its state afterwards. */
export interface SwapResult {
  /** token0 delta of the pool: positive when paid in, negative when paid out. */
  amount0: bigint
  /** token1 delta of the pool. */
  amount1: bigint
  /** sqrt price after the swap. */
  sqrtPriceX96: bigint
  /** Tick after the swap. */
  tick: number
  /** In-range liquidity after the swap. */
  liquidity: bigint
}

/**
 * Most liquidity any tick may reference, as `Tick.tickSpacingToMaxLiquidityPerTick`.
 *
 * @param tickSpacing - The pool's tick spacing.
 * @returns uint128 max divided by the number of usable ticks.
 */
export function tickSpacingToMaxLiquidityPerTick(tickSpacing: number): bigint {
  const minTick = Math.trunc(MIN_TICK / tickSpacing) * tickSpacing
  const maxTick = Math.trunc(MAX_TICK / tickSpacing) * tickSpacing
  return MAX_UINT128 / BigInt((maxTick - minTick) / tickSpacing + 1)
}

/**
 * Adds liquidity as the pool's `mint` does: both ticks' gross and net liquidity, and the in-range
 * liquidity when `tickLower <= tick < tickUpper`. Mutates `state`.
 *
 * @param state - Pool state to update.
 * @param tickLower - Lower tick of the position, a multiple of the tick spacing.
 * @param tickUpper - Upper tick of the position.
 * @param amount - Liquidity added, above 0 (the Mint event's `amount`).
 * @throws {@link UniswapMathError} where the pool would revert (bad ticks, amount 0, per-tick cap).
 * @example
 * ```ts
 * applyMint(state, -600, 600, 10n ** 18n)
 * ```
 */
export function applyMint(state: PoolState, tickLower: number, tickUpper: number, amount: bigint): void {
  if (amount <= 0n) throw new UniswapMathError('applyMint', `amount ${amount} is not above 0`)
  modifyPosition(state, 'applyMint', tickLower, tickUpper, amount)
}

/**
 * Removes liquidity as the pool's `burn` does; a tick whose gross liquidity reaches 0 is cleared
 * from `state.ticks`. Mutates `state`. An amount of 0 (a fee poke) changes nothing.
 *
 * @param state - Pool state to update.
 * @param tickLower - Lower tick of the position.
 * @param tickUpper - Upper tick of the position.
 * @param amount - Liquidity removed, ≥ 0 (the Burn event's `amount`).
 * @throws {@link UniswapMathError} when more liquidity is removed than the ticks hold (`'LS'`).
 */
export function applyBurn(state: PoolState, tickLower: number, tickUpper: number, amount: bigint): void {
  if (amount < 0n) throw new UniswapMathError('applyBurn', `amount ${amount} is negative`)
  if (amount === 0n) return
  modifyPosition(state, 'applyBurn', tickLower, tickUpper, -amount)
}

function modifyPosition(state: PoolState, where: string, tickLower: number, tickUpper: number, delta: bigint): void {
  checkTicks(where, tickLower, tickUpper, state.tickSpacing)
  const lower = updateTick(state, where, tickLower, delta, false)
  const upper = updateTick(state, where, tickUpper, delta, true)
  const inRange = tickLower <= state.tick && state.tick < tickUpper
  const liquidity = inRange ? addDelta(where, state.liquidity, delta) : state.liquidity
  // All checks are done before anything is written, so a refused update leaves the state as it was.
  setTick(state.ticks, tickLower, lower)
  setTick(state.ticks, tickUpper, upper)
  state.liquidity = liquidity
}

function checkTicks(where: string, tickLower: number, tickUpper: number, tickSpacing: number): void {
  const bad = (what: string, reason?: string) => new UniswapMathError(where, what, reason)
  if (!Number.isInteger(tickLower) || !Number.isInteger(tickUpper))
    throw bad(`ticks ${tickLower}, ${tickUpper} are not integers`, 'TLU')
  if (tickLower >= tickUpper) throw bad(`tickLower ${tickLower} is not below tickUpper ${tickUpper}`, 'TLU')
  if (tickLower < MIN_TICK) throw bad(`tickLower ${tickLower} is below ${MIN_TICK}`, 'TLM')
  if (tickUpper > MAX_TICK) throw bad(`tickUpper ${tickUpper} is above ${MAX_TICK}`, 'TUM')
  for (const tick of [tickLower, tickUpper]) {
    if (tick % tickSpacing !== 0) throw bad(`tick ${tick} is not a multiple of tickSpacing ${tickSpacing}`)
  }
}

function updateTick(state: PoolState, where: string, tick: number, delta: bigint, upper: boolean): TickInfo {
  const info = state.ticks.get(tick) ?? { liquidityNet: 0n, liquidityGross: 0n }
  const liquidityGross = addDelta(where, info.liquidityGross, delta)
  if (liquidityGross > tickSpacingToMaxLiquidityPerTick(state.tickSpacing)) {
    throw new UniswapMathError(where, `liquidityGross ${liquidityGross} at tick ${tick} exceeds the per-tick cap`, 'LO')
  }
  // Crossing the lower tick upward adds the position's liquidity; crossing the upper tick removes it.
  return { liquidityGross, liquidityNet: upper ? info.liquidityNet - delta : info.liquidityNet + delta }
}

function setTick(ticks: Map<number, TickInfo>, tick: number, info: TickInfo): void {
  if (info.liquidityGross === 0n) ticks.delete(tick)
  else ticks.set(tick, info)
}

function addDelta(where: string, liquidity: bigint, delta: bigint): bigint {
  const result = liquidity + delta
  if (result < 0n) throw new UniswapMathError(where, `liquidity ${liquidity} cannot lose ${-delta}`, 'LS')
  if (result > MAX_UINT128) throw new UniswapMathError(where, `liquidity ${result} overflows uint128`, 'LA')
  return result
}

/**
 * Moves the state to a swap's end point: a {@link SwapResult}, or the `sqrtPriceX96`, `tick` and
 * `liquidity` of a `Swap` event, which carry the pool's state after the swap. Mutates `state`.
 *
 * @param state - Pool state to update.
 * @param after - Price, tick and in-range liquidity after the swap.
 */
export function applySwap(state: PoolState, after: Pick<SwapResult, 'sqrtPriceX96' | 'tick' | 'liquidity'>): void {
  state.sqrtPriceX96 = after.sqrtPriceX96
  state.tick = after.tick
  state.liquidity = after.liquidity
}

/**
 * The initialized ticks of a pool state, ascending: what swap simulation walks.
 *
 * @param state - Pool state.
 * @returns Sorted tick indexes.
 */
export function sortedTicks(state: PoolState): number[] {
  return [...state.ticks.keys()].sort((a, b) => a - b)
}

/**
 * Runs a swap on a copy of the state exactly as `UniswapV3Pool.swap` does: step by step to the next
 * initialized tick or bitmap word edge, fee included, crossing ticks, stopping at the amount or the
 * price limit. The protocol fee is ignored: it splits the fee but does not change what the trader
 * pays or receives. `state` is not changed.
 *
 * @param state - Pool state before the swap.
 * @param zeroForOne - token0 in (price down) or token1 in (price up).
 * @param amountSpecified - Exact input when > 0, exact output when < 0 (never 0).
 * @param sqrtPriceLimitX96 - The price the swap may not pass: below the current price and above
 * {@link MIN_SQRT_RATIO} when `zeroForOne`, else above it and below {@link MAX_SQRT_RATIO}.
 * @param ticks - `sortedTicks(state)`, when the caller already has it.
 * @returns The pool's amount0/amount1 and the state after the swap.
 * @throws {@link UniswapMathError} where the pool reverts (`'AS'`, `'SPL'`) or the math does.
 * @example
 * ```ts
 * const out = simulateSwap(state, true, 10n ** 18n, MIN_SQRT_RATIO + 1n)
 * // out.amount0 === 10n ** 18n, out.amount1 < 0n (paid to the trader)
 * ```
 */
export function simulateSwap(
  state: PoolState,
  zeroForOne: boolean,
  amountSpecified: bigint,
  sqrtPriceLimitX96: bigint,
  ticks: readonly number[] = sortedTicks(state),
): SwapResult {
  checkSwap(state, zeroForOne, amountSpecified, sqrtPriceLimitX96)
  const exactInput = amountSpecified > 0n
  let remaining = amountSpecified
  let calculated = 0n
  let { sqrtPriceX96, tick, liquidity } = state
  while (remaining !== 0n && sqrtPriceX96 !== sqrtPriceLimitX96) {
    const start = sqrtPriceX96
    const next = nextInitializedTickWithinOneWord(ticks, tick, state.tickSpacing, zeroForOne)
    const tickNext = Math.min(Math.max(next.tick, MIN_TICK), MAX_TICK)
    const sqrtPriceNext = getSqrtRatioAtTick(tickNext)
    const pastLimit = zeroForOne ? sqrtPriceNext < sqrtPriceLimitX96 : sqrtPriceNext > sqrtPriceLimitX96
    const step = computeSwapStep(
      sqrtPriceX96,
      pastLimit ? sqrtPriceLimitX96 : sqrtPriceNext,
      liquidity,
      remaining,
      state.fee,
    )
    sqrtPriceX96 = step.sqrtRatioNextX96
    if (exactInput) {
      remaining -= step.amountIn + step.feeAmount
      calculated -= step.amountOut
    } else {
      remaining += step.amountOut
      calculated += step.amountIn + step.feeAmount
    }
    if (sqrtPriceX96 === sqrtPriceNext) {
      if (next.initialized) liquidity = cross(state, tickNext, liquidity, zeroForOne)
      // Moving down, the pool sits just below the tick it crossed.
      tick = zeroForOne ? tickNext - 1 : tickNext
    } else if (sqrtPriceX96 !== start) {
      tick = getTickAtSqrtRatio(sqrtPriceX96)
    }
  }
  const specifiedUsed = amountSpecified - remaining
  const [amount0, amount1] = zeroForOne === exactInput ? [specifiedUsed, calculated] : [calculated, specifiedUsed]
  return { amount0, amount1, sqrtPriceX96, tick, liquidity }
}

function checkSwap(state: PoolState, zeroForOne: boolean, amountSpecified: bigint, limit: bigint): void {
  if (amountSpecified === 0n) throw new UniswapMathError('simulateSwap', 'amountSpecified is 0', 'AS')
  const ok = zeroForOne
    ? limit < state.sqrtPriceX96 && limit > MIN_SQRT_RATIO
    : limit > state.sqrtPriceX96 && limit < MAX_SQRT_RATIO
  if (!ok) {
    const side = zeroForOne ? `in (${MIN_SQRT_RATIO}, current)` : `in (current, ${MAX_SQRT_RATIO})`
    throw new UniswapMathError(
      'simulateSwap',
      `sqrtPriceLimitX96 ${limit} is not ${side} with current ${state.sqrtPriceX96}`,
      'SPL',
    )
  }
}

function cross(state: PoolState, tick: number, liquidity: bigint, zeroForOne: boolean): bigint {
  const info = state.ticks.get(tick)
  if (!info) throw new UniswapMathError('simulateSwap', `initialized tick ${tick} is missing from state.ticks`)
  return addDelta('simulateSwap', liquidity, zeroForOne ? -info.liquidityNet : info.liquidityNet)
}
