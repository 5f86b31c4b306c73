import { type BlockRef, type ChainInfo, KNOWN_CHAINS, type ReadContractParameters } from '@qenus/core'
import type { CompiledContract } from '@qenus/testkit'
import { decodeFunctionResult, encodeFunctionData, type Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Anvil, compile, MULTICALL3, startAnvil, startCountingProxy, wallet } from '../test/harness.js'
import { rpcSourceOptions } from './options.js'
import { RpcSource } from './source.js'

const chain: ChainInfo = KNOWN_CHAINS.devnet
const logger = { debug: () => {}, info: () => {}, warn: () => {} }

let anvil: Anvil
let proxy: Awaited<ReturnType<typeof startCountingProxy>>
let emitter: CompiledContract & { address: Hex }
let before: BlockRef
let after: BlockRef

const hex = (n: bigint) => `0x${n.toString(16)}`
const ref = async (): Promise<BlockRef> => {
  const b = await anvil.rpc<{ number: Hex; hash: Hex }>('eth_getBlockByNumber', ['latest', false])
  return { number: BigInt(b.number), hash: b.hash }
}
const read = (functionName: string, args: unknown[] = []) =>
  ({ address: emitter.address, abi: emitter.abi, functionName, args }) as unknown as ReadContractParameters

/** The node's own answer to one call at `block`, decoded: the independent expectation. */
async function nodeRead(block: BlockRef, call: ReadContractParameters) {
  const data = encodeFunctionData(call as never)
  try {
    const out = await anvil.rpc<Hex>('eth_call', [{ to: call.address, data }, hex(block.number)])
    return { status: 'success', result: decodeFunctionResult({ ...(call as object), data: out } as never) }
  } catch {
    return { status: 'failure' }
  }
}

const shape = (results: { status: string; result?: unknown }[]) =>
  results.map((r) => (r.status === 'success' ? { status: r.status, result: r.result } : { status: r.status }))

const ethCallsTo = () =>
  (proxy.bodies as unknown as { method: string; params: [{ to: string }] }[])
    .filter((b) => b.method === 'eth_call')
    .map((b) => b.params[0].to.toLowerCase())

beforeAll(async () => {
  anvil = await startAnvil()
  proxy = await startCountingProxy(anvil.url)
  const { Emitter, Multicall3 } = await compile()
  await anvil.rpc('anvil_setCode', [MULTICALL3, Multicall3.deployedBytecode])
  const w = wallet(anvil)
  const hash = await w.deployContract({ abi: Emitter.abi, bytecode: Emitter.bytecode })
  const receipt = await anvil.client.waitForTransactionReceipt({ hash })
  emitter = { ...Emitter, address: receipt.contractAddress!.toLowerCase() as Hex }
  before = await ref()
  for (const v of [7n, 9n]) {
    await anvil.client.waitForTransactionReceipt({
      hash: await w.writeContract({ address: emitter.address, abi: emitter.abi, functionName: 'pong', args: [v] }),
    })
  }
  after = await ref()
})

afterAll(async () => {
  await proxy?.stop()
  await anvil?.stop()
})

const source = (on: ChainInfo = chain) => new RpcSource(rpcSourceOptions.parse({ providers: [proxy.url] }), on, logger)

describe('reader', () => {
  const calls = () => [
    ...[0n, 1n, 2n, 5n, 2n ** 200n].map((x) => read('triple', [x])),
    read('values', [7n]),
    read('values', [9n]),
    read('fail'),
  ]

  it('multicall equals individual eth_calls at the bound block, failures included', async () => {
    for (const block of [before, after]) {
      const got = await source().reader(block).multicall(calls())
      const expected = await Promise.all(calls().map((c) => nodeRead(block, c)))
      expect(shape(got)).toEqual(expected)
      expect(got.at(-1)).toMatchObject({ status: 'failure' })
    }
    expect((await nodeRead(after, read('values', [7n]))).result).toBe(21n)
  })

  it('coalesces reads issued together for one block into ONE aggregate3 eth_call', async () => {
    const src = source()
    proxy.reset()
    const extractor = async (reads: ReadContractParameters[], delayed: boolean) => {
      if (delayed) await Promise.resolve()
      return src.reader(after).multicall(reads)
    }
    const all = calls()
    const results = await Promise.all([
      extractor(all.slice(0, 3), false),
      extractor(all.slice(3, 6), true),
      extractor(all.slice(6), false),
    ])
    expect(ethCallsTo()).toEqual([MULTICALL3.toLowerCase()])
    expect(shape(results.flat())).toEqual(await Promise.all(all.map((c) => nodeRead(after, c))))
  })

  it('keeps reads of different blocks apart', async () => {
    const src = source()
    proxy.reset()
    const [a, b] = await Promise.all([
      src.reader(before).multicall([read('values', [9n])]),
      src.reader(after).multicall([read('values', [9n])]),
    ])
    expect(ethCallsTo()).toEqual([MULTICALL3.toLowerCase(), MULTICALL3.toLowerCase()])
    expect([a[0], b[0]]).toEqual([
      { status: 'success', result: 0n },
      { status: 'success', result: 27n },
    ])
  })

  it('falls back to one eth_call per read where the chain has no Multicall3', async () => {
    proxy.reset()
    const got = await source({ ...chain, multicall3: undefined })
      .reader(after)
      .multicall(calls())
    expect(ethCallsTo()).toEqual(calls().map(() => emitter.address))
    expect(shape(got)).toEqual(await Promise.all(calls().map((c) => nodeRead(after, c))))
  })

  it('call and readContract read at the bound block', async () => {
    const reader = source().reader(before)
    const data = encodeFunctionData({ abi: emitter.abi, functionName: 'values', args: [7n] })
    expect(await reader.call({ to: emitter.address, data })).toBe(
      await anvil.rpc('eth_call', [{ to: emitter.address, data }, hex(before.number)]),
    )
    expect(
      await source()
        .reader(after)
        .readContract(read('values', [7n]) as never),
    ).toBe(21n)
    expect(await reader.readContract(read('values', [7n]) as never)).toBe(0n)
    await expect(reader.readContract(read('fail') as never)).rejects.toThrow(
      /readContract fail failed on http:\/\/127\.0\.0\.1:\d+: [\s\S]*nope/,
    )
  })
})
