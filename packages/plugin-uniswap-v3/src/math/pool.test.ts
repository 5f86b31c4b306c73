import { createRequire } from 'node:module'
import { Prng } from '@qenus/testkit'
import { describe, expect, it } from 'vitest'
import { applyBurn, applyMint, applySwap, type PoolState, type SwapResult, simulateSwap } from './pool.js'
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
const { Token, CurrencyAmount } = require('@uniswap/sdk-core') as typeof import('@uniswap/sdk-core')
const { Pool } = require('@uniswap/v3-sdk') as typeof import('@uniswap/v3-sdk')
const JSBI = require('jsbi') as { BigInt(value: string): never }
const j = (x: bigint) => JSBI.BigInt(x.toString())

const TOKEN0 = new Token(1, '0x1000000000000000000000000000000000000000', 18, 'T0')
const TOKEN1 = new Token(1, '0x2000000000000000000000000000000000000000', 6, 'T1')
const SPACING: Record<number, number> = { 500: 10, 3000: 60 }

interface Position {
  tickLower: number
  tickUpper: number
  amount: bigint
}

function logUniform(prng: Prng, minBits: number, maxBits: number): bigint {
  const bits = prng.int(minBits, maxBits)
  let r = 1n
  for (let i = 1; i < bits; i++) r = (r << 1n) | BigInt(prng.int(0, 1))
  return r
}

/** A random position around `center`: narrow, a few bitmap words wide, or full range. */
function randomPosition(prng: Prng, center: number, spacing: number): Position {
  const kind = prng.next()
  const usableMin = Math.ceil(MIN_TICK / spacing) * spacing
  const usableMax = Math.floor(MAX_TICK / spacing) * spacing
  const amount = logUniform(prng, 40, 90)
  if (kind < 0.1) return { tickLower: usableMin, tickUpper: usableMax, amount }
  const width = kind < 0.6 ? prng.int(1, 20) : prng.int(20, 900)
  const lower = Math.floor(center / spacing) * spacing + prng.int(-width, 5) * spacing
  return { tickLower: Math.max(lower, usableMin), tickUpper: Math.min(lower + width * spacing, usableMax), amount }
}

/** A pool with 2–10 random positions minted into it, its price sometimes exactly on an initialized tick. */
function randomPool(prng: Prng, fee: 500 | 3000): { state: PoolState; positions: Position[] } {
  const tickSpacing = SPACING[fee]!
  const start = prng.int(-300_000, 300_000)
  const positions = Array.from({ length: prng.int(2, 10) }, () => randomPosition(prng, start, tickSpacing))
  const onTick = prng.next() < 0.2 ? prng.pick(positions).tickLower : undefined
  const low = getSqrtRatioAtTick(onTick ?? start)
  const sqrtPriceX96 =
    onTick === undefined ? low + (logUniform(prng, 1, 200) % (getSqrtRatioAtTick(start + 1) - low)) : low
  const state: PoolState = {
    sqrtPriceX96,
    tick: getTickAtSqrtRatio(sqrtPriceX96),
    liquidity: 0n,
    fee,
    tickSpacing,
    ticks: new Map(),
  }
  for (const p of positions) applyMint(state, p.tickLower, p.tickUpper, p.amount)
  return { state, positions }
}

function sdkPool(state: PoolState) {
  const ticks = [...state.ticks.entries()]
    .sort(([a], [b]) => a - b)
    .map(([index, t]) => ({ index, liquidityNet: j(t.liquidityNet), liquidityGross: j(t.liquidityGross) }))
  return new Pool(TOKEN0, TOKEN1, state.fee, j(state.sqrtPriceX96), j(state.liquidity), state.tick, ticks)
}

/** The SDK's answer for the same swap (`getOutputAmount` / `getInputAmount`), as the calculated side and end state. */
async function sdkSwap(state: PoolState, zeroForOne: boolean, amountSpecified: bigint, limit?: bigint) {
  const pool = sdkPool(state)
  const sdkLimit = limit === undefined ? undefined : j(limit)
  let calculated: bigint
  let after: InstanceType<typeof Pool>
  if (amountSpecified > 0n) {
    const input = CurrencyAmount.fromRawAmount(zeroForOne ? TOKEN0 : TOKEN1, j(amountSpecified))
    const [out, next] = await pool.getOutputAmount(input, sdkLimit)
    ;[calculated, after] = [-BigInt(out.quotient.toString()), next]
  } else {
    const wanted = CurrencyAmount.fromRawAmount(zeroForOne ? TOKEN1 : TOKEN0, j(-amountSpecified))
    const [inAmount, next] = await pool.getInputAmount(wanted, sdkLimit)
    ;[calculated, after] = [BigInt(inAmount.quotient.toString()), next]
  }
  return {
    calculated,
    sqrtPriceX96: BigInt(after.sqrtRatioX96.toString()),
    tick: after.tickCurrent,
    liquidity: BigInt(after.liquidity.toString()),
  }
}

/** The pool's in-range liquidity and tick book computed from the positions alone. */
function fromPositions(positions: readonly Position[], tick: number) {
  const ticks = new Map<number, { liquidityNet: bigint; liquidityGross: bigint }>()
  const add = (t: number, net: bigint, gross: bigint) => {
    const cur = ticks.get(t) ?? { liquidityNet: 0n, liquidityGross: 0n }
    ticks.set(t, { liquidityNet: cur.liquidityNet + net, liquidityGross: cur.liquidityGross + gross })
  }
  let liquidity = 0n
  for (const p of positions) {
    add(p.tickLower, p.amount, p.amount)
    add(p.tickUpper, -p.amount, p.amount)
    if (p.tickLower <= tick && tick < p.tickUpper) liquidity += p.amount
  }
  for (const [t, info] of ticks) if (info.liquidityGross === 0n) ticks.delete(t)
  return { liquidity, ticks }
}

describe('simulateSwap vs the SDK Pool', () => {
  for (const fee of [500, 3000] as const) {
    it(`matches amounts, price, tick and liquidity on 150 seeded pools × 8 chained swaps, fee ${fee}`, async () => {
      const prng = new Prng(`pool:${fee}`)
      const seen = new Set<string>()
      let multiCross = 0
      for (let p = 0; p < 150; p++) {
        let { state } = randomPool(prng, fee)
        for (let s = 0; s < 8; s++) {
          const zeroForOne = prng.next() < 0.5
          const magnitude = logUniform(prng, 1, 100)
          const amountSpecified = prng.next() < 0.5 ? magnitude : -magnitude
          const limit = prng.next() < 0.3 ? randomLimit(prng, state, zeroForOne) : undefined
          const mine = simulateSwap(state, zeroForOne, amountSpecified, limit ?? defaultLimit(zeroForOne))
          const sdk = await sdkSwap(state, zeroForOne, amountSpecified, limit)
          const calculated = zeroForOne === amountSpecified > 0n ? mine.amount1 : mine.amount0
          const context = { p, s, zeroForOne, amountSpecified, limit }
          expect({ ...context, calculated, ...endState(mine) }).toEqual({ ...context, ...sdk })
          expectSpecifiedSide(mine, zeroForOne, amountSpecified, limit ?? defaultLimit(zeroForOne))
          seen.add(`${zeroForOne}:${amountSpecified > 0n}:${mine.sqrtPriceX96 === (limit ?? defaultLimit(zeroForOne))}`)
          const [from, to] = [Math.min(state.tick, mine.tick), Math.max(state.tick, mine.tick)]
          if ([...state.ticks.keys()].filter((t) => from < t && t <= to).length >= 2) multiCross++
          // A swap that drained one side leaves a pool at the price bound: go on with a fresh one.
          if (mine.sqrtPriceX96 === defaultLimit(zeroForOne)) state = randomPool(prng, fee).state
          else applySwap(state, mine)
        }
      }
      // Both directions, exact in and out, stopped by the amount and by the limit.
      expect(seen.size).toBe(8)
      expect(multiCross).toBeGreaterThan(200)
    })
  }
})

const defaultLimit = (zeroForOne: boolean) => (zeroForOne ? MIN_SQRT_RATIO + 1n : MAX_SQRT_RATIO - 1n)

function randomLimit(prng: Prng, state: PoolState, zeroForOne: boolean): bigint {
  const ticks = prng.int(1, 2000) * (zeroForOne ? -1 : 1)
  const target = getSqrtRatioAtTick(Math.min(Math.max(state.tick + ticks, MIN_TICK + 1), MAX_TICK - 1))
  const ok = zeroForOne ? target < state.sqrtPriceX96 : target > state.sqrtPriceX96
  return ok ? target : defaultLimit(zeroForOne)
}

function endState(r: SwapResult) {
  return { sqrtPriceX96: r.sqrtPriceX96, tick: r.tick, liquidity: r.liquidity }
}

/** The SDK does not report the specified side; the pool's rule: all of it, unless stopped at the limit. */
function expectSpecifiedSide(r: SwapResult, zeroForOne: boolean, amountSpecified: bigint, limit: bigint) {
  const specified = zeroForOne === amountSpecified > 0n ? r.amount0 : r.amount1
  if (r.sqrtPriceX96 !== limit) expect(specified).toBe(amountSpecified)
  else expect(amountSpecified > 0n ? specified <= amountSpecified : specified >= amountSpecified).toBe(true)
}

describe('applyMint / applyBurn', () => {
  it('keep the tick book and in-range liquidity equal to what the positions imply', () => {
    const prng = new Prng('pool:positions')
    for (let p = 0; p < 200; p++) {
      const { state, positions } = randomPool(prng, prng.pick([500, 3000] as const))
      expect({ liquidity: state.liquidity, ticks: state.ticks }).toEqual(fromPositions(positions, state.tick))
      for (const position of positions) {
        if (prng.next() < 0.5) continue
        const burned = prng.next() < 0.5 ? position.amount : logUniform(prng, 1, 40) % position.amount
        applyBurn(state, position.tickLower, position.tickUpper, burned)
        position.amount -= burned
      }
      expect({ liquidity: state.liquidity, ticks: state.ticks }).toEqual(
        fromPositions(
          positions.filter((x) => x.amount > 0n),
          state.tick,
        ),
      )
    }
  })

  it('refuse what the pool refuses, leaving the state unchanged', () => {
    const { state } = randomPool(new Prng('pool:refuse'), 3000)
    const before = structuredClone(state)
    expect(() => applyMint(state, 60, 0, 1n)).toThrow(/revert 'TLU'/)
    expect(() => applyMint(state, MIN_TICK - 60, 0, 1n)).toThrow(/revert 'TLM'/)
    expect(() => applyMint(state, 0, 887_280, 1n)).toThrow(/revert 'TUM'/)
    expect(() => applyMint(state, 0, 30, 1n)).toThrow(/tick 30 is not a multiple of tickSpacing 60/)
    expect(() => applyMint(state, 0, 60, 0n)).toThrow(/amount 0 is not above 0/)
    expect(() => applyMint(state, -60, 60, 1n << 127n)).toThrow(/revert 'LO'/)
    const [tick, info] = [...state.ticks.entries()][0]!
    const other = tick < 0 ? tick + 60 * 1000 : tick - 60 * 1000
    const [lower, upper] = tick < other ? [tick, other] : [other, tick]
    expect(() => applyBurn(state, lower, upper, info.liquidityGross + 1n)).toThrow(/revert 'LS'/)
    expect(state).toEqual(before)
  })
})

describe('simulateSwap refusals', () => {
  it("reverts as the pool does on a zero amount ('AS') and a limit on the wrong side ('SPL')", () => {
    const { state } = randomPool(new Prng('pool:spl'), 500)
    expect(() => simulateSwap(state, true, 0n, MIN_SQRT_RATIO + 1n)).toThrow(/revert 'AS'/)
    expect(() => simulateSwap(state, true, 1n, state.sqrtPriceX96)).toThrow(/revert 'SPL'/)
    expect(() => simulateSwap(state, true, 1n, MIN_SQRT_RATIO)).toThrow(/revert 'SPL'/)
    expect(() => simulateSwap(state, false, 1n, MAX_SQRT_RATIO)).toThrow(/revert 'SPL'/)
  })
})
