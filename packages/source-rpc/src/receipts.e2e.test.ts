import { type BlockEvent, type ChainInfo, KNOWN_CHAINS, type Receipt, type StreamRequest } from '@qenus/core'
import { type FaultProxy, startFaultProxy } from '@qenus/testkit'
import { encodeFunctionData, type Hex, parseEther, type TransactionReceipt } from 'viem'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type Anvil, compile, startAnvil, wallet } from '../test/harness.js'
import { rpcSourceOptions } from './options.js'
import { RpcSource } from './source.js'

const chain: ChainInfo = { ...KNOWN_CHAINS.devnet, finalityDepth: 32 }
const quiet = { debug() {}, info() {}, warn() {} }
const TYPES: Record<string, number> = { legacy: 0, eip2930: 1, eip1559: 2, eip4844: 3, eip7702: 4 }

let anvil: Anvil
let proxy: FaultProxy
let first: bigint
let last: bigint
const height = async () => BigInt(await anvil.rpc<Hex>('eth_blockNumber'))

/** Several blocks of several transactions each: logs, a transfer, a creation, a revert, legacy and EIP-1559. */
beforeAll(async () => {
  anvil = await startAnvil()
  const { Emitter } = await compile()
  const w = wallet(anvil)
  const created = await w.deployContract({ abi: Emitter.abi, bytecode: Emitter.bytecode })
  const emitter = (await anvil.client.waitForTransactionReceipt({ hash: created })).contractAddress as Hex
  await anvil.rpc('evm_setAutomine', [false])
  first = (await height()) + 1n
  const to = emitter
  for (let block = 0; block < 4; block++) {
    await w.sendTransaction({
      to,
      data: encodeFunctionData({ abi: Emitter.abi, functionName: 'ping', args: [BigInt(block), '0x1234'] }),
    })
    await w.sendTransaction({
      to: '0x000000000000000000000000000000000000dEaD',
      value: parseEther('0.01'),
      type: 'legacy',
    })
    await w.sendTransaction({ to, data: encodeFunctionData({ abi: Emitter.abi, functionName: 'fail' }), gas: 100_000n })
    if (block === 2) await w.deployContract({ abi: Emitter.abi, bytecode: Emitter.bytecode })
    await w.sendTransaction({ to, data: encodeFunctionData({ abi: Emitter.abi, functionName: 'pong', args: [7n] }) })
    await anvil.rpc('evm_mine')
  }
  await anvil.rpc('anvil_mine', ['0x2'])
  await anvil.rpc('evm_setAutomine', [true])
  last = await height()
})
afterAll(async () => {
  await anvil?.stop()
})
afterEach(async () => {
  await proxy?.stop()
})

async function stream(extra: Partial<StreamRequest>): Promise<BlockEvent[]> {
  proxy = await startFaultProxy(anvil.url)
  const source = new RpcSource(rpcSourceOptions.parse({ providers: [proxy.url], pollIntervalMs: 25 }), chain, quiet)
  const events: BlockEvent[] = []
  const signal = AbortSignal.timeout(30_000)
  for await (const event of source.stream({ chain, from: first, to: last, filters: [], signal, ...extra })) {
    if (event.type === 'block') events.push(event)
  }
  await source.close()
  return events
}

/** viem's receipt in the source's shape: an independent reader of the same node. */
function expected(r: TransactionReceipt): Receipt {
  return {
    transactionHash: r.transactionHash,
    transactionIndex: r.transactionIndex,
    from: r.from,
    to: r.to,
    status: r.status,
    gasUsed: r.gasUsed,
    effectiveGasPrice: r.effectiveGasPrice,
    cumulativeGasUsed: r.cumulativeGasUsed,
    type: TYPES[r.type] as number,
    logs: r.logs.map((log) => ({
      address: log.address,
      topics: log.topics,
      data: log.data,
      blockNumber: log.blockNumber,
      blockHash: log.blockHash,
      transactionHash: log.transactionHash,
      transactionIndex: log.transactionIndex,
      logIndex: log.logIndex,
    })),
  }
}

async function checkAgainstViem(events: BlockEvent[]): Promise<number> {
  expect(events.map((e) => e.header.number)).toEqual(
    Array.from({ length: Number(last - first + 1n) }, (_, i) => first + BigInt(i)),
  )
  let txs = 0
  for (const event of events) {
    const block = await anvil.client.getBlock({ blockNumber: event.header.number })
    const receipts = await Promise.all(block.transactions.map((hash) => anvil.client.getTransactionReceipt({ hash })))
    expect(event.receipts).toEqual(receipts.map(expected))
    txs += receipts.length
  }
  return txs
}

describe('receipts', () => {
  it('carries every transaction receipt, equal to viem getTransactionReceipt, only when asked', async () => {
    const events = await stream({ receipts: true })
    const txs = await checkAgainstViem(events)
    expect(txs).toBe(17)
    const all = events.flatMap((e) => e.receipts ?? [])
    expect(new Set(all.map((r) => r.status))).toEqual(new Set(['success', 'reverted']))
    expect(all.some((r) => r.to === null)).toBe(true)
    expect(new Set(all.map((r) => r.type))).toEqual(new Set([0, 2]))
    expect(proxy.calls.get('eth_getBlockReceipts')).toBe(events.length)
  })

  it('falls back to eth_getTransactionReceipt per transaction when the provider lacks eth_getBlockReceipts', async () => {
    proxy = await startFaultProxy(anvil.url)
    const missing = { type: 'rpc-error', code: -32601, message: 'the method eth_getBlockReceipts does not exist' }
    proxy.inject({ fault: missing as never, methods: ['eth_getBlockReceipts'] })
    const source = new RpcSource(rpcSourceOptions.parse({ providers: [proxy.url] }), chain, quiet)
    const events: BlockEvent[] = []
    const signal = AbortSignal.timeout(30_000)
    for await (const event of source.stream({ chain, from: first, to: last, filters: [], receipts: true, signal })) {
      if (event.type === 'block') events.push(event)
    }
    await source.close()
    expect(await checkAgainstViem(events)).toBe(17)
    expect(proxy.calls.get('eth_getTransactionReceipt')).toBe(17)
  })

  it('sends no receipts request when nothing asks for receipts', async () => {
    const events = await stream({})
    expect(events).toHaveLength(Number(last - first + 1n))
    expect(events.every((e) => e.receipts === undefined)).toBe(true)
    expect(proxy.calls.get('eth_getBlockByNumber')).toBeGreaterThan(0)
    expect(proxy.calls.get('eth_getBlockReceipts')).toBeUndefined()
    expect(proxy.calls.get('eth_getTransactionReceipt')).toBeUndefined()
  })
})
