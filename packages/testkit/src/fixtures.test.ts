import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { loadEthereumEtlBlocks } from './fixtures.js'
import { parseJsonExact } from './json.js'

const SWAP_TOPIC = '0xc42079f94a6350d7e6235f29174924f928cc2ac818eb64fed8004e115fbcca67'

describe('loadEthereumEtlBlocks', () => {
  const { blocks, logs } = loadEthereumEtlBlocks()

  it('loads both mainnet blocks with exact integers', () => {
    expect(blocks.map((b) => b.number)).toEqual([17173049n, 17173050n])
    expect(blocks[1]!.parentHash).toBe(blocks[0]!.hash)
    // The total difficulty is past 2^53; compare against the digits of the file itself.
    const text = readFileSync(new URL('../fixtures/ethereum-etl/blocks.json', import.meta.url), 'utf8')
    const digits = /"total_difficulty": (\d+)/.exec(text)![1]!
    expect(blocks[0]!.totalDifficulty.toString()).toBe(digits)
    expect(blocks[0]!.totalDifficulty > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true)
    expect(blocks[0]!.baseFeePerGas).toBe(80869370967n)
  })

  it('loads every log in block then log order, with the known Uniswap V3 swaps', () => {
    expect(logs).toHaveLength(681)
    for (const block of blocks) {
      const mine = logs.filter((l) => l.blockNumber === block.number)
      expect(mine.every((l) => l.blockHash === block.hash)).toBe(true)
      expect(mine.map((l) => l.logIndex)).toEqual(mine.map((_, i) => i))
    }
    expect(logs.filter((l) => l.topics[0] === SWAP_TOPIC)).toHaveLength(10)
  })
})

describe('parseJsonExact', () => {
  it('keeps integers beyond 2^53 exact and leaves strings and fractions alone', () => {
    const parsed = parseJsonExact('{"a": 123456789012345678901234567890, "b": "7 \\"9\\" 12", "c": [-1, 2.5, 1e3]}')
    expect(parsed).toEqual({ a: 123456789012345678901234567890n, b: '7 "9" 12', c: [-1n, 2.5, 1000] })
  })

  it('names the input on bad JSON', () => {
    expect(() => parseJsonExact('{"a": }', 'file.json:3')).toThrow(/file\.json:3/)
  })
})
