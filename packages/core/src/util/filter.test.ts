import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { type Hex, toEventSelector } from 'viem'
import { describe, expect, it } from 'vitest'
import { compileFilters, matchesFilter } from './filter.js'

// Two real mainnet blocks as ethereum-etl exported them, kept with the testkit's fixtures.
const DATA = fileURLToPath(new URL('../../../testkit/fixtures/ethereum-etl', import.meta.url))
const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line))

type EtlLog = { address: Hex; topics: Hex[]; transaction_hash: Hex; log_index: number }
const logs: EtlLog[] = lines(`${DATA}/logs.json`)
const transfers: { transaction_hash: Hex; log_index: number; token_address: Hex }[] = lines(
  `${DATA}/token_transfers.json`,
)
const events: { tx_hash: Hex; log_index: number; address: Hex; event: string; signature: string }[] = JSON.parse(
  readFileSync(`${DATA}/event_index.json`, 'utf8'),
).events

const key = (txHash: string, logIndex: number) => `${txHash}:${logIndex}`
const TRANSFER = toEventSelector('Transfer(address,address,uint256)')
const V3_SWAP = toEventSelector('Swap(address,address,int256,int256,uint160,uint128,int24)')

describe('log filter matcher on two real mainnet blocks (681 logs)', () => {
  it('selects exactly the token transfers ethereum-etl extracted', () => {
    const match = compileFilters([{ topics: [TRANSFER] }])
    const got = logs.filter(match).map((log) => key(log.transaction_hash, log.log_index))
    expect(new Set(got)).toEqual(new Set(transfers.map((t) => key(t.transaction_hash, t.log_index))))
  })

  it('narrows by address, case-insensitively, and by a later topic position', () => {
    const weth = '0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2' as Hex
    const match = compileFilters([{ address: [weth], topics: [TRANSFER] }])
    const expected = transfers.filter((t) => t.token_address === weth.toLowerCase())
    expect(expected.length).toBeGreaterThan(1)
    expect(logs.filter(match).map((log) => key(log.transaction_hash, log.log_index))).toEqual(
      expected.map((t) => key(t.transaction_hash, t.log_index)),
    )
    const sender = logs.find((log) => log.topics[0] === TRANSFER)!.topics[1]
    const bySender = compileFilters([{ topics: [TRANSFER, sender] }])
    expect(logs.filter(bySender).every((log) => log.topics[1] === sender)).toBe(true)
    expect(logs.filter(bySender).length).toBeGreaterThan(0)
  })

  it('ORs filters and matches the Uniswap V3 swaps the event index lists', () => {
    const v3 = events.filter((event) => event.event === 'UniV3.Swap')
    const pools = [...new Set(v3.map((event) => event.address))]
    const match = compileFilters([{ address: pools, topics: [V3_SWAP] }, { topics: [[TRANSFER], null, null] }])
    const got = new Set(logs.filter(match).map((log) => key(log.transaction_hash, log.log_index)))
    for (const event of v3) expect(got.has(key(event.tx_hash, event.log_index))).toBe(true)
    expect(got.size).toBe(v3.length + transfers.length)
  })

  it('needs the topic to exist at a constrained position; null, [] and {} are wildcards', () => {
    const log = { address: '0x00000000000000000000000000000000000000aa' as Hex, topics: [TRANSFER] }
    expect(matchesFilter(log, { topics: [TRANSFER, null] })).toBe(true)
    expect(matchesFilter(log, { topics: [TRANSFER, []] })).toBe(true)
    expect(matchesFilter(log, { topics: [TRANSFER, TRANSFER] })).toBe(false)
    expect(matchesFilter(log, {})).toBe(true)
    expect(matchesFilter(log, { address: [] })).toBe(true)
    expect(compileFilters([])(log)).toBe(false)
  })
})
