import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { decodeFeatureJson, type Feature, type MempoolSwapData } from '@qenus/core'
import {
  checkpointOf,
  type Devnet,
  killStrays,
  loadArtifact,
  startDevnet,
  startQenus,
  testDir,
  waitFor,
} from '@qenus/testkit'
import { decodeEventLog, parseAbiItem } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { prepare, type Run } from '../test/config.js'

const SWAP = parseAbiItem(
  'event Swap(address indexed sender, address indexed recipient, int256 amount0, int256 amount1, uint160 sqrtPriceX96, uint128 liquidity, int24 tick)',
)
const routerAbi = loadArtifact('SwapRouter').abi

let devnet: Devnet
let root: string

beforeAll(async () => {
  devnet = await startDevnet()
  await devnet.traffic({ seed: 21, swaps: 6, txPerBlock: 3 })
  root = await testDir('source-node-mempool')
})

afterAll(async () => {
  killStrays()
  await devnet?.stop()
})

async function features(run: Run): Promise<Feature[]> {
  const text = await readFile(run.out, 'utf8').catch(() => '')
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('{"type":"retraction"'))
    .map((line) => decodeFeatureJson(line))
}

describe('the mempool through the whole pipeline: source-node → plugin-uniswap-v3 → sink-console', () => {
  it('writes a pending swap before its block, then links it to the block that includes it', async () => {
    const run = await prepare(
      join(root, 'run'),
      { use: '@qenus/source-node', ipc: devnet.ipcPath, mempool: true },
      {
        extractors: [
          // Router calls name tokens and a fee; the factory turns them into the pool's address.
          { use: '@qenus/plugin-uniswap-v3', pools: 'all', factory: devnet.contracts.factory, mempool: true },
        ],
      },
    )
    const cli = startQenus(['run', '--config', run.config, '--from', '0'])
    try {
      const head = await devnet.publicClient.getBlock()
      await waitFor('caught up', async () => (await checkpointOf(run.checkpoint))?.hash === head.hash)

      await devnet.testClient.setAutomine(false)
      const pool = devnet.pools[0]!
      const trader = devnet.accounts[1]!
      const [tokenIn, tokenOut] = pool.decimals0 === 18 ? [pool.token0, pool.token1] : [pool.token1, pool.token0]
      const amountIn = 3n * 10n ** 17n
      const hash = await devnet.walletClient.writeContract({
        account: trader,
        address: devnet.contracts.swapRouter,
        abi: routerAbi,
        functionName: 'exactInputSingle',
        args: [
          {
            tokenIn,
            tokenOut,
            fee: pool.fee,
            recipient: trader,
            deadline: 2n ** 40n,
            amountIn,
            amountOutMinimum: 1n,
            sqrtPriceLimitX96: 0n,
          },
        ],
        gas: 600_000n,
      })
      const seen = (all: Feature[]) => all.find((f) => f.kind === 'mempool.swap' && f.txHash === hash)
      await waitFor('the pending swap in the file', async () => seen(await features(run)) !== undefined)
      // Nothing is mined yet: the pending feature came from the mempool alone.
      expect(await devnet.publicClient.getBlockNumber()).toBe(head.number)

      await devnet.mine(1)
      const receipt = await devnet.publicClient.getTransactionReceipt({ hash })
      await waitFor('the including block', async () => (await checkpointOf(run.checkpoint))?.hash === receipt.blockHash)

      const all = await features(run)
      const pendingAt = all.findIndex((f) => f.kind === 'mempool.swap' && f.txHash === hash)
      const swapAt = all.findIndex((f) => f.kind === 'amm.swap' && f.txHash === hash)
      const linkAt = all.findIndex((f) => f.kind === 'mempool.swap' && f.txHash === hash && f.logIndex !== undefined)
      expect(pendingAt).toBeGreaterThanOrEqual(0)
      expect(swapAt).toBeGreaterThan(pendingAt)
      expect(linkAt).toBeGreaterThan(pendingAt)

      const pending = all[pendingAt]!
      expect(pending).toMatchObject({ blockNumber: head.number, blockHash: head.hash })
      expect([pending.txIndex, pending.logIndex]).toEqual([undefined, undefined])
      // The expectation priced on the head's state equals what the chain then did (no other swap came between).
      const log = receipt.logs.find((l) => l.address.toLowerCase() === pool.address)!
      const { args } = decodeEventLog({ abi: [SWAP], data: log.data, topics: log.topics })
      const out = pool.token0 === tokenOut ? -args.amount0 : -args.amount1
      const data = pending.data as MempoolSwapData
      expect(data).toMatchObject({ amountIn, tokenIn, tokenOut, expectedAmountOut: out })
      expect(data.sqrtPriceX96After).toBe(args.sqrtPriceX96)

      const link = all[linkAt]!
      expect(link).toMatchObject({
        blockHash: receipt.blockHash,
        txIndex: receipt.transactionIndex,
        logIndex: log.logIndex,
      })
      expect(link.data).toMatchObject({ seenAtBlock: head.number, delayBlocks: receipt.blockNumber - head.number })
    } finally {
      await devnet.testClient.setAutomine(true)
      cli.child.kill('SIGTERM')
      const { code, stderr } = await cli.exited
      expect(code, stderr).toBe(0)
    }
  })
})
