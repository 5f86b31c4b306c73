import type { Hex, Log } from '@qenus/core'
import { loadEthereumEtlBlocks } from '@qenus/testkit'
import { decodeEventLog, keccak256, parseAbi, toBytes } from 'viem'
import { describe, expect, it } from 'vitest'
import { decodeSwapLog, SWAP_EVENT_SIGNATURE, SWAP_TOPIC, type SwapQuarantineCode } from './decode.js'

const swapAbi = parseAbi([
  'event Swap(address indexed sender, address indexed recipient, int256 amount0, int256 amount1, uint160 sqrtPriceX96, uint128 liquidity, int24 tick)',
])
const { logs, transfers } = loadEthereumEtlBlocks()
const swapLogs = logs.filter((log) => log.topics[0] === SWAP_TOPIC)

function decoded(log: Pick<Log, 'topics' | 'data'>) {
  const result = decodeSwapLog(log)
  if (!result.ok) throw new Error(`unexpected quarantine: ${result.reason}`)
  return result.value
}

describe('decodeSwapLog on real mainnet logs (blocks 17173049-17173050)', () => {
  it('uses the keccak of the event signature as topic0', () => {
    expect(SWAP_TOPIC).toBe(keccak256(toBytes(SWAP_EVENT_SIGNATURE)))
  })

  it('finds the 10 Uniswap V3 swaps of the data set', () => {
    expect(swapLogs).toHaveLength(10)
  })

  it.each(swapLogs.map((log) => [log.logIndex, log] as const))('log %i equals viem decodeEventLog', (_, log) => {
    const { args } = decodeEventLog({ abi: swapAbi, topics: log.topics as [Hex, ...Hex[]], data: log.data })
    expect(decoded(log)).toEqual({
      ...args,
      sender: args.sender.toLowerCase(),
      recipient: args.recipient.toLowerCase(),
    })
  })

  it.each(swapLogs.map((log) => [log.logIndex, log] as const))(
    'log %i moves the amounts ethereum-etl recorded as token transfers of the pool',
    (_, log) => {
      const swap = decoded(log)
      const pool = log.address
      const inTx = transfers.filter((t) => t.txHash === log.transactionHash && t.logIndex < log.logIndex)
      // The pool pays out before the callback pays in; take the last of each before this Swap.
      const paidOut = inTx.filter((t) => t.from === pool).at(-1)
      const paidIn = inTx.filter((t) => t.to === pool).at(-1)
      expect(paidOut).toBeDefined()
      expect(paidIn).toBeDefined()
      const [token0, token1] = [paidOut!.token, paidIn!.token].sort()
      const byToken = new Map([
        [paidOut!.token, -paidOut!.value],
        [paidIn!.token, paidIn!.value],
      ])
      expect(swap.amount0).toBe(byToken.get(token0))
      expect(swap.amount1).toBe(byToken.get(token1))
    },
  )

  it('sign-extends a negative int24 tick', () => {
    const negative = swapLogs.find((log) => log.data.endsWith('dd401'))!
    const tick = decoded(negative).tick
    expect(tick).toBeLessThan(0)
    expect(BigInt(tick)).toBe(BigInt.asIntN(256, BigInt(`0x${negative.data.slice(-64)}`)))
  })
})

describe('decodeSwapLog quarantines malformed logs with a reason', () => {
  const good = swapLogs[0]
  const word = (i: number) => 2 + i * 64

  const cases: [SwapQuarantineCode, Pick<Log, 'topics' | 'data'>][] = [
    ['WRONG_TOPIC_COUNT', { ...good, topics: good.topics.slice(0, 2) }],
    ['WRONG_TOPIC_COUNT', { ...good, topics: [...good.topics, good.topics[1]] }],
    [
      'WRONG_TOPIC',
      { ...good, topics: [keccak256(toBytes('Transfer(address,address,uint256)')), ...good.topics.slice(1)] },
    ],
    ['WRONG_DATA_LENGTH', { ...good, data: good.data.slice(0, -64) as Hex }],
    ['WRONG_DATA_LENGTH', { ...good, data: `${good.data}00` as Hex }],
    ['NOT_HEX', { ...good, data: `${good.data.slice(0, word(2) + 50)}zz${good.data.slice(word(2) + 52)}` as Hex }],
    ['NOT_HEX', { ...good, data: `${good.data.slice(0, -2)} 1` as Hex }],
    ['NOT_HEX', { ...good, topics: [good.topics[0], `0x${'1'.repeat(64)}` as Hex, good.topics[2]] }],
    // a uint160 with bit 160 set, and an int24 whose high bits are not its sign extension
    ['OUT_OF_RANGE', { ...good, data: `${good.data.slice(0, word(2) + 23)}1${good.data.slice(word(2) + 24)}` as Hex }],
    ['OUT_OF_RANGE', { ...good, data: `${good.data.slice(0, word(4))}${'0'.repeat(58)}800000` as Hex }],
  ]

  it.each(cases)('%s', (code, log) => {
    const result = decodeSwapLog(log)
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(result.code).toBe(code)
      expect(result.reason.length).toBeGreaterThan(10)
    }
  })
})
