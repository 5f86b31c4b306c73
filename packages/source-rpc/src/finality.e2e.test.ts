import { type ChainInfo, KNOWN_CHAINS } from '@qenus/core'
import { type FaultProxy, startFaultProxy } from '@qenus/testkit'
import type { Hex } from 'viem'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type Anvil, startAnvil } from '../test/harness.js'
import { rpcSourceOptions } from './options.js'
import { RpcSource } from './source.js'

const chain: ChainInfo = { ...KNOWN_CHAINS.devnet, finalityDepth: 32 }
const quiet = { debug() {}, info() {}, warn() {} }
/** anvil tags `safe` one epoch and `finalized` two epochs below the latest block. */
const SLOTS = 4

let anvil: Anvil
let proxy: FaultProxy

beforeAll(async () => {
  anvil = await startAnvil(['--slots-in-an-epoch', String(SLOTS)])
  await anvil.rpc('anvil_mine', ['0x20'])
})
afterAll(async () => {
  await anvil?.stop()
})
afterEach(async () => {
  await proxy?.stop()
})

const tagged = async (tag: 'safe' | 'finalized') =>
  BigInt((await anvil.rpc<{ number: Hex }>('eth_getBlockByNumber', [tag, false])).number)

describe.each(['safe', 'finalized'] as const)('finality: %s', (tag) => {
  it(`follows the "${tag}" block and never emits a block above it`, async () => {
    proxy = await startFaultProxy(anvil.url)
    const source = new RpcSource(rpcSourceOptions.parse({ providers: [proxy.url], pollIntervalMs: 20 }), chain, quiet)
    const ac = new AbortController()
    const timer = setTimeout(() => ac.abort(new Error('test timed out')), 30_000)
    const events = source
      .stream({ chain, from: 0n, filters: [], finality: tag, signal: ac.signal })
      [Symbol.asyncIterator]()
    const next = async () => {
      const { value } = await events.next()
      return value?.type === 'block' ? value.header.number : undefined
    }
    /** Takes blocks up to the node's tag, then checks that nothing above it comes while the chain stands still. */
    const upToTag = async (from: bigint) => {
      const target = await tagged(tag)
      for (let n = from; n <= target; n++) expect(await next()).toBe(n)
      const pending = next()
      const early = await Promise.race([pending, new Promise((r) => setTimeout(() => r('none'), 500))])
      return { target, early, pending }
    }
    const first = await upToTag(0n)
    const latest = BigInt(await anvil.rpc<Hex>('eth_blockNumber'))
    expect(first.target).toBe(latest - BigInt(tag === 'safe' ? SLOTS : 2 * SLOTS))
    expect(first.early).toBe('none')
    await anvil.rpc('anvil_mine', ['0x6'])
    expect(await first.pending).toBe(first.target + 1n)
    const second = await upToTag(first.target + 2n)
    expect(second.target).toBe(first.target + 6n)
    expect(second.early).toBe('none')
    clearTimeout(timer)
    ac.abort()
    await events.return?.(undefined)
    await source.close()
    expect(proxy.calls.get('eth_blockNumber') ?? 0).toBe(0)
  })
})
