import { createRequire } from 'node:module'
import { Prng } from '@qenus/testkit'
import { describe, expect, it } from 'vitest'
import { MAX_UINT128, MAX_UINT160, MAX_UINT256, mulDiv, mulDivRoundingUp } from './full-math.js'
import {
  getAmount0Delta,
  getAmount0DeltaSigned,
  getAmount1Delta,
  getAmount1DeltaSigned,
  getNextSqrtPriceFromInput,
  getNextSqrtPriceFromOutput,
} from './sqrt-price-math.js'
import { MAX_SQRT_RATIO, MIN_SQRT_RATIO } from './tick-math.js'

// The SDK's ESM build does not load under Node; its CJS build does.
const require = createRequire(import.meta.url)
const { SqrtPriceMath, FullMath } = require('@uniswap/v3-sdk') as typeof import('@uniswap/v3-sdk')
const JSBI = require('jsbi') as { BigInt(value: string): never }
const j = (x: bigint) => JSBI.BigInt(x.toString())

/** A random bigint with a random bit length in [minBits, maxBits]: small and huge values alike. */
function logUniform(prng: Prng, minBits: number, maxBits: number): bigint {
  const bits = prng.int(minBits, maxBits)
  let r = 1n
  for (let i = 1; i < bits; i++) r = (r << 1n) | BigInt(prng.int(0, 1))
  return r
}

/** The value, or 'throws': both sides must agree on refusing an input too. */
function outcome(f: () => { toString(): string }): string {
  try {
    return f().toString()
  } catch {
    return 'throws'
  }
}

/**
 * The SDK's next price as the contract would return it: the contract casts the result with
 * SafeCast.toUint160 and reverts above it, where the SDK returns the wider number.
 */
function sdkPrice(f: () => { toString(): string }): string {
  const value = outcome(f)
  return value !== 'throws' && BigInt(value) > MAX_UINT160 ? 'throws' : value
}

const prng = new Prng('sqrt-price-math')
const cases = Array.from({ length: 3000 }, () => {
  let sqrtP = logUniform(prng, 33, 160)
  sqrtP = sqrtP < MIN_SQRT_RATIO ? MIN_SQRT_RATIO : sqrtP >= MAX_SQRT_RATIO ? MAX_SQRT_RATIO - 1n : sqrtP
  const other = logUniform(prng, 33, 160)
  return {
    sqrtP,
    other: other < MIN_SQRT_RATIO ? MIN_SQRT_RATIO : other >= MAX_SQRT_RATIO ? MAX_SQRT_RATIO - 1n : other,
    liquidity: logUniform(prng, 1, 128),
    amount: logUniform(prng, 1, prng.next() < 0.9 ? 128 : 256),
    zeroForOne: prng.next() < 0.5,
  }
})

describe('fullMath', () => {
  it('mulDivRoundingUp equals the SDK and mulDiv is its floor', () => {
    for (const { sqrtP, liquidity, amount } of cases) {
      if ((amount * sqrtP) / liquidity > MAX_UINT256) {
        expect(() => mulDivRoundingUp(amount, sqrtP, liquidity)).toThrow(/overflows uint256/)
        continue
      }
      const up = mulDivRoundingUp(amount, sqrtP, liquidity)
      expect(up).toBe(BigInt(FullMath.mulDivRoundingUp(j(amount), j(sqrtP), j(liquidity)).toString()))
      const down = mulDiv(amount, sqrtP, liquidity)
      expect(down * liquidity <= amount * sqrtP && amount * sqrtP < (down + 1n) * liquidity).toBe(true)
      expect(up - down).toBe((amount * sqrtP) % liquidity === 0n ? 0n : 1n)
    }
  })

  it('refuses a zero denominator and a result beyond uint256, where FullMath reverts', () => {
    expect(() => mulDiv(1n, 1n, 0n)).toThrow(/denominator is 0/)
    expect(() => mulDiv(MAX_UINT256, 2n, 1n)).toThrow(/overflows uint256/)
    expect(() => mulDivRoundingUp(MAX_UINT256, MAX_UINT256, MAX_UINT256 - 1n)).toThrow(/overflows uint256/)
  })
})

describe('sqrtPriceMath vs the SDK', () => {
  it(`getAmount0Delta / getAmount1Delta agree in both roundings on ${cases.length} seeded cases`, () => {
    for (const { sqrtP, other, liquidity } of cases) {
      for (const roundUp of [true, false]) {
        expect(getAmount0Delta(sqrtP, other, liquidity, roundUp).toString()).toBe(
          SqrtPriceMath.getAmount0Delta(j(sqrtP), j(other), j(liquidity), roundUp).toString(),
        )
        expect(getAmount1Delta(sqrtP, other, liquidity, roundUp).toString()).toBe(
          SqrtPriceMath.getAmount1Delta(j(sqrtP), j(other), j(liquidity), roundUp).toString(),
        )
      }
    }
  })

  it('getNextSqrtPriceFromInput / FromOutput agree, refusals included', () => {
    let refused = 0
    for (const { sqrtP, liquidity, amount, zeroForOne } of cases) {
      const mine = outcome(() => getNextSqrtPriceFromInput(sqrtP, liquidity, amount, zeroForOne))
      expect(mine).toBe(
        sdkPrice(() => SqrtPriceMath.getNextSqrtPriceFromInput(j(sqrtP), j(liquidity), j(amount), zeroForOne)),
      )
      const out = outcome(() => getNextSqrtPriceFromOutput(sqrtP, liquidity, amount, zeroForOne))
      expect(out).toBe(
        sdkPrice(() => SqrtPriceMath.getNextSqrtPriceFromOutput(j(sqrtP), j(liquidity), j(amount), zeroForOne)),
      )
      if (out === 'throws') refused++
    }
    // The seeded cases must exercise the refusals (output larger than the liquidity holds) too.
    expect(refused).toBeGreaterThan(100)
  })
})

describe('sqrtPriceMath rounding', () => {
  it('never charges an input for more price move than it buys', () => {
    for (const { sqrtP, liquidity, amount, zeroForOne } of cases.slice(0, 500)) {
      const next = outcome(() => getNextSqrtPriceFromInput(sqrtP, liquidity, amount, zeroForOne))
      if (next === 'throws') continue
      // Paying for the move to `next` never costs more than the amount that produced it.
      const to = BigInt(next)
      const cost = zeroForOne
        ? getAmount0Delta(to, sqrtP, liquidity, true)
        : getAmount1Delta(sqrtP, to, liquidity, true)
      expect(cost).toBeLessThanOrEqual(amount)
    }
  })

  it('signed deltas round up when adding liquidity and down when removing it', () => {
    for (const { sqrtP, other, liquidity } of cases.slice(0, 500)) {
      const l = liquidity > MAX_UINT128 >> 1n ? liquidity >> 1n : liquidity
      expect(getAmount0DeltaSigned(sqrtP, other, l)).toBe(getAmount0Delta(sqrtP, other, l, true))
      expect(getAmount0DeltaSigned(sqrtP, other, -l)).toBe(-getAmount0Delta(sqrtP, other, l, false))
      expect(getAmount1DeltaSigned(sqrtP, other, l)).toBe(getAmount1Delta(sqrtP, other, l, true))
      expect(getAmount1DeltaSigned(sqrtP, other, -l)).toBe(-getAmount1Delta(sqrtP, other, l, false))
    }
  })
})
