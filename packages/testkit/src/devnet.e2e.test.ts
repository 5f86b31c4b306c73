import { parseEventLogs } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadArtifact } from './artifacts.js'
import { type Devnet, startDevnet } from './devnet.js'
import { priceFromSqrtPriceX96 } from './uniswap.js'

const poolAbi = loadArtifact('UniswapV3Pool').abi
const multicallAbi = [
  {
    type: 'function',
    name: 'getEthBalance',
    stateMutability: 'view',
    inputs: [{ name: 'addr', type: 'address' }],
    outputs: [{ type: 'uint256' }],
  },
] as const

describe('startDevnet', () => {
  let devnet: Devnet
  let startupMs = 0

  beforeAll(async () => {
    const started = performance.now()
    devnet = await startDevnet()
    startupMs = performance.now() - started
    console.info(`devnet startup incl. deploy: ${startupMs.toFixed(0)} ms`)
  })
  afterAll(() => devnet?.stop())

  it('runs chain 31337 on http, ws and ipc endpoints', async () => {
    expect(await devnet.publicClient.getChainId()).toBe(31337)
    expect(devnet.rpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(devnet.wsUrl).toBe(devnet.rpcUrl.replace('http', 'ws'))
    expect(devnet.ipcPath).toMatch(/anvil\.ipc$/)
  })

  it('creates two pools of the 18/6-decimal pair at fees 500 and 3000, priced near 2500', async () => {
    expect(devnet.pools.map((p) => p.fee)).toEqual([500, 3000])
    for (const pool of devnet.pools) {
      const [slot0, fee, token0, token1, liquidity] = await Promise.all([
        devnet.publicClient.readContract({ address: pool.address, abi: poolAbi, functionName: 'slot0' }),
        devnet.publicClient.readContract({ address: pool.address, abi: poolAbi, functionName: 'fee' }),
        devnet.publicClient.readContract({ address: pool.address, abi: poolAbi, functionName: 'token0' }),
        devnet.publicClient.readContract({ address: pool.address, abi: poolAbi, functionName: 'token1' }),
        devnet.publicClient.readContract({ address: pool.address, abi: poolAbi, functionName: 'liquidity' }),
      ])
      expect(fee).toBe(pool.fee)
      expect((token0 as string).toLowerCase()).toBe(pool.token0)
      expect((token1 as string).toLowerCase()).toBe(pool.token1)
      expect(liquidity as bigint).toBeGreaterThan(0n)
      const sqrtPriceX96 = (slot0 as readonly [bigint])[0]
      const price = Number(priceFromSqrtPriceX96(sqrtPriceX96, pool.decimals0, pool.decimals1))
      const usdPerTka = pool.decimals0 === 18 ? price : 1 / price
      expect(usdPerTka).toBeGreaterThan(2499)
      expect(usdPerTka).toBeLessThan(2501)
    }
  })

  it('serves the Multicall3-compatible contract at the canonical address', async () => {
    const [balance, viaMulticall] = await Promise.all([
      devnet.publicClient.getBalance({ address: devnet.accounts[1]! }),
      devnet.publicClient.multicall({
        contracts: [
          {
            address: devnet.contracts.multicall3,
            abi: multicallAbi,
            functionName: 'getEthBalance',
            args: [devnet.accounts[1]!],
          },
          { address: devnet.pools[0]!.address, abi: poolAbi, functionName: 'fee' },
        ],
        allowFailure: false,
      }),
    ])
    expect(viaMulticall[0]).toBe(balance)
    expect(viaMulticall[1]).toBe(500)
  })

  it('mines swap traffic whose receipts carry Swap logs of both pools', async () => {
    const result = await devnet.traffic({ seed: 7, swaps: 40, mints: 5, burns: 5, txPerBlock: 10 })
    expect(result.blocks).toHaveLength(5)
    const swaps: { address: string }[] = []
    for (const block of result.blocks) {
      const receipts = await devnet.publicClient.getBlockReceipts({ blockNumber: block.number })
      expect(receipts.map((r) => r.transactionHash)).toEqual(block.txHashes)
      expect(receipts.every((r) => r.status === 'success')).toBe(true)
      swaps.push(...parseEventLogs({ abi: poolAbi, logs: receipts.flatMap((r) => r.logs), eventName: 'Swap' }))
    }
    expect(swaps).toHaveLength(40)
    expect(new Set(swaps.map((s) => s.address.toLowerCase()))).toEqual(new Set(devnet.pools.map((p) => p.address)))
  })

  it('quotes with QuoterV2 exactly what the SwapRouter then swaps', async () => {
    const pool = devnet.pools[1]!
    const trader = devnet.accounts[2]!
    const amountIn = 3n * 10n ** 18n
    const [tokenIn, tokenOut] = pool.decimals0 === 18 ? [pool.token0, pool.token1] : [pool.token1, pool.token0]
    const params = { tokenIn, tokenOut, fee: pool.fee, amountIn, sqrtPriceLimitX96: 0n }
    const { result } = await devnet.publicClient.simulateContract({
      address: devnet.contracts.quoterV2,
      abi: loadArtifact('QuoterV2').abi,
      functionName: 'quoteExactInputSingle',
      args: [params],
    })
    const quoted = (result as readonly bigint[])[0]!
    const hash = await devnet.walletClient.writeContract({
      account: trader,
      address: devnet.contracts.swapRouter,
      abi: loadArtifact('SwapRouter').abi,
      functionName: 'exactInputSingle',
      args: [{ ...params, recipient: trader, deadline: 2n ** 40n, amountOutMinimum: 0n }],
      gas: 500_000n,
    })
    await devnet.mine()
    const receipt = await devnet.publicClient.getTransactionReceipt({ hash })
    const [swap] = parseEventLogs({ abi: poolAbi, logs: receipt.logs, eventName: 'Swap' })
    const { amount0, amount1 } = swap!.args as { amount0: bigint; amount1: bigint }
    expect(quoted).toBeGreaterThan(0n)
    expect(-(tokenOut === pool.token0 ? amount0 : amount1)).toBe(quoted)
  })

  it('reorgs the newest blocks to new hashes at the same heights', async () => {
    await devnet.traffic({ seed: 8, swaps: 6, txPerBlock: 2 })
    const head = await devnet.publicClient.getBlock()
    const parent = await devnet.publicClient.getBlock({ blockNumber: head.number - 2n })
    await devnet.reorg(2)
    const newHead = await devnet.publicClient.getBlock()
    expect(newHead.number).toBe(head.number)
    expect(newHead.hash).not.toBe(head.hash)
    expect((await devnet.publicClient.getBlock({ blockNumber: head.number - 2n })).hash).toBe(parent.hash)
  })

  it('reverts to a snapshot', async () => {
    const before = await devnet.publicClient.getBlockNumber()
    const id = await devnet.snapshot()
    await devnet.mine(3)
    expect(await devnet.publicClient.getBlockNumber()).toBe(before + 3n)
    await devnet.revert(id)
    expect(await devnet.publicClient.getBlockNumber()).toBe(before)
  })
})
