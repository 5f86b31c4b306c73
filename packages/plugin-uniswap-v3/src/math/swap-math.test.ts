import { createRequire } from 'node:module'
import { Prng } from '@qenus/testkit'
import { describe, expect, it } from 'vitest'
import { computeSwapStep } from './swap-math.js'
import { getSqrtRatioAtTick } from './tick-math.js'

// The SDK's ESM build does not load under Node; its CJS build does.
const require = createRequire(import.meta.url)
const { SwapMath } = require('@uniswap/v3-sdk') as typeof import('@uniswap/v3-sdk')
const JSBI = require('jsbi') as { BigInt(value: string): never }
const j = (x: bigint) => JSBI.BigInt(x.toString())

function logUniform(prng: Prng, minBits: number, maxBits: number): bigint {
  const bits = prng.int(minBits, maxBits)
  let r = 1n
  for (let i = 1; i < bits; i++) r = (r << 1n) | BigInt(prng.int(0, 1))
  return r
}

describe('computeSwapStep vs the SDK SwapMath', () => {
  const prng = new Prng('swap-math')
  const fees = [100, 500, 3000, 10000]
  const cases = Array.from({ length: 4000 }, () => {
    const tick = prng.int(-400_000, 400_000)
    const current = getSqrtRatioAtTick(tick) + BigInt(prng.int(0, 1_000_000))
    // Targets one tick to a few thousand ticks away, either side: partial and full steps.
    const target = getSqrtRatioAtTick(tick + prng.pick([-1, 1]) * prng.int(0, 3000))
    const magnitude = logUniform(prng, 1, 100)
    return {
      current,
      target,
      liquidity: prng.next() < 0.05 ? 0n : logUniform(prng, 1, 110),
      amountRemaining: prng.next() < 0.5 ? magnitude : -magnitude,
      fee: prng.pick(fees),
    }
  })

  it(`returns the same price, amounts and fee on ${cases.length} seeded steps (both directions, exact in and out)`, () => {
    const kinds = new Set<string>()
    for (const { current, target, liquidity, amountRemaining, fee } of cases) {
      const mine = computeSwapStep(current, target, liquidity, amountRemaining, fee)
      const sdk = SwapMath.computeSwapStep(j(current), j(target), j(liquidity), j(amountRemaining), fee)
      expect([mine.sqrtRatioNextX96, mine.amountIn, mine.amountOut, mine.feeAmount].map(String)).toEqual(
        sdk.map(String),
      )
      kinds.add(`${current >= target}:${amountRemaining >= 0n}:${mine.sqrtRatioNextX96 === target}`)
    }
    // Every combination of direction, exactness and reaching the target was exercised.
    expect(kinds.size).toBe(8)
  })

  it('never takes more than an exact input, never pays more than an exact output', () => {
    for (const { current, target, liquidity, amountRemaining, fee } of cases) {
      const step = computeSwapStep(current, target, liquidity, amountRemaining, fee)
      if (amountRemaining >= 0n) expect(step.amountIn + step.feeAmount).toBeLessThanOrEqual(amountRemaining)
      else expect(step.amountOut).toBeLessThanOrEqual(-amountRemaining)
    }
  })
})
