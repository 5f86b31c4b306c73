import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { formatRatio, type RatioRounding } from './format-ratio.js'
import { PRICE_SIGNIFICANT_DIGITS, priceFromSqrtPriceX96 } from './price.js'

// The SDK's ESM build does not load under Node; its CJS build does.
const require = createRequire(import.meta.url)
const { Token, Rounding } = require('@uniswap/sdk-core') as typeof import('@uniswap/sdk-core')
const { Pool, TickMath } = require('@uniswap/v3-sdk') as typeof import('@uniswap/v3-sdk')
const JSBI = require('jsbi') as { BigInt(value: string): never }

const MIN = BigInt(TickMath.MIN_SQRT_RATIO.toString())
const MAX = BigInt(TickMath.MAX_SQRT_RATIO.toString())
const DECIMAL_PAIRS = [
  [18, 6],
  [6, 18],
  [18, 18],
  [8, 18],
  [0, 18],
  [18, 0],
] as const

/** splitmix64: a small seeded generator, so failures reproduce. */
function* randomBigints(seed: bigint): Generator<bigint> {
  let state = seed
  const mask = (1n << 64n) - 1n
  for (;;) {
    state = (state + 0x9e3779b97f4a7c15n) & mask
    let z = state
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & mask
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & mask
    yield z ^ (z >> 31n)
  }
}

function sqrtPrices(count: number): bigint[] {
  const random = randomBigints(20230502n)
  const next = () => random.next().value as bigint
  const values = [MIN, MIN + 1n, MIN + 12345n, MAX - 1n, MAX - 98765n, 1n << 96n, (1n << 96n) - 1n, (1n << 96n) + 1n]
  while (values.length < count) {
    const bits = 33n + (next() % 128n) // 33..160 bits: the whole tick range
    const raw = (next() << 128n) | (next() << 64n) | next()
    const value = raw & ((1n << bits) - 1n)
    if (value >= MIN && value < MAX) values.push(value)
  }
  return values
}

function sdkPrice(sqrtPriceX96: bigint, decimals0: number, decimals1: number) {
  const token0 = new Token(1, '0x0000000000000000000000000000000000000001', decimals0)
  const token1 = new Token(1, '0x0000000000000000000000000000000000000002', decimals1)
  const tick = TickMath.getTickAtSqrtRatio(JSBI.BigInt(sqrtPriceX96.toString()))
  return new Pool(token0, token1, 3000, sqrtPriceX96.toString(), '1', tick).token0Price
}

function significantDigits(decimal: string): number {
  return decimal.replace('-', '').replace('.', '').replace(/^0+/, '').length
}

const ROUNDINGS: [RatioRounding, number][] = [
  ['half-up', 1], // Rounding.ROUND_HALF_UP
  ['down', 0], // Rounding.ROUND_DOWN
]

describe('priceFromSqrtPriceX96 agrees with @uniswap/v3-sdk Pool.token0Price', () => {
  const prices = sqrtPrices(400)

  it.each(DECIMAL_PAIRS)(
    'decimals %i/%i: same digits as the SDK Fraction at the same places and rounding',
    (d0, d1) => {
      expect(Rounding.ROUND_HALF_UP).toBe(1)
      expect(Rounding.ROUND_DOWN).toBe(0)
      for (const sqrtPriceX96 of prices) {
        const sdk = sdkPrice(sqrtPriceX96, d0, d1)
        for (const [rounding, sdkRounding] of ROUNDINGS) {
          const ours = priceFromSqrtPriceX96(sqrtPriceX96, d0, d1, PRICE_SIGNIFICANT_DIGITS, rounding)
          const places = ours.split('.')[1]?.length ?? 0
          expect(ours, `sqrtPriceX96=${sqrtPriceX96} ${rounding}`).toBe(
            sdk.toFixed(places, { groupSeparator: '' }, sdkRounding as never),
          )
          expect(significantDigits(ours)).toBeGreaterThanOrEqual(PRICE_SIGNIFICANT_DIGITS)
          if (ours.includes('.')) expect(significantDigits(ours)).toBe(PRICE_SIGNIFICANT_DIGITS)
        }
      }
    },
  )

  it('covers tiny and huge prices without exponent notation', () => {
    const tiny = priceFromSqrtPriceX96(MIN, 0, 18)
    const huge = priceFromSqrtPriceX96(MAX - 1n, 18, 0)
    expect(tiny).toMatch(/^0\.0{50,}[1-9]\d{17}$/)
    expect(huge).toMatch(/^[1-9]\d{50,}$/)
  })
})

describe('formatRatio', () => {
  it('rounds half-up (ties away from zero) or down at the last significant digit', () => {
    expect(formatRatio(2n, 3n, 5)).toBe('0.66667')
    expect(formatRatio(2n, 3n, 5, 'down')).toBe('0.66666')
    expect(formatRatio(125n, 100n, 2)).toBe('1.3')
    expect(formatRatio(-125n, 100n, 2)).toBe('-1.3')
    expect(formatRatio(-125n, 100n, 2, 'down')).toBe('-1.2')
  })

  it('keeps trailing zeros and prints the whole integer part', () => {
    expect(formatRatio(3n, 2n, 4)).toBe('1.500')
    expect(formatRatio(123456n, 1n, 3)).toBe('123456')
    expect(formatRatio(1234567n, 10n, 3)).toBe('123457')
    expect(formatRatio(0n, 7n, 3)).toBe('0')
  })

  it('drops a fraction digit when rounding carries into a new one', () => {
    expect(formatRatio(9999n, 10000n, 3)).toBe('1.00')
    expect(formatRatio(99999n, 10000n, 3)).toBe('10.0')
    expect(formatRatio(999n, 10n ** 30n, 2)).toBe(`0.${'0'.repeat(26)}10`)
  })

  it('rejects a zero denominator and bad digit counts', () => {
    expect(() => formatRatio(1n, 0n, 3)).toThrow(/denominator is zero/)
    expect(() => formatRatio(1n, 3n, 0)).toThrow(/positive integer/)
    expect(() => formatRatio(1n, 3n, 1.5)).toThrow(/positive integer/)
  })
})
