import { createRequire } from 'node:module'
import { type AmmPoolData, compileFilters, type Feature, type Hex } from '@qenus/core'
import { type Devnet, type DevnetPool, startDevnet } from '@qenus/testkit'
import { decodeEventLog } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type ChainPoolState,
  chain,
  type DevnetBlock,
  fetchBlocks,
  poolAbi,
  quoterInputTo,
  readChainPool,
  readerAt,
  runBlocks,
  sdkInputTo,
  sdkPool,
} from '../../test/devnet.js'
import { capturingLogger } from '../../test/logger.js'
import { depthTargets } from '../math/depth.js'
import { computePoolAddress } from '../pools/factory.js'
import { UniswapV3Extractor } from './extractor.js'
import { type UniswapV3OptionsInput, uniswapV3Options } from './options.js'

const require = createRequire(import.meta.url)
const sdk = require('@uniswap/v3-sdk') as typeof import('@uniswap/v3-sdk')
const { Token } = require('@uniswap/sdk-core') as typeof import('@uniswap/sdk-core')

let devnet: Devnet
let trafficBlocks: DevnetBlock[]
let liquidityBlocks: DevnetBlock[]

/** A log as `eth_getBlockReceipts` returns it: quantities stay hex. */
type ReceiptLog = { address: Hex; topics: Hex[]; data: Hex; logIndex: Hex; transactionHash: Hex }
let features: Feature[]
const chainStates = new Map<string, ChainPoolState>()
const { logger, warnings } = capturingLogger()

function extractor(options: UniswapV3OptionsInput) {
  return new UniswapV3Extractor(uniswapV3Options.parse(options), logger)
}
const factoryOptions = () => ({ pools: 'factory' as const, factory: devnet.contracts.factory })
const poolOf = (address: Hex) => devnet.pools.find((p) => p.address === address)!
const poolFeatures = (all: Feature[]) => all.filter((f) => f.kind === 'amm.pool')

async function chainState(pool: DevnetPool, block: bigint) {
  const key = `${pool.address}:${block}`
  if (!chainStates.has(key)) chainStates.set(key, await readChainPool(devnet, pool, block))
  return chainStates.get(key)!
}

async function init(x: UniswapV3Extractor, parent: DevnetBlock['header']) {
  await x.init(chain, readerAt(devnet, { number: parent.number, hash: parent.hash }))
}

beforeAll(async () => {
  devnet = await startDevnet()
  const start = await devnet.publicClient.getBlockNumber()
  const traffic = await devnet.traffic({ seed: 'pools-e2e', swaps: 1000, mints: 40, burns: 20, txPerBlock: 25 })
  expect(traffic.swaps).toBe(1000)
  // Liquidity alone, a few positions per block: price stays, depth moves.
  const liquidity = await devnet.traffic({ seed: 'pools-e2e-liquidity', swaps: 0, mints: 12, burns: 8, txPerBlock: 2 })
  const head = await devnet.publicClient.getBlockNumber()
  const blocks = await fetchBlocks(devnet, start, head)
  const parent = blocks.shift()!
  trafficBlocks = blocks.filter((b) => b.header.number <= traffic.blocks.at(-1)!.number)
  liquidityBlocks = blocks.filter((b) => b.header.number >= liquidity.blocks[0]!.number)
  const x = extractor(factoryOptions())
  await init(x, parent.header)
  features = await runBlocks(devnet, x, blocks)
  expect(x.quarantined.size).toBe(0)
})

afterAll(async () => {
  await devnet?.stop()
})

describe('amm.swap and amm.liquidity on 1,000 real swaps across both fee tiers', () => {
  it('emits one feature per Swap, Mint, Burn and Collect of the receipts, equal to the receipt', async () => {
    const receiptLogs: {
      header: DevnetBlock['header']
      log: ReceiptLog
      eventName: string
      args: Record<string, bigint | number | Hex>
    }[] = []
    for (const { header } of trafficBlocks) {
      const receipts = (await devnet.publicClient.request({
        method: 'eth_getBlockReceipts' as never,
        params: [`0x${header.number.toString(16)}`] as never,
      })) as { logs: ReceiptLog[] }[]
      for (const log of receipts.flatMap((r) => r.logs)) {
        if (!devnet.pools.some((p) => p.address === log.address.toLowerCase())) continue
        const { eventName, args } = decodeEventLog({ abi: poolAbi, topics: log.topics as [Hex], data: log.data })
        if (eventName !== undefined && ['Swap', 'Mint', 'Burn', 'Collect'].includes(eventName)) {
          receiptLogs.push({ header, log, eventName, args: args as unknown as Record<string, bigint | number | Hex> })
        }
      }
    }
    const blockNumbers = new Set(trafficBlocks.map((b) => b.header.number))
    const logFeatures = features.filter((f) => f.kind !== 'amm.pool' && blockNumbers.has(f.blockNumber))
    expect(receiptLogs.filter((r) => r.eventName === 'Swap')).toHaveLength(1000)
    expect(new Set(receiptLogs.filter((r) => r.eventName === 'Swap').map((r) => r.log.address)).size).toBe(2)
    expect(logFeatures).toHaveLength(receiptLogs.length)
    logFeatures.forEach((feature, i) => {
      const { header, log, eventName, args } = receiptLogs[i]!
      const pool = poolOf(log.address.toLowerCase() as Hex)
      expect(feature).toMatchObject({
        blockHash: header.hash,
        logIndex: Number(log.logIndex),
        txHash: log.transactionHash,
        address: pool.address,
      })
      if (eventName === 'Swap') {
        expect(feature.kind).toBe('amm.swap')
        expect(feature.data).toMatchObject({
          amount0: args.amount0,
          amount1: args.amount1,
          sqrtPriceX96: args.sqrtPriceX96,
          liquidity: args.liquidity,
          tick: args.tick,
          fee: pool.fee,
        })
      } else {
        expect(feature).toMatchObject({
          kind: 'amm.liquidity',
          data: {
            pool: pool.address,
            action: eventName.toLowerCase(),
            owner: (args.owner as Hex).toLowerCase(),
            tickLower: args.tickLower,
            tickUpper: args.tickUpper,
            liquidity: eventName === 'Collect' ? 0n : args.amount,
            amount0: args.amount0,
            amount1: args.amount1,
          },
        })
      }
    })
  })
})

describe('amm.pool: end-of-block state, price and depth', () => {
  it('emits one per touched pool per block, after the log features, with unique ids', () => {
    const byBlock = new Map<Hex, Feature[]>()
    for (const f of features) byBlock.set(f.blockHash, [...(byBlock.get(f.blockHash) ?? []), f])
    for (const [, block] of byBlock) {
      const touched = new Set(block.filter((f) => f.kind !== 'amm.pool').map((f) => f.address))
      const pools = block.filter((f) => f.kind === 'amm.pool')
      expect(pools.map((f) => f.address).sort()).toEqual([...touched].sort())
      expect(block.slice(block.length - pools.length)).toEqual(pools)
    }
    expect(new Set(features.map((f) => f.id)).size).toBe(features.length)
  })

  it('equals the pool read on chain at that block, with the SDK price and SDK depth', async () => {
    const all = poolFeatures(features)
    expect(all.length).toBeGreaterThan(60)
    for (const feature of all) {
      const pool = poolOf(feature.address)
      const onChain = await chainState(pool, feature.blockNumber)
      const data = feature.data as AmmPoolData
      expect(data).toMatchObject({
        pool: pool.address,
        tokens: [pool.token0, pool.token1],
        reserves: onChain.reserves,
        fee: pool.fee,
        sqrtPriceX96: onChain.sqrtPriceX96,
        tick: onChain.tick,
        liquidity: onChain.liquidity,
      })
      const reference = sdkPool(devnet, pool, onChain)
      const places = (s: string) => s.split('.')[1]?.length ?? 0
      expect(data.price).toBe(reference.token0Price.toFixed(places(data.price), { groupSeparator: '' }))
      expect(data.priceInverse).toBe(reference.token1Price.toFixed(places(data.priceInverse!), { groupSeparator: '' }))
      expect(data.depth.map((l) => l.bps)).toEqual([10, 50, 100])
      for (const level of data.depth) {
        const { down, up } = depthTargets(onChain.sqrtPriceX96, level.bps)
        expect([level.amount0In, level.amount1In]).toEqual([
          await sdkInputTo(reference, true, down),
          await sdkInputTo(reference, false, up),
        ])
      }
    }
  })

  it('depth equals QuoterV2 at the target price, on a sample of blocks', async () => {
    const sample = poolFeatures(features).filter((_, i) => i % 12 === 0)
    expect(sample.length).toBeGreaterThan(5)
    for (const feature of sample) {
      const pool = poolOf(feature.address)
      const data = feature.data as AmmPoolData
      for (const level of data.depth) {
        const { down, up } = depthTargets(data.sqrtPriceX96!, level.bps)
        expect([level.amount0In, level.amount1In]).toEqual([
          await quoterInputTo(devnet, pool, true, down, feature.blockNumber),
          await quoterInputTo(devnet, pool, false, up, feature.blockNumber),
        ])
      }
    }
  })

  it('changes depth, not price, when liquidity alone is added or removed across tick ranges', () => {
    const hashes = new Set(liquidityBlocks.map((b) => b.header.hash))
    const moved = poolFeatures(features)
      .filter((f) => hashes.has(f.blockHash))
      .filter((f) => {
        const earlier = poolFeatures(features).filter((e) => e.address === f.address && e.blockNumber < f.blockNumber)
        const previous = earlier.at(-1)!.data as AmmPoolData
        const data = f.data as AmmPoolData
        expect(data.sqrtPriceX96).toBe(previous.sqrtPriceX96)
        return (
          JSON.stringify(data.depth, (_, v) => (typeof v === 'bigint' ? String(v) : v)) !==
          JSON.stringify(previous.depth, (_, v) => (typeof v === 'bigint' ? String(v) : v))
        )
      })
    // Each of these was checked against the SDK on the chain state above.
    expect(moved.length).toBeGreaterThan(3)
  })
})

describe('pool selection', () => {
  it('gives the same features for the factory, the explicit list and the token pair', async () => {
    const [first] = trafficBlocks
    const parent = { number: first!.header.number - 1n, hash: first!.header.parentHash }
    const pair = [devnet.pools[0]!.token0, devnet.pools[0]!.token1] as [Hex, Hex]
    for (const options of [
      { pools: devnet.pools.map((p) => p.address) as [Hex, ...Hex[]] },
      { pools: { pairs: [pair] as [[Hex, Hex]] }, factory: devnet.contracts.factory },
    ]) {
      const x = extractor(options)
      await x.init(chain, readerAt(devnet, parent))
      expect(await runBlocks(devnet, x, trafficBlocks.slice(0, 8))).toEqual(
        features.filter((f) => f.blockNumber <= trafficBlocks[7]!.header.number),
      )
    }
  })

  it('derives the devnet pool addresses from the factory as the SDK does', () => {
    for (const pool of devnet.pools) {
      const ours = computePoolAddress(devnet.contracts.factory, pool.token1, pool.token0, pool.fee)
      const theirs = sdk.computePoolAddress({
        factoryAddress: devnet.contracts.factory,
        tokenA: new Token(devnet.chainId, pool.token0, pool.decimals0),
        tokenB: new Token(devnet.chainId, pool.token1, pool.decimals1),
        fee: pool.fee,
      })
      expect([ours, theirs.toLowerCase()]).toEqual([pool.address, pool.address])
    }
  })
})

describe('kept state across a restart and a reorg', () => {
  it('a new extractor whose init reads the snapshot at a checkpoint gives the uninterrupted features', async () => {
    const k = Math.floor(trafficBlocks.length / 2)
    const checkpoint = trafficBlocks[k]!.header
    const rest = [...trafficBlocks.slice(k + 1), ...liquidityBlocks]
    const expected = features.filter((f) => f.blockNumber > checkpoint.number)
    for (const options of [{ pools: devnet.pools.map((p) => p.address) as [Hex, ...Hex[]] }, factoryOptions()]) {
      const restarted = extractor(options)
      await init(restarted, checkpoint)
      expect(await runBlocks(devnet, restarted, rest)).toEqual(expected)
    }
  })

  it('after devnet.reorg, gives the features of a run that only saw the final chain', async () => {
    const live = extractor(factoryOptions())
    const before = await devnet.publicClient.getBlockNumber()
    await devnet.traffic({ seed: 'pools-e2e-reorg-a', swaps: 40, mints: 4, burns: 2, txPerBlock: 8 })
    const branchA = await fetchBlocks(devnet, before + 1n, await devnet.publicClient.getBlockNumber())
    const parent = (await fetchBlocks(devnet, before, before))[0]!.header
    await init(live, parent)
    await runBlocks(devnet, live, branchA)
    const depth = 3
    await devnet.reorg(depth)
    await devnet.traffic({ seed: 'pools-e2e-reorg-b', swaps: 30, mints: 3, burns: 2, txPerBlock: 8 })
    const ancestor = branchA.at(-depth - 1)!.header
    await live.onRevert({
      chain,
      to: { number: ancestor.number, hash: ancestor.hash },
      reverted: branchA
        .slice(-depth)
        .map((b) => ({ number: b.header.number, hash: b.header.hash }))
        .reverse(),
    })
    const branchB = await fetchBlocks(devnet, ancestor.number + 1n, await devnet.publicClient.getBlockNumber())
    expect(branchB[0]!.header.parentHash).toBe(ancestor.hash)
    expect(branchB[0]!.header.hash).not.toBe(branchA.at(-depth)!.header.hash)
    const afterReorg = await runBlocks(devnet, live, branchB)
    const fresh = extractor(factoryOptions())
    await init(fresh, parent)
    const canonical = await runBlocks(devnet, fresh, [...branchA.slice(0, -depth), ...branchB])
    expect(afterReorg).toEqual(canonical.filter((f) => f.blockNumber > ancestor.number))
    expect(poolFeatures(afterReorg).length).toBeGreaterThan(2)
    expect(warnings).toEqual([])
  })
})

describe('a pool whose state reads revert', () => {
  it('is marked once with a warning and gets no amm.pool features; its swaps and the other pool go on', async () => {
    const { logger: own, warnings: seen } = capturingLogger()
    const x = new UniswapV3Extractor(uniswapV3Options.parse(factoryOptions()), own)
    const broken = devnet.pools[1]!.address
    const blocks = trafficBlocks.slice(0, 6)
    const match = compileFilters(x.logFilters(chain))
    const out: Feature[] = []
    for (const { header, logs } of blocks) {
      const real = readerAt(devnet, header)
      // Fault injection in front of the real chain: the pool's slot0() answers as a revert.
      const reader = {
        ...real,
        multicall: async (calls: Parameters<typeof real.multicall>[0]) => {
          const results = await real.multicall(calls)
          return results.map((r, i) =>
            calls[i]!.address === broken && calls[i]!.functionName === 'slot0'
              ? { status: 'failure' as const, error: new Error('execution reverted') }
              : r,
          )
        },
      }
      out.push(...(await x.onBlock({ chain, header, logs: logs.filter(match), reader })))
    }
    const expected = features.filter((f) => f.blockNumber <= blocks.at(-1)!.header.number)
    expect(out).toEqual(expected.filter((f) => !(f.kind === 'amm.pool' && f.address === broken)))
    expect(expected.some((f) => f.kind === 'amm.pool' && f.address === broken)).toBe(true)
    expect(Object.fromEntries(x.quarantined)).toEqual({ POOL_STATE: 1 })
    expect(seen).toHaveLength(1)
    expect(seen[0]!.fields).toMatchObject({ code: 'POOL_STATE', pool: broken, reason: expect.stringMatching(/slot0/) })
  })
})
