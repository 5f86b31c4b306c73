import { createRequire } from 'node:module'
import type { BlockHeader, ChainReader, Hex, Log } from '@qenus/core'
import { KNOWN_CHAINS } from '@qenus/core'
import { type Devnet, startDevnet } from '@qenus/testkit'
import { decodeEventLog, parseAbi } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readerAt as devnetReader, toLog } from '../../test/devnet.js'
import { capturingLogger } from '../../test/logger.js'
import { SWAP_TOPIC } from '../swap/decode.js'
import { UniswapV3Extractor } from './extractor.js'
import { uniswapV3Options } from './options.js'

const require = createRequire(import.meta.url)
const { Token } = require('@uniswap/sdk-core') as typeof import('@uniswap/sdk-core')
const { Pool, TickMath } = require('@uniswap/v3-sdk') as typeof import('@uniswap/v3-sdk')
const JSBI = require('jsbi') as { BigInt(value: string): never }

const swapAbi = parseAbi([
  'event Swap(address indexed sender, address indexed recipient, int256 amount0, int256 amount1, uint160 sqrtPriceX96, uint128 liquidity, int24 tick)',
])
const chain = KNOWN_CHAINS.devnet

/** The devnet reader of one block, counting its multicalls. */
function readerAt(devnet: Devnet, header: BlockHeader, counter: { multicalls: number }): ChainReader {
  const reader = devnetReader(devnet, header)
  return {
    ...reader,
    multicall(calls) {
      counter.multicalls++
      return reader.multicall(calls)
    },
  }
}

describe('UniswapV3Extractor on a devnet with real Uniswap V3 contracts', () => {
  let devnet: Devnet
  const blocks: { header: BlockHeader; logs: Log[]; receiptSwaps: Log[] }[] = []

  beforeAll(async () => {
    devnet = await startDevnet()
    const traffic = await devnet.traffic({ seed: 7, swaps: 60, mints: 2, burns: 2, txPerBlock: 6 })
    for (const { number } of traffic.blocks) {
      const block = await devnet.publicClient.getBlock({ blockNumber: number })
      const logs = await devnet.publicClient.getLogs({ blockHash: block.hash })
      const receipts = await Promise.all(
        block.transactions.map((hash) => devnet.publicClient.getTransactionReceipt({ hash })),
      )
      blocks.push({
        header: {
          number: block.number,
          hash: block.hash,
          parentHash: block.parentHash,
          timestamp: block.timestamp,
          gasUsed: block.gasUsed,
          gasLimit: block.gasLimit,
        },
        logs: logs.filter((l) => l.topics[0] === SWAP_TOPIC).map(toLog),
        receiptSwaps: receipts.flatMap((r) => r.logs.filter((l) => l.topics[0] === SWAP_TOPIC).map(toLog)),
      })
    }
  })

  afterAll(async () => {
    await devnet?.stop()
  })

  it('turns every Swap of the receipts into a feature matching the receipt, the pool and the SDK', async () => {
    const { logger, warnings } = capturingLogger()
    const options = uniswapV3Options.parse({ pools: devnet.pools.map((p) => p.address), emit: ['swap'] })
    const extractor = new UniswapV3Extractor(options, logger)
    const counter = { multicalls: 0 }
    let total = 0
    for (const { header, logs, receiptSwaps } of blocks) {
      const features = await extractor.onBlock({ chain, header, logs, reader: readerAt(devnet, header, counter) })
      expect(features.map((f) => f.logIndex)).toEqual(receiptSwaps.map((l) => l.logIndex))
      features.forEach((feature, i) => {
        if (feature.kind !== 'amm.swap') throw new Error('wrong kind')
        const receiptLog = receiptSwaps[i]
        const { args } = decodeEventLog({
          abi: swapAbi,
          topics: receiptLog.topics as [Hex, ...Hex[]],
          data: receiptLog.data,
        })
        const pool = devnet.pools.find((p) => p.address === receiptLog.address)!
        expect(feature).toMatchObject({
          blockHash: header.hash,
          txHash: receiptLog.transactionHash,
          address: pool.address,
        })
        expect(feature.data).toMatchObject({
          amount0: args.amount0,
          amount1: args.amount1,
          sqrtPriceX96: args.sqrtPriceX96,
          liquidity: args.liquidity,
          tick: args.tick,
          sender: args.sender.toLowerCase(),
          recipient: args.recipient.toLowerCase(),
          token0: pool.token0,
          token1: pool.token1,
          fee: pool.fee,
        })
        const sdk = new Pool(
          new Token(chain.chainId, pool.token0, pool.decimals0),
          new Token(chain.chainId, pool.token1, pool.decimals1),
          pool.fee,
          args.sqrtPriceX96.toString(),
          args.liquidity.toString(),
          TickMath.getTickAtSqrtRatio(JSBI.BigInt(args.sqrtPriceX96.toString())),
        ).token0Price
        expect(feature.data.price).toBe(
          sdk.toFixed(feature.data.price.split('.')[1]?.length ?? 0, { groupSeparator: '' }),
        )
      })
      total += features.length
    }
    expect(total).toBeGreaterThan(30)
    expect(warnings).toEqual([])
    // Pool metadata: one multicall for the pools, one for token decimals, never again.
    expect(counter.multicalls).toBe(2)
  })
})
