import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type ChainInfo, KNOWN_CHAINS } from '@qenus/core'
import { type FaultProxy, startFaultProxy } from '@qenus/testkit'
import { encodeFunctionData, type Hex, parseEther } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Anvil, compile, startAnvil, wallet } from '../test/harness.js'
import { type ExtractorProbe, rpcPipeline, waitFor } from '../test/pipeline.js'

const chain: ChainInfo = { ...KNOWN_CHAINS.devnet, finalityDepth: 16 }
/** anvil tags `finalized` two epochs below the latest block. */
const SLOTS = 3

let anvil: Anvil
let proxy: FaultProxy
let emitter: Hex

beforeAll(async () => {
  anvil = await startAnvil(['--slots-in-an-epoch', String(SLOTS)])
  const { Emitter } = await compile()
  const w = wallet(anvil)
  const created = await w.deployContract({ abi: Emitter.abi, bytecode: Emitter.bytecode })
  emitter = (await anvil.client.waitForTransactionReceipt({ hash: created })).contractAddress as Hex
  for (let i = 0; i < 12; i++) {
    if (i % 2) await w.sendTransaction({ to: '0x000000000000000000000000000000000000dEaD', value: parseEther('0.01') })
    else
      await w.sendTransaction({
        to: emitter,
        data: encodeFunctionData({ abi: Emitter.abi, functionName: 'pong', args: [BigInt(i)] }),
      })
  }
  proxy = await startFaultProxy(anvil.url)
})
afterAll(async () => {
  await proxy?.stop()
  await anvil?.stop()
})

describe('the runtime over source-rpc', () => {
  it('passes receipts only to the extractor that asked, and follows the finalized block when configured', async () => {
    const filters = [{ address: emitter }]
    const wants: ExtractorProbe = { id: 'wants-receipts', receipts: true, seen: new Map() }
    const plain: ExtractorProbe = { id: 'plain', seen: new Map() }
    const finalized = async () =>
      BigInt((await anvil.rpc<{ number: Hex }>('eth_getBlockByNumber', ['finalized', false])).number)
    const target = await finalized()
    const { pipeline, written } = rpcPipeline(
      [{ info: chain, source: { providers: [proxy.url], pollIntervalMs: 20 }, finality: 'finalized' }],
      filters,
      await mkdtemp(join(tmpdir(), 'qenus-rpc-runtime-')),
      { from: 0n },
      [wants, plain],
    )
    await pipeline.start()
    try {
      await waitFor('the finalized block', () => written.get(chain.name)?.at(-1)?.block === target)
      await new Promise((r) => setTimeout(r, 300))
      expect(written.get(chain.name)?.at(-1)?.block).toBe(target)
      for (let n = 1n; n <= target; n++) {
        const block = await anvil.client.getBlock({ blockNumber: n })
        expect(wants.seen.get(n)?.map((r) => r.transactionHash)).toEqual(block.transactions)
        expect(plain.seen.has(n)).toBe(true)
        expect(plain.seen.get(n)).toBeUndefined()
      }
      await anvil.rpc('anvil_mine', ['0x3'])
      await waitFor('the next finalized block', () => written.get(chain.name)?.at(-1)?.block === target + 3n)
      expect(await finalized()).toBe(target + 3n)
    } finally {
      await pipeline.stop()
    }
  })
})
