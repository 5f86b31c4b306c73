import type { BlockHeader, Feature, Hex, MempoolSwapData } from '@qenus/core'
import { type Devnet, loadArtifact, startDevnet } from '@qenus/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chain, fetchBlocks, readerAt, runBlocks } from '../../test/devnet.js'
import { capturingLogger } from '../../test/logger.js'
import { UniswapV3Extractor } from '../extractor/extractor.js'
import { uniswapV3Options } from '../extractor/options.js'

const routerAbi = loadArtifact('SwapRouter').abi
const quoterAbi = loadArtifact('QuoterV2').abi
const json = (value: unknown) => JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? `${v}` : v))

describe('mempool.swap on a devnet with automine off', () => {
  let devnet: Devnet
  let head: BlockHeader
  const sent: { hash: Hex; pool: number; method: string; amount: bigint; tokenIn: Hex; tokenOut: Hex }[] = []
  const quotes: { amount: bigint; sqrtPriceX96After: bigint }[] = []
  const pendingRaw: Record<string, unknown>[] = []

  const extractorFor = (mempool: boolean) =>
    new UniswapV3Extractor(
      uniswapV3Options.parse({ pools: devnet.pools.map((p) => p.address), factory: devnet.contracts.factory, mempool }),
      capturingLogger().logger,
    )

  beforeAll(async () => {
    devnet = await startDevnet()
    await devnet.traffic({ seed: 3, swaps: 4, txPerBlock: 2 })
    const [block] = await fetchBlocks(
      devnet,
      await devnet.publicClient.getBlockNumber(),
      await devnet.publicClient.getBlockNumber(),
    )
    head = block!.header
    await devnet.testClient.setAutomine(false)
    // An exact-input swap on one pool and an exact-output swap on the other, left pending.
    for (const [i, method] of [
      [0, 'exactInputSingle'],
      [1, 'exactOutputSingle'],
    ] as const) {
      const pool = devnet.pools[i]!
      const trader = devnet.accounts[i + 1]!
      const [tokenIn, tokenOut] = pool.decimals0 === 18 ? [pool.token0, pool.token1] : [pool.token1, pool.token0]
      const amount = method === 'exactInputSingle' ? 2n * 10n ** 18n : 1_500n * 10n ** 6n
      const common = { tokenIn, tokenOut, fee: pool.fee, recipient: trader, deadline: 2n ** 40n, sqrtPriceLimitX96: 0n }
      const args =
        method === 'exactInputSingle'
          ? { ...common, amountIn: amount, amountOutMinimum: 1n }
          : { ...common, amountOut: amount, amountInMaximum: 10n ** 30n }
      const hash = await devnet.walletClient.writeContract({
        account: trader,
        address: devnet.contracts.swapRouter,
        abi: routerAbi,
        functionName: method,
        args: [args],
        gas: 600_000n,
      })
      sent.push({ hash, pool: i, method, amount, tokenIn, tokenOut })
      // QuoterV2 at the pre-block state: the independent expectation.
      const quoteArgs = { tokenIn, tokenOut, fee: pool.fee, sqrtPriceLimitX96: 0n }
      const { result } = await devnet.publicClient.simulateContract({
        address: devnet.contracts.quoterV2,
        abi: quoterAbi,
        functionName: method === 'exactInputSingle' ? 'quoteExactInputSingle' : 'quoteExactOutputSingle',
        args: [method === 'exactInputSingle' ? { ...quoteArgs, amountIn: amount } : { ...quoteArgs, amount }],
        blockNumber: head.number,
      })
      const [quoted, sqrtPriceX96After] = result as readonly bigint[]
      quotes.push({ amount: quoted!, sqrtPriceX96After: sqrtPriceX96After! })
      // The node's own raw answer for the pending transaction, as a source's pending event carries it.
      pendingRaw.push(
        (await devnet.publicClient.request({ method: 'eth_getTransactionByHash', params: [hash] })) as never,
      )
    }
  }, 60_000)

  afterAll(async () => {
    await devnet?.stop()
  })

  it('emits mempool.swap before the block with QuoterV2-exact expectations, then links the inclusion', async () => {
    const extractor = extractorFor(true)
    const plain = extractorFor(false)
    expect(plain.onPending).toBeUndefined()
    const reader = readerAt(devnet, head)
    await extractor.init(chain, reader)
    await plain.init(chain, reader)
    const pending: Feature[] = []
    for (const [i, transaction] of pendingRaw.entries()) {
      expect(transaction.blockNumber).toBeNull()
      const context = { chain, head, hash: sent[i]!.hash, transaction, receivedAtMs: Date.now(), reader }
      pending.push(...(await extractor.onPending!(context)))
      // A transaction seen twice is reported once.
      expect(await extractor.onPending!(context)).toEqual([])
    }
    expect(pending).toHaveLength(2)
    for (const [i, feature] of pending.entries()) {
      const { method, amount, tokenIn, tokenOut, hash, pool } = sent[i]!
      const data = feature.data as MempoolSwapData
      expect(feature).toMatchObject({
        kind: 'mempool.swap',
        txHash: hash,
        blockNumber: head.number,
        blockHash: head.hash,
      })
      expect(feature.address).toBe(devnet.pools[pool]!.address)
      expect(data).toMatchObject({ method, tokenIn, tokenOut, from: devnet.accounts[i + 1]!.toLowerCase(), hops: 1 })
      expect(data.sqrtPriceX96After).toBe(quotes[i]!.sqrtPriceX96After)
      if (method === 'exactInputSingle') {
        expect(data).toMatchObject({ amountIn: amount, exactOutput: false, expectedAmountIn: amount })
        expect(data.expectedAmountOut).toBe(quotes[i]!.amount)
      } else {
        expect(data).toMatchObject({ amountOutMin: amount, exactOutput: true, expectedAmountOut: amount })
        expect(data.expectedAmountIn).toBe(quotes[i]!.amount)
      }
      const before = data.sqrtPriceX96Before!
      const after = data.sqrtPriceX96After!
      const impact = Number(((after * after - before * before) * 10n ** 12n) / (before * before)) / 1e8
      expect(Number(data.priceImpactBps)).toBeCloseTo(impact, 6)
    }

    await devnet.mine(1)
    const [included] = await fetchBlocks(devnet, head.number + 1n, head.number + 1n)
    const withMempool = await runBlocks(devnet, extractor, [included!])
    const without = await runBlocks(devnet, plain, [included!])
    const links = withMempool.filter((f) => f.kind === 'mempool.swap')
    // With mempool off the block's features are byte-identical to the others with it on.
    expect(json(without)).toBe(json(withMempool.filter((f) => f.kind !== 'mempool.swap')))
    expect(links.map((f) => f.txHash)).toEqual(sent.map((s) => s.hash))
    for (const [i, link] of links.entries()) {
      const receipt = await devnet.publicClient.getTransactionReceipt({ hash: sent[i]!.hash })
      const data = link.data as MempoolSwapData
      expect(link).toMatchObject({
        blockNumber: receipt.blockNumber,
        blockHash: receipt.blockHash,
        txIndex: receipt.transactionIndex,
      })
      expect(link.logIndex).toBe(receipt.logs.find((l) => l.address.toLowerCase() === link.address)!.logIndex)
      expect(data).toMatchObject({ seenAtBlock: head.number, delayBlocks: 1n })
      // The devnet's block clock is synthetic, far from wall time, so the delay may be far off or negative.
      expect(data.delayMs).toBe(Number(included!.header.timestamp * 1000n - data.seenAtMs!))
      // The swap landed on the state it was priced on, so the amm.swap matches the expectation.
      const swap = withMempool.find((f) => f.kind === 'amm.swap' && f.txHash === sent[i]!.hash)!
      expect((swap.data as { sqrtPriceX96: bigint }).sqrtPriceX96).toBe(data.sqrtPriceX96After)
    }
  }, 60_000)
})
