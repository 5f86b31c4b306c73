/**
 * The production RPC source (issue 3):
 *
 * 1. backfill: `RpcSource.stream` over http from block 0 to the head of an anvil chain of 5,000+
 *    blocks holding 50,000+ Swap logs (headers, logs, validation, bloom checks, ordering), beside
 *    a plain viem loop (getLogs with the Swap event in 1,000-block ranges, then decodeEventLog per
 *    log) and beside `eth_getLogs` alone (raw fetch, same ranges), over the same range in this run;
 * 2. following: JSON-RPC requests per block while the source follows new blocks through the
 *    testkit fault proxy in pass-through mode, with two readers multicalling each block (as two
 *    extractors would), over http polling and over a ws newHeads subscription.
 *
 * The chain is built here: test-only FakePool contracts (labelled as such: not Uniswap) that emit
 * the real Uniswap V3 `Swap` event, 50 per transaction, one transaction per block, with empty
 * blocks mined between (anvil_mine) so the range holds 5,000+ blocks.
 */
import { KNOWN_CHAINS } from '@qenus/core'
import { RpcSource, rpcSourceOptions } from '@qenus/source-rpc'
import { compileSolidity, compileTestContracts, spawnAnvil, startFaultProxy } from '@qenus/testkit'
import { createPublicClient, createWalletClient, decodeEventLog, http, parseAbi, toEventSelector } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { foundry } from 'viem/chains'
import { compare, fmt, formatRate, peakRssMiB, positiveInt, printTable, REPS } from './harness.mjs'

const SWAP_TXS = positiveInt('BENCH_RPC_SWAP_TXS', 1_040)
const LOGS_PER_TX = 50
const EMPTY_BETWEEN = 4
const FOLLOW_BLOCKS = positiveInt('BENCH_RPC_FOLLOW_BLOCKS', 20)
const RANGE = 1000n
const POOLS = 8
const KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'
const SWAP = parseAbi([
  'event Swap(address indexed sender, address indexed recipient, int256 amount0, int256 amount1, uint160 sqrtPriceX96, uint128 liquidity, int24 tick)',
])
const FAKE_POOL = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
/// Test-only contract: emits the Uniswap V3 Swap event; it is not a pool.
contract FakePool {
  event Swap(address indexed sender, address indexed recipient, int256 amount0, int256 amount1, uint160 sqrtPriceX96, uint128 liquidity, int24 tick);
  uint256 public price = 79228162514264337593543950336;
  function swaps(uint256 n, uint256 seed) external {
    for (uint256 i = 0; i < n; i++) {
      emit Swap(msg.sender, address(uint160(seed + i)), int256(seed * 7 + i), -int256(seed + i * 3), uint160(price + i), uint128(1e18 + i), int24(int256(i % 887)));
    }
  }
}`

const anvil = await spawnAnvil(['--gas-limit', '60000000'])
const url = `http://127.0.0.1:${anvil.port}`
const account = privateKeyToAccount(KEY)
const client = createPublicClient({ transport: http(url), chain: foundry })
const wallet = createWalletClient({ account, transport: http(url), chain: foundry })
const rpc = async (method, params = []) => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  })
  const body = await res.json()
  if (body.error) throw new Error(`${method}: ${body.error.message}`)
  return body.result
}

try {
  const [{ FakePool }, { Multicall3 }] = await Promise.all([
    compileSolidity({ 'FakePool.sol': FAKE_POOL }),
    compileTestContracts(),
  ])
  await rpc('anvil_setCode', [KNOWN_CHAINS.devnet.multicall3, Multicall3.deployedBytecode])
  const pools = []
  for (let i = 0; i < POOLS; i++) {
    const hash = await wallet.deployContract({ abi: FakePool.abi, bytecode: FakePool.bytecode })
    pools.push((await client.waitForTransactionReceipt({ hash })).contractAddress.toLowerCase())
  }
  const built = performance.now()
  for (let i = 0; i < SWAP_TXS; i++) {
    await wallet.writeContract({
      address: pools[i % POOLS],
      abi: FakePool.abi,
      functionName: 'swaps',
      args: [BigInt(LOGS_PER_TX), BigInt(i * 1000)],
      gas: 5_000_000n,
    })
    await rpc('anvil_mine', [`0x${EMPTY_BETWEEN.toString(16)}`])
  }
  const head = await client.getBlockNumber()
  console.log(`built ${fmt(Number(head))} blocks in ${fmt((performance.now() - built) / 1000)} s`)

  const chain = { ...KNOWN_CHAINS.devnet, finalityDepth: 32 }
  const filters = [{ address: pools, topics: [toEventSelector(SWAP[0])] }]
  const quiet = { debug() {}, info() {}, warn() {} }
  const source = (providers, extra = {}) =>
    new RpcSource(rpcSourceOptions.parse({ providers, maxBlockRange: Number(RANGE), ...extra }), chain, quiet)

  let blocks = 0
  const cases = {
    'source-rpc backfill': async () => {
      let logs = 0
      blocks = 0
      const signal = new AbortController().signal
      for await (const event of source([url]).stream({ chain, from: 0n, to: head, filters, signal })) {
        if (event.type !== 'block') continue
        blocks++
        logs += event.logs.length
      }
      return logs
    },
    'viem getLogs + decodeEventLog': async () => {
      let logs = 0
      for (let from = 0n; from <= head; from += RANGE) {
        const to = from + RANGE - 1n < head ? from + RANGE - 1n : head
        const found = await client.getLogs({
          address: pools,
          event: SWAP[0],
          fromBlock: from,
          toBlock: to,
          strict: true,
        })
        for (const log of found) if (decodeEventLog({ abi: SWAP, data: log.data, topics: log.topics })) logs++
      }
      return logs
    },
    'eth_getLogs alone': async () => {
      let logs = 0
      for (let from = 0n; from <= head; from += RANGE) {
        const to = from + RANGE - 1n < head ? from + RANGE - 1n : head
        const hex = (n) => `0x${n.toString(16)}`
        const found = await rpc('eth_getLogs', [
          { address: pools, topics: filters[0].topics, fromBlock: hex(from), toBlock: hex(to) },
        ])
        logs += found.length
      }
      return logs
    },
  }
  const rates = await compare(cases, { reps: REPS })
  const ours = rates['source-rpc backfill']
  const perBlock = (rate) => `${fmt((rate.median * blocks) / rate.items)} blocks/s`
  console.log(
    `\nrpc backfill: ${fmt(ours.items)} Swap logs (FakePool, test-only) in ${fmt(blocks)} blocks, ` +
      `http, ${RANGE}-block ranges, median of ${REPS}`,
  )
  printTable(
    ['row', 'logs/s', 'blocks/s', 'source-rpc ÷ row'],
    Object.entries(rates).map(([name, rate]) => [
      name,
      formatRate(rate),
      perBlock(rate),
      `${(ours.median / rate.median).toFixed(2)}×`,
    ]),
  )

  console.log(`\nrpc following: requests per block over ${FOLLOW_BLOCKS} blocks, two readers multicalling each block`)
  const rows = []
  for (const [name, providers, extra] of [
    ['http polling', (p) => [p.url], { heads: 'poll' }],
    ['ws newHeads', (p) => [p.wsUrl], { heads: 'ws' }],
  ]) {
    rows.push([name, ...(await following(providers, extra))])
  }
  printTable(['heads', 'blocks', 'requests/block', 'by method (per block)'], rows)
  console.log(`\npeak RSS ${fmt(peakRssMiB())} MiB`)

  /** Follows FOLLOW_BLOCKS new blocks through a pass-through proxy; returns the request counts. */
  async function following(providersOf, extra) {
    const proxy = await startFaultProxy(url)
    const src = source(providersOf(proxy), { pollIntervalMs: 100, ...extra })
    const ac = new AbortController()
    const start = await client.getBlockNumber()
    const stop = start + BigInt(FOLLOW_BLOCKS)
    const read = (block, pool) =>
      src.reader(block).multicall([{ address: pool, abi: FakePool.abi, functionName: 'price', args: [] }])
    let seen = 0
    const mining = (async () => {
      await new Promise((r) => setTimeout(r, 300))
      proxy.resetCounts()
      for (let i = 0; i < FOLLOW_BLOCKS; i++) {
        await wallet.writeContract({
          address: pools[i % POOLS],
          abi: FakePool.abi,
          functionName: 'swaps',
          args: [2n, 7n],
        })
        await new Promise((r) => setTimeout(r, 250))
      }
    })()
    for await (const event of src.stream({ chain, from: start, filters, signal: ac.signal })) {
      if (event.type !== 'block' || event.header.number <= start) continue
      await Promise.all([read(event.header, pools[0]), read(event.header, pools[1])])
      seen++
      if (event.header.number >= stop) break
    }
    await mining
    const counts = Object.fromEntries(proxy.calls)
    await src.close()
    await proxy.stop()
    const total = Object.values(counts).reduce((a, b) => a + b, 0)
    const by = Object.entries(counts)
      .sort()
      .map(([method, n]) => `${method} ${(n / seen).toFixed(2)}`)
      .join(', ')
    return [String(seen), (total / seen).toFixed(2), by]
  }
} finally {
  await anvil.stop()
}
