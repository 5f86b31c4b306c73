import { applyMint, getSqrtRatioAtTick, type PoolState, simulateSwap, sortedTicks } from '@qenus/plugin-uniswap-v3'
import { describe, expect, it } from 'vitest'
import type { KeptPool } from './book.js'
import { confidence } from './confidence.js'
import { type Hop, optimiseRoute } from './route.js'
import { maximize, swapExactIn } from './search.js'

function pool(address: `0x${string}`, tick: number, fee: number): KeptPool {
  const state: PoolState = {
    sqrtPriceX96: getSqrtRatioAtTick(tick),
    tick,
    liquidity: 0n,
    fee,
    tickSpacing: 10,
    ticks: new Map(),
  }
  applyMint(state, -887270, 887270, 10n ** 21n)
  applyMint(state, tick - 500 - (tick % 10), tick + 500 - (tick % 10), 5n * 10n ** 21n)
  return {
    chainId: 1,
    chain: 'ethereum',
    address,
    tokens: ['0x0000000000000000000000000000000000000001', '0x0000000000000000000000000000000000000002'],
    state,
    ticks: sortedTicks(state),
    block: 1n,
    timestamp: 0n,
    history: [],
  }
}

describe('maximize', () => {
  it('finds the argmax of a concave integer function to within hi / 10^7', () => {
    const peak = 123_456_789_012n
    const best = maximize((x) => -((x - peak) * (x - peak)), 1n, 10n ** 15n)
    expect(best!.x - peak).toBeLessThanOrEqual(10n ** 8n)
    expect(best!.x - peak).toBeGreaterThanOrEqual(-(10n ** 8n))
    expect(maximize((x) => -((x - 17n) * (x - 17n)), 1n, 1000n)).toEqual({ x: 17n, value: 0n })
  })
  it('returns undefined when the objective is undefined everywhere', () => {
    expect(maximize(() => undefined, 1n, 1000n)).toBeUndefined()
  })
})

describe('optimiseRoute', () => {
  const cheap = pool('0x00000000000000000000000000000000000000aa', -100, 500)
  const dear = pool('0x00000000000000000000000000000000000000bb', 100, 3000)
  const [t0, t1] = cheap.tokens
  // Quote is token1: buy token0 where it is cheap (token1 in), sell it where it is dear.
  const buy: Hop = { pool: cheap, zeroForOne: false, tokenIn: t1, tokenOut: t0 }
  const sell: Hop = { pool: dear, zeroForOne: true, tokenIn: t0, tokenOut: t1 }
  const profit = (x: bigint) => {
    const mid = swapExactIn(cheap, false, x)!.amountOut
    return swapExactIn(dear, true, mid)!.amountOut - x
  }

  it('sizes the trade at the exact optimum: no input on a wide grid does better', () => {
    const route = optimiseRoute(buy, sell, {})!
    expect(route.profit).toBe(profit(route.legs[0].amountIn))
    for (let i = 1; i <= 200; i++) {
      const x = (route.legs[0].amountIn * BigInt(i)) / 100n
      expect(profit(x)).toBeLessThanOrEqual(route.profit)
    }
  })

  it('matches simulateSwap leg by leg', () => {
    const route = optimiseRoute(buy, sell, {})!
    const [l1] = route.legs
    const sim = simulateSwap(cheap.state, false, l1.amountIn, 2n ** 159n)
    expect(-sim.amount0).toBe(l1.amountOut)
  })

  it('finds nothing when the prices are reversed', () => {
    expect(optimiseRoute({ ...buy, pool: dear }, { ...sell, pool: cheap }, {})).toBeUndefined()
  })

  it('borrows what the inventory lacks and charges the premium', () => {
    const free = optimiseRoute(buy, sell, {})!
    const inventory = free.legs[0].amountIn / 4n
    const route = optimiseRoute(buy, sell, {
      inventory,
      flash: { provider: 'p', premiumBps: 5, available: 10n ** 30n },
    })!
    expect(route.borrowed).toBe(route.legs[0].amountIn - inventory)
    expect(route.flashPremium).toBe((route.borrowed * 5n + 9_999n) / 10_000n)
    expect(route.profit).toBe(profit(route.legs[0].amountIn) - route.flashPremium)
    const capped = optimiseRoute(buy, sell, { inventory })!
    expect(capped.legs[0].amountIn).toBeLessThanOrEqual(inventory)
    expect(capped.borrowed).toBe(0n)
  })
})

describe('confidence', () => {
  it('is the product of age, depth and price-risk factors', () => {
    const base = { ageSeconds: 0, halfLifeSeconds: 30, movesBps: [20, 15], sigma: 0, horizonSeconds: 12, margin: 0.01 }
    expect(confidence(base)).toBe(0.8333)
    expect(confidence({ ...base, ageSeconds: 30 })).toBe(0.4167)
    expect(confidence({ ...base, sigma: 0.001 })).toBeCloseTo((1 / 1.2) * Math.exp((-0.001 * Math.sqrt(12)) / 0.01), 4)
    expect(confidence({ ...base, margin: 0 })).toBe(0)
  })
})
