import type { ReadContractParameters } from '@qenus/core'
import { type Devnet, type FaultProxy, loadArtifact, startDevnet, startFaultProxy } from '@qenus/testkit'
import { erc20Abi } from 'viem'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { makeSource, recorder } from '../test/faults.js'

let devnet: Devnet
let proxy: FaultProxy

beforeAll(async () => {
  devnet = await startDevnet()
  proxy = await startFaultProxy(devnet.rpcUrl)
})
afterAll(async () => {
  await proxy?.stop()
  await devnet?.stop()
})

it('answers immutable reads (decimals, pool immutables) once per source, across blocks and readers', async () => {
  const poolAbi = loadArtifact('UniswapV3Pool').abi
  const [pool] = devnet.pools
  const calls = [
    { address: pool!.address, abi: poolAbi, functionName: 'token0', args: [] },
    { address: pool!.address, abi: poolAbi, functionName: 'fee', args: [] },
    { address: pool!.address, abi: poolAbi, functionName: 'liquidity', args: [] },
    { address: pool!.token1, abi: erc20Abi, functionName: 'decimals', args: [] },
  ] as unknown as ReadContractParameters[]
  const source = makeSource([proxy.url], recorder().logger)
  const head = await devnet.publicClient.getBlockNumber()
  const at = async (n: bigint) => {
    const block = await devnet.publicClient.getBlock({ blockNumber: n })
    return source.reader({ number: n, hash: block.hash })
  }
  proxy.resetCounts()
  const first = await (await at(head)).multicall(calls)
  expect(proxy.calls.get('eth_call')).toBe(1)
  await devnet.mine(1)
  const [second, third] = await Promise.all([
    (await at(head + 1n)).multicall(calls),
    (await at(head + 1n)).multicall(calls.slice(0, 2)),
  ])
  const decimals = await (await at(head + 1n)).readContract(calls[3] as never)
  // One aggregate3 for the one mutable read (liquidity); the immutable ones come from the cache.
  expect(proxy.calls.get('eth_call')).toBe(2)
  const direct = await devnet.publicClient.multicall({ contracts: calls, blockNumber: head + 1n })
  for (const results of [first, second]) {
    expect(results.map((r) => (r.status === 'success' ? r.result : r.status))).toEqual(direct.map((r) => r.result))
  }
  expect(third).toEqual(second.slice(0, 2))
  expect(decimals).toBe(pool!.decimals1)
  expect(String(direct[0]!.result).toLowerCase()).toBe(pool!.token0)
  expect(direct[1]!.result).toBe(pool!.fee)
})
