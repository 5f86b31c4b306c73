import type { Hex, Log } from '@qenus/core'
import { describe, expect, it } from 'vitest'
import { matchesAny, mergeFilters, toRpcFilter } from './filters.js'

const A: Hex = '0x00000000000000000000000000000000000000aa'
const B: Hex = '0x00000000000000000000000000000000000000bb'
const T1: Hex = `0x${'11'.repeat(32)}`
const T2: Hex = `0x${'22'.repeat(32)}`
const log = (address: Hex, topics: Hex[]): Log => ({
  address,
  topics,
  data: '0x',
  blockNumber: 1n,
  blockHash: `0x${'00'.repeat(32)}`,
  transactionHash: `0x${'00'.repeat(32)}`,
  transactionIndex: 0,
  logIndex: 0,
})

describe('mergeFilters', () => {
  it('asks for nothing without filters', () => {
    expect(mergeFilters([])).toBeUndefined()
  })

  it('unions addresses and topic0 when every filter restricts them', () => {
    const merged = mergeFilters([
      { address: A.toUpperCase().replace('0X', '0x') as Hex, topics: [T1] },
      { address: [B, A], topics: [[T2, T1], null, T1] },
    ])
    expect(merged).toEqual({ address: [A, B], topic0: [T1, T2] })
    expect(toRpcFilter(merged!)).toEqual({ address: [A, B], topics: [[T1, T2]] })
  })

  it('drops a restriction as soon as one filter takes anything there', () => {
    expect(
      mergeFilters([
        { address: A, topics: [T1] },
        { address: [], topics: [null] },
      ]),
    ).toEqual({
      address: undefined,
      topic0: undefined,
    })
    expect(toRpcFilter({})).toEqual({})
  })
})

describe('matchesAny', () => {
  it('follows eth_getLogs semantics per filter', () => {
    const filters = [{ address: A }, { address: B, topics: [T1, null, [T1, T2]] }]
    expect(matchesAny(log(A, []), filters)).toBe(true)
    expect(matchesAny(log(B, [T1, T2, T2]), filters)).toBe(true)
    expect(matchesAny(log(B, [T1, T2]), filters)).toBe(false)
    expect(matchesAny(log(B, [T2, T2, T2]), filters)).toBe(false)
    expect(matchesAny(log(B, [T1.toUpperCase().replace('0X', '0x') as Hex, T1, T1]), filters)).toBe(true)
    expect(matchesAny(log(A, []), [])).toBe(false)
    expect(matchesAny(log(B, []), [{}])).toBe(true)
  })
})
