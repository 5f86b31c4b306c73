import { UniswapMathError } from './errors.js'
import { MAX_TICK, MIN_TICK } from './tick-math.js'

/** Where a compressed tick's bit sits in the pool's `tickBitmap`. */
export interface BitmapPosition {
  /** Key of the 256-bit word in `tickBitmap(int16)`. */
  wordPos: number
  /** Bit within the word, 0..255. */
  bitPos: number
}

/**
 * `tick / tickSpacing` rounded toward negative infinity, as the pool compresses ticks.
 *
 * @param tick - A tick.
 * @param tickSpacing - The pool's tick spacing, above 0.
 * @returns The compressed tick.
 */
export function compressTick(tick: number, tickSpacing: number): number {
  requireTickSpacing(tickSpacing)
  return Math.floor(tick / tickSpacing)
}

/**
 * Word and bit of a compressed tick, as `TickBitmap.position`.
 *
 * @param compressed - `tick / tickSpacing`, see {@link compressTick}.
 * @returns The word key and the bit index.
 * @example
 * ```ts
 * tickBitmapPosition(compressTick(-200_000, 60)) // { wordPos: -14, bitPos: 250 }
 * ```
 */
export function tickBitmapPosition(compressed: number): BitmapPosition {
  return { wordPos: compressed >> 8, bitPos: compressed & 0xff }
}

/**
 * The `tickBitmap` word keys that hold every initialized tick in [tickLower, tickUpper], so a
 * reader can fetch `tickBitmap(wordPos)` for each and then `ticks(tick)` for each set bit.
 *
 * @param tickLower - Lowest tick of interest (clamped to {@link MIN_TICK}).
 * @param tickUpper - Highest tick of interest (clamped to {@link MAX_TICK}).
 * @param tickSpacing - The pool's tick spacing.
 * @returns Word keys in ascending order.
 * @example
 * ```ts
 * // the current tick's word and one word either side
 * bitmapWordRange(tick - 256 * 60, tick + 256 * 60, 60)
 * ```
 */
export function bitmapWordRange(tickLower: number, tickUpper: number, tickSpacing: number): number[] {
  if (tickLower > tickUpper) {
    throw new UniswapMathError('bitmapWordRange', `tickLower ${tickLower} is above tickUpper ${tickUpper}`)
  }
  const first = tickBitmapPosition(compressTick(Math.max(tickLower, MIN_TICK), tickSpacing)).wordPos
  const last = tickBitmapPosition(compressTick(Math.min(tickUpper, MAX_TICK), tickSpacing)).wordPos
  return Array.from({ length: last - first + 1 }, (_, i) => first + i)
}

/**
 * The initialized ticks a `tickBitmap` word encodes.
 *
 * @param wordPos - The word's key.
 * @param word - The word, as returned by `tickBitmap(wordPos)` (uint256).
 * @param tickSpacing - The pool's tick spacing.
 * @returns Initialized ticks in ascending order (ticks, not compressed ticks).
 * @example
 * ```ts
 * decodeBitmapWord(-1, 1n << 255n, 10) // [-10]
 * ```
 */
export function decodeBitmapWord(wordPos: number, word: bigint, tickSpacing: number): number[] {
  requireTickSpacing(tickSpacing)
  if (word < 0n || word >> 256n !== 0n) throw new UniswapMathError('decodeBitmapWord', `word ${word} is not a uint256`)
  const ticks: number[] = []
  for (let bit = 0; word !== 0n; bit++, word >>= 1n) {
    if (word & 1n) ticks.push(((wordPos << 8) + bit) * tickSpacing)
  }
  return ticks
}

/** Result of {@link nextInitializedTickWithinOneWord}. */
export interface NextTick {
  /** The next initialized tick, or the edge of the current word when none is in it. */
  tick: number
  /** Whether `tick` is initialized (false at a word edge). */
  initialized: boolean
}

/**
 * The next tick a swap stops at, as `TickBitmap.nextInitializedTickWithinOneWord`: the nearest
 * initialized tick in the search direction that lies in the same bitmap word, else that word's edge.
 *
 * @remarks
 * Stopping at word edges changes nothing in liquidity, but each stop is a separate rounded swap
 * step, so a wei-exact simulation must stop there too.
 *
 * @param sortedTicks - All initialized ticks of the pool, ascending.
 * @param tick - The current tick.
 * @param tickSpacing - The pool's tick spacing.
 * @param lte - Search at or below `tick` (token0 in) rather than above it.
 * @returns The tick to step to and whether it is initialized.
 */
export function nextInitializedTickWithinOneWord(
  sortedTicks: readonly number[],
  tick: number,
  tickSpacing: number,
  lte: boolean,
): NextTick {
  const compressed = compressTick(tick, tickSpacing)
  if (lte) {
    const edge = (compressed - tickBitmapPosition(compressed).bitPos) * tickSpacing
    const found = sortedTicks[lastIndexAtOrBelow(sortedTicks, compressed * tickSpacing)]
    return found !== undefined && found >= edge
      ? { tick: found, initialized: true }
      : { tick: edge, initialized: false }
  }
  const start = compressed + 1
  const edge = (start + 255 - tickBitmapPosition(start).bitPos) * tickSpacing
  const found = sortedTicks[lastIndexAtOrBelow(sortedTicks, start * tickSpacing - 1) + 1]
  return found !== undefined && found <= edge ? { tick: found, initialized: true } : { tick: edge, initialized: false }
}

/** Index of the greatest element ≤ `value`, or −1. */
function lastIndexAtOrBelow(sorted: readonly number[], value: number): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (sorted[mid]! <= value) lo = mid + 1
    else hi = mid
  }
  return lo - 1
}

function requireTickSpacing(tickSpacing: number): void {
  if (!Number.isInteger(tickSpacing) || tickSpacing <= 0) {
    throw new UniswapMathError('tickBitmap', `tickSpacing ${tickSpacing} is not a positive integer`)
  }
}
