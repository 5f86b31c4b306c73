import { createRequire } from 'node:module'
import { Prng } from '@qenus/testkit'
import { describe, expect, it } from 'vitest'
import { depth, depthTargets, isqrt } from './depth.js'
import { mulDivRoundingUp } from './full-math.js'
import { applyMint, type PoolState } from './pool.js'
import { getAmount0Delta, getAmount1Delta } from './sqrt-price-math.js'
import { getSqrtRatioAtTick, getTickAtSqrtRatio, MAX_SQRT_RATIO, MIN_SQRT_RATIO } from './tick-math.js'

// The SDK's ESM build does not load under Node; its CJS build does.
const require = createRequire(import.meta.url)
const { Token, CurrencyAmount } = require('@uniswap/sdk-core') as typeof import('@uniswap/sdk-core')
const { Pool } = require('@uniswap/v3-sdk') as typeof import('@uniswap/v3-sdk')
const JSBI = require('jsbi') as { BigInt(value: string): never }
const j = (x: bigint) => JSBI.BigInt(x.toString())

const TOKEN0 = new Token(1, '0x1000000000000000000000000000000000000000', 18, 'T0')
const TOKEN1 = new Token(1, '0x2000000000000000000000000000000000000000', 18, 'T1')
const HUGE = (1n << 255n) - 1n

function logUniform(prng: Prng, minBits: number, maxBits: number): bigint {
  const bits = prng.int(minBits, maxBits)
  let r = 1n
  for (let i = 1; i < bits; i++) r = (r << 1n) | BigInt(prng.int(0, 1))
  return r
}

/** A pool whose positions sit within a few hundred ticks of the price, so 10–100 bps moves cross them. */
function depthPool(prng: Prng, fee: 500 | 3000): PoolState {
  const tickSpacing = fee === 500 ? 10 : 60
  const start = prng.int(-300_000, 300_000)
  const sqrtPriceX96 = getSqrtRatioAtTick(start) + logUniform(prng, 1, 60)
  const state: PoolState = {
    sqrtPriceX96,
    tick: getTickAtSqrtRatio(sqrtPriceX96),
    liquidity: 0n,
    fee,
    tickSpacing,
    ticks: new Map(),
  }
  for (let i = prng.int(1, 8); i > 0; i--) {
    const lower = (Math.floor(start / tickSpacing) + prng.int(-30, 10)) * tickSpacing
    applyMint(state, lower, lower + prng.int(1, 30) * tickSpacing, logUniform(prng, 50, 90))
  }
  return state
}

/**
 * The SDK's input to reach `target`, from an exact-OUTPUT swap of an unbounded amount with
 * `sqrtPriceLimitX96 = target` (`Pool.getInputAmount`), where `depth` runs an exact-INPUT swap.
 * Both stop at the limit with every step reaching its target price, and for such a step the
 * contract computes the same input either way (the delta to the target rounded up, plus
 * `mulDivRoundingUp(amountIn, fee, 1e6 − fee)`), so the two must agree to the wei while sharing no
 * code path: the SDK's getInputAmount, swap loop and rounding are its own.
 */
async function sdkInputTo(state: PoolState, zeroForOne: boolean, target: bigint): Promise<bigint> {
  const ticks = [...state.ticks.entries()]
    .sort(([a], [b]) => a - b)
    .map(([index, t]) => ({ index, liquidityNet: j(t.liquidityNet), liquidityGross: j(t.liquidityGross) }))
  const pool = new Pool(TOKEN0, TOKEN1, state.fee, j(state.sqrtPriceX96), j(state.liquidity), state.tick, ticks)
  const clamped = zeroForOne
    ? target > MIN_SQRT_RATIO
      ? target
      : MIN_SQRT_RATIO + 1n
    : target < MAX_SQRT_RATIO
      ? target
      : MAX_SQRT_RATIO - 1n
  const [amountIn] = await pool.getInputAmount(
    CurrencyAmount.fromRawAmount(zeroForOne ? TOKEN1 : TOKEN0, j(HUGE)),
    j(clamped),
  )
  return BigInt(amountIn.quotient.toString())
}

describe('isqrt / depthTargets', () => {
  const prng = new Prng('depth:targets')
  it('isqrt is the floor square root', () => {
    for (let i = 0; i < 2000; i++) {
      const n = logUniform(prng, 1, 330)
      const r = isqrt(n)
      expect(r * r <= n && n < (r + 1n) * (r + 1n)).toBe(true)
    }
    expect([isqrt(0n), isqrt(1n), isqrt(4n), isqrt(8n)]).toEqual([0n, 1n, 2n, 2n])
    expect(() => isqrt(-1n)).toThrow(/negative/)
  })

  it('targets are the exact sqrt prices rounded away from the current price', () => {
    for (let i = 0; i < 2000; i++) {
      const sqrtP = MIN_SQRT_RATIO + (logUniform(prng, 33, 160) % (MAX_SQRT_RATIO - MIN_SQRT_RATIO))
      const bps = prng.pick([1, 10, 50, 100, 2500, 9999])
      const { down, up } = depthTargets(sqrtP, bps)
      const [p, b] = [sqrtP * sqrtP, BigInt(bps)]
      // down² ≤ P·(1 − b/10⁴) < (down+1)², and (up−1)² < P·(1 + b/10⁴) ≤ up², in integers.
      expect(down * down * 10_000n <= p * (10_000n - b) && p * (10_000n - b) < (down + 1n) ** 2n * 10_000n).toBe(true)
      expect((up - 1n) ** 2n * 10_000n < p * (10_000n + b) && p * (10_000n + b) <= up * up * 10_000n).toBe(true)
    }
    expect(() => depthTargets(1n << 96n, 0)).toThrow(/bps 0 is not an integer in \[1, 9999\]/)
    expect(() => depthTargets(1n << 96n, 10_000)).toThrow(/bps 10000/)
  })
})

describe('depth vs the SDK', () => {
  for (const fee of [500, 3000] as const) {
    it(`equals the SDK's input to each target on 120 seeded pools, fee ${fee}, and grows with added liquidity`, async () => {
      const prng = new Prng(`depth:${fee}`)
      let exhausted = 0
      let crossing = 0
      for (let p = 0; p < 120; p++) {
        const state = depthPool(prng, fee)
        const bpsList = [10, 50, 100, prng.int(1, 500)]
        const levels = depth(state, bpsList)
        for (const level of levels) {
          const { down, up } = depthTargets(state.sqrtPriceX96, level.bps)
          expect({ p, bps: level.bps, amount0In: level.amount0In, amount1In: level.amount1In }).toEqual({
            p,
            bps: level.bps,
            amount0In: await sdkInputTo(state, true, down),
            amount1In: await sdkInputTo(state, false, up),
          })
          if (level.exhausted0 || level.exhausted1) exhausted++
          if ([...state.ticks.keys()].some((t) => t > getTickAtSqrtRatio(down) && t < getTickAtSqrtRatio(up)))
            crossing++
        }
        // Liquidity added around the price can only make every move cost more.
        const lower = (Math.floor(state.tick / state.tickSpacing) - prng.int(0, 20)) * state.tickSpacing
        applyMint(state, lower, lower + prng.int(21, 40) * state.tickSpacing, logUniform(prng, 50, 90))
        depth(state, bpsList).forEach((after, i) => {
          expect(after.amount0In).toBeGreaterThanOrEqual(levels[i]!.amount0In)
          expect(after.amount1In).toBeGreaterThanOrEqual(levels[i]!.amount1In)
        })
      }
      expect(exhausted).toBeGreaterThan(20)
      expect(crossing).toBeGreaterThan(100)
    })
  }
})

describe('depth exhaustion', () => {
  it('reports all a lone position holds, fee included, and flags both sides', () => {
    // One position inside one bitmap word, price inside it: each side is a single swap step.
    const state: PoolState = {
      sqrtPriceX96: getSqrtRatioAtTick(900) + 12345n,
      tick: 900,
      liquidity: 0n,
      fee: 3000,
      tickSpacing: 60,
      ticks: new Map(),
    }
    const L = 10n ** 20n
    applyMint(state, 600, 1200, L)
    const withFee = (amountIn: bigint) => amountIn + mulDivRoundingUp(amountIn, 3000n, 997_000n)
    const [level] = depth(state, [1000])
    expect(level).toEqual({
      bps: 1000,
      amount0In: withFee(getAmount0Delta(getSqrtRatioAtTick(600), state.sqrtPriceX96, L, true)),
      amount1In: withFee(getAmount1Delta(state.sqrtPriceX96, getSqrtRatioAtTick(1200), L, true)),
      exhausted0: true,
      exhausted1: true,
    })
    // 10 bps stays inside the position: nothing runs out.
    expect(depth(state, [10])[0]).toMatchObject({ exhausted0: false, exhausted1: false })
  })

  it('flags a target beyond the prices a pool can reach', () => {
    const state: PoolState = {
      sqrtPriceX96: MIN_SQRT_RATIO + 10n,
      tick: getTickAtSqrtRatio(MIN_SQRT_RATIO + 10n),
      liquidity: 0n,
      fee: 500,
      tickSpacing: 10,
      ticks: new Map(),
    }
    expect(depth(state, [100])[0]).toMatchObject({ amount0In: 0n, exhausted0: true })
  })
})
