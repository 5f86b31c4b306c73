import { describe, expect, it } from 'vitest'
import { Prng } from './prng.js'
import { fullRange, isqrt, MAX_TICK, MIN_TICK, priceFromSqrtPriceX96, sqrtPriceX96FromPrice } from './uniswap.js'

const Q96 = 2n ** 96n

describe('uniswap math', () => {
  it('computes integer square roots', () => {
    for (const n of [0n, 1n, 2n, 15n, 16n, 17n, 2n ** 160n + 12345n]) {
      const r = isqrt(n)
      expect(r * r <= n && (r + 1n) * (r + 1n) > n).toBe(true)
    }
  })

  it('prices a 1:1 pool at 1 and adjusts for decimals', () => {
    expect(priceFromSqrtPriceX96(Q96, 18, 18)).toBe('1')
    // One raw unit of each: 1e-6 of a 6-decimal token0 buys 1e-18 of an 18-decimal token1.
    expect(priceFromSqrtPriceX96(Q96, 6, 18)).toBe('0.000000000001')
    expect(priceFromSqrtPriceX96(Q96, 18, 6)).toBe('1000000000000')
  })

  it('round-trips a price through sqrtPriceX96 with at least 18 significant digits', () => {
    const sqrt = sqrtPriceX96FromPrice([2500n, 1n], 18, 6)
    const price = priceFromSqrtPriceX96(sqrt, 18, 6)
    expect(price.startsWith('2499.99999999999999')).toBe(true)
    expect(price.replace('.', '').length).toBeGreaterThanOrEqual(18)
  })

  it('keeps the full range inside the tick bounds on the spacing', () => {
    const [lo, hi] = fullRange(60)
    expect(lo % 60).toBe(-0)
    expect(lo).toBeGreaterThanOrEqual(MIN_TICK)
    expect(hi).toBeLessThanOrEqual(MAX_TICK)
  })
})

describe('Prng', () => {
  it('repeats for a seed and differs across seeds', () => {
    const seq = (seed: number | string) =>
      Array.from(
        { length: 5 },
        (
          (p) => () =>
            p.next()
        )(new Prng(seed)),
      )
    expect(seq(42)).toEqual(seq(42))
    expect(seq('a')).toEqual(seq('a'))
    expect(seq(42)).not.toEqual(seq(43))
    const p = new Prng(1)
    for (let i = 0; i < 1000; i++) {
      const n = p.int(3, 7)
      expect(n >= 3 && n <= 7).toBe(true)
    }
  })
})
