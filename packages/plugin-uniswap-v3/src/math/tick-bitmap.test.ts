import { createRequire } from 'node:module'
import { Prng } from '@qenus/testkit'
import { describe, expect, it } from 'vitest'
import {
  bitmapWordRange,
  compressTick,
  decodeBitmapWord,
  nextInitializedTickWithinOneWord,
  tickBitmapPosition,
} from './tick-bitmap.js'
import { MAX_TICK, MIN_TICK } from './tick-math.js'

// The SDK's ESM build does not load under Node; its CJS build does.
const require = createRequire(import.meta.url)
const { TickList, Tick } = require('@uniswap/v3-sdk') as typeof import('@uniswap/v3-sdk')

function randomTicks(prng: Prng, spacing: number, count: number, spread: number): number[] {
  const set = new Set<number>()
  while (set.size < count) set.add(prng.int(-spread, spread) * spacing)
  return [...set].sort((a, b) => a - b)
}

describe('tickBitmapPosition / compressTick', () => {
  it('round toward negative infinity and split into word and bit as TickBitmap does', () => {
    expect(compressTick(-1, 10)).toBe(-1)
    expect(compressTick(-10, 10)).toBe(-1)
    expect(compressTick(-11, 10)).toBe(-2)
    expect(compressTick(19, 10)).toBe(1)
    expect(tickBitmapPosition(-1)).toEqual({ wordPos: -1, bitPos: 255 })
    expect(tickBitmapPosition(-256)).toEqual({ wordPos: -1, bitPos: 0 })
    expect(tickBitmapPosition(-257)).toEqual({ wordPos: -2, bitPos: 255 })
    expect(tickBitmapPosition(256)).toEqual({ wordPos: 1, bitPos: 0 })
    expect(() => compressTick(1, 0)).toThrow(/tickSpacing 0 is not a positive integer/)
  })
})

describe('decodeBitmapWord', () => {
  it('gives back every initialized tick of a bitmap built from them', () => {
    const prng = new Prng('tick-bitmap:decode')
    for (const spacing of [1, 10, 60, 200]) {
      const ticks = randomTicks(prng, spacing, 300, Math.floor(MAX_TICK / spacing))
      // Build the bitmap with plain division, independently of `tickBitmapPosition`.
      const words = new Map<number, bigint>()
      for (const t of ticks) {
        const c = t / spacing
        const word = Math.floor(c / 256)
        words.set(word, (words.get(word) ?? 0n) | (1n << BigInt(c - word * 256)))
      }
      const decoded = [...words.entries()].flatMap(([wordPos, word]) => decodeBitmapWord(wordPos, word, spacing))
      expect(decoded.sort((a, b) => a - b)).toEqual(ticks)
      const range = bitmapWordRange(MIN_TICK, MAX_TICK, spacing)
      for (const wordPos of words.keys()) expect(range).toContain(wordPos)
    }
  })

  it('refuses a word that is not a uint256', () => {
    expect(() => decodeBitmapWord(0, 1n << 256n, 10)).toThrow(/is not a uint256/)
    expect(() => decodeBitmapWord(0, -1n, 10)).toThrow(/is not a uint256/)
  })
})

describe('bitmapWordRange', () => {
  it('covers the words of both ends and everything between', () => {
    expect(bitmapWordRange(-2561, 2560, 10)).toEqual([-2, -1, 0, 1])
    expect(bitmapWordRange(0, 0, 60)).toEqual([0])
    expect(() => bitmapWordRange(1, 0, 60)).toThrow(/tickLower 1 is above tickUpper 0/)
  })
})

describe('nextInitializedTickWithinOneWord vs the SDK TickList', () => {
  it('agrees for seeded tick books and query ticks, both directions', () => {
    const prng = new Prng('tick-bitmap:next')
    let checked = 0
    for (let book = 0; book < 200; book++) {
      const spacing = prng.pick([1, 10, 60, 200])
      const ticks = randomTicks(prng, spacing, prng.int(1, 30), prng.int(30, 2000))
      const sdkTicks = ticks.map((index) => new Tick({ index, liquidityGross: 1, liquidityNet: 0 }))
      for (let q = 0; q < 50; q++) {
        const query = prng.next() < 0.3 ? prng.pick(ticks) + prng.int(-1, 1) : prng.int(-2100, 2100) * spacing
        for (const lte of [true, false]) {
          const mine = nextInitializedTickWithinOneWord(ticks, query, spacing, lte)
          const [tick, initialized] = TickList.nextInitializedTickWithinOneWord(sdkTicks, query, lte, spacing)
          expect({ query, lte, ...mine }).toEqual({ query, lte, tick, initialized })
          checked++
        }
      }
    }
    expect(checked).toBe(20_000)
  })
})
