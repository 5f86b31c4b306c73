import { createRequire } from 'node:module'
import { Prng } from '@qenus/testkit'
import { describe, expect, it } from 'vitest'
import {
  getSqrtRatioAtTick,
  getTickAtSqrtRatio,
  MAX_SQRT_RATIO,
  MAX_TICK,
  MIN_SQRT_RATIO,
  MIN_TICK,
} from './tick-math.js'

// The SDK's ESM build does not load under Node; its CJS build does.
const require = createRequire(import.meta.url)
const { TickMath } = require('@uniswap/v3-sdk') as typeof import('@uniswap/v3-sdk')
const JSBI = require('jsbi') as { BigInt(value: string): never }

const sdkRatio = (tick: number) => BigInt(TickMath.getSqrtRatioAtTick(tick).toString())
const sdkTick = (sqrtPriceX96: bigint) => TickMath.getTickAtSqrtRatio(JSBI.BigInt(sqrtPriceX96.toString()))

/** A uniformly random bigint in [low, high]. */
function randomBetween(prng: Prng, low: bigint, high: bigint): bigint {
  const span = high - low + 1n
  let r = 0n
  for (let i = 0; i < span.toString(2).length / 24 + 2; i++) r = (r << 24n) | BigInt(prng.int(0, 0xffffff))
  return low + (r % span)
}

describe('tickMath constants', () => {
  it('equal the SDK and each other', () => {
    expect([MIN_TICK, MAX_TICK]).toEqual([TickMath.MIN_TICK, TickMath.MAX_TICK])
    expect(MIN_SQRT_RATIO).toBe(BigInt(TickMath.MIN_SQRT_RATIO.toString()))
    expect(MAX_SQRT_RATIO).toBe(BigInt(TickMath.MAX_SQRT_RATIO.toString()))
    expect(getSqrtRatioAtTick(MIN_TICK)).toBe(MIN_SQRT_RATIO)
    expect(getSqrtRatioAtTick(MAX_TICK)).toBe(MAX_SQRT_RATIO)
    expect(getSqrtRatioAtTick(0)).toBe(1n << 96n)
  })
})

describe('getSqrtRatioAtTick', () => {
  const prng = new Prng('tick-math:ratio')
  const ticks = [MIN_TICK, MIN_TICK + 1, -1, 0, 1, MAX_TICK - 1, MAX_TICK]
  for (let bit = 0; bit < 20; bit++) ticks.push(1 << bit, -(1 << bit), (1 << bit) - 1, -((1 << bit) - 1))
  for (let i = 0; i < 5000; i++) ticks.push(prng.int(MIN_TICK, MAX_TICK))
  for (let i = 0; i < 1000; i++) ticks.push(prng.int(-1000, 1000))

  it(`equals the SDK for ${ticks.length} ticks (extremes, every power of two, seeded random)`, () => {
    const mismatches = ticks.filter((t) => getSqrtRatioAtTick(t) !== sdkRatio(t))
    expect(mismatches).toEqual([])
  })

  it('is strictly increasing across consecutive ticks', () => {
    for (let i = 0; i < 500; i++) {
      const t = prng.int(MIN_TICK, MAX_TICK - 1)
      expect(getSqrtRatioAtTick(t)).toBeLessThan(getSqrtRatioAtTick(t + 1))
    }
  })

  it('refuses ticks out of range or not integers, as the contract reverts with T', () => {
    for (const bad of [MIN_TICK - 1, MAX_TICK + 1, 0.5, Number.NaN]) {
      expect(() => getSqrtRatioAtTick(bad)).toThrow(/getSqrtRatioAtTick: tick .* revert 'T'/)
    }
  })
})

describe('getTickAtSqrtRatio', () => {
  const prng = new Prng('tick-math:tick')
  const prices = [MIN_SQRT_RATIO, MIN_SQRT_RATIO + 1n, MAX_SQRT_RATIO - 1n, 1n << 96n, (1n << 96n) - 1n]
  for (let i = 0; i < 1500; i++) {
    // Exact tick ratios and their neighbours are where an off-by-one would show.
    const r = getSqrtRatioAtTick(prng.int(MIN_TICK + 1, MAX_TICK - 1))
    prices.push(r, r - 1n, r + 1n)
  }
  for (let i = 0; i < 2000; i++) {
    // Log-uniform: a random bit length, then random bits.
    const bits = BigInt(prng.int(33, 160))
    const p = randomBetween(prng, 1n << (bits - 1n), (1n << bits) - 1n)
    if (p >= MIN_SQRT_RATIO && p < MAX_SQRT_RATIO) prices.push(p)
  }

  it(`equals the SDK for ${prices.length} sqrt prices`, () => {
    const mismatches = prices.filter((p) => getTickAtSqrtRatio(p) !== sdkTick(p))
    expect(mismatches).toEqual([])
  })

  it('returns the greatest tick whose ratio is at most the price, as TickMath.sol documents', () => {
    for (const p of prices.slice(0, 2000)) {
      const t = getTickAtSqrtRatio(p)
      expect(getSqrtRatioAtTick(t)).toBeLessThanOrEqual(p)
      if (t < MAX_TICK) expect(getSqrtRatioAtTick(t + 1)).toBeGreaterThan(p)
    }
  })

  it('refuses prices out of range, as the contract reverts with R', () => {
    for (const bad of [0n, MIN_SQRT_RATIO - 1n, MAX_SQRT_RATIO]) {
      expect(() => getTickAtSqrtRatio(bad)).toThrow(/revert 'R'/)
    }
  })
})
