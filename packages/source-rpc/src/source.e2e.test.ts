import { type BlockEvent, type ChainEvent, type ChainInfo, KNOWN_CHAINS, type StreamRequest } from '@qenus/core'
import { encodeEventTopics, type Hex, parseEther } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { collect } from '../test/faults.js'
import {
  type Anvil,
  compile,
  nodeBlock,
  nodeLogs,
  receiptLogs,
  startAnvil,
  startCountingProxy,
  wallet,
} from '../test/harness.js'
import { rpcSourceOptions } from './options.js'
import { RpcSource } from './source.js'

const chain: ChainInfo = { ...KNOWN_CHAINS.devnet, finalityDepth: 32 }
const lines: { level: string; fields: object; message: string }[] = []
const logger = {
  debug: (fields: object, message: string) => lines.push({ level: 'debug', fields, message }),
  info: (fields: object, message: string) => lines.push({ level: 'info', fields, message }),
  warn: (fields: object, message: string) => lines.push({ level: 'warn', fields, message }),
}

let anvil: Anvil
let emitterA: Hex
let emitterB: Hex
let abi: Awaited<ReturnType<typeof compile>>['Emitter']['abi']

const source = (overrides: Record<string, unknown> = {}, on: ChainInfo = chain) =>
  new RpcSource(rpcSourceOptions.parse({ providers: [anvil.url], pollIntervalMs: 25, ...overrides }), on, logger)

type Request = Omit<StreamRequest, 'chain' | 'signal'>

/** Streams this file's chain until `stop` says so (or the stream ends), within a time limit. */
const take = (
  src: RpcSource,
  request: Request,
  stop?: (events: ChainEvent[]) => boolean,
  onEvent?: (event: ChainEvent) => void,
): Promise<ChainEvent[]> => collect(src, { chain, ...request }, stop, onEvent)

const blocks = (events: ChainEvent[]) => events.filter((e): e is BlockEvent => e.type === 'block')
const head = async () => BigInt(await anvil.rpc<Hex>('eth_blockNumber'))
const lastBlockIs = (n: bigint) => (events: ChainEvent[]) =>
  events.at(-1)?.type === 'block' && (events.at(-1) as BlockEvent).header.number === n

/** Each emitted header equals what eth_getBlockByNumber says now. */
async function expectCanonical(events: BlockEvent[]) {
  for (const { header } of events) {
    const node = await nodeBlock(anvil, header.number)
    expect({
      ...header,
      baseFeePerGas: undefined,
      blobGasUsed: undefined,
      excessBlobGas: undefined,
      logsBloom: undefined,
      miner: undefined,
    }).toEqual({
      ...node,
      baseFeePerGas: undefined,
      blobGasUsed: undefined,
      excessBlobGas: undefined,
      logsBloom: undefined,
      miner: undefined,
    })
  }
}

/** Block numbers ascend by one with each parent hash linking to the previous block. */
function expectContiguous(events: BlockEvent[], from: bigint) {
  events.forEach((e, i) => {
    expect(e.header.number).toBe(from + BigInt(i))
    if (i > 0) expect(e.header.parentHash).toBe(events[i - 1].header.hash)
  })
}

async function traffic(rounds: number) {
  const w = wallet(anvil)
  for (let i = 0; i < rounds; i++) {
    await w.writeContract({
      address: emitterA,
      abi,
      functionName: 'ping',
      args: [BigInt(i), `0x${'ab'.repeat(i + 1)}`],
    })
    await w.writeContract({ address: emitterB, abi, functionName: 'pong', args: [BigInt(i)] })
    await w.writeContract({ address: emitterB, abi, functionName: 'ping', args: [BigInt(100 + i), '0x'] })
    await w.sendTransaction({ to: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', value: parseEther('0.01') })
    if (i % 3 === 0) await anvil.rpc('anvil_mine', ['0x2'])
  }
}

beforeAll(async () => {
  anvil = await startAnvil()
  const { Emitter } = await compile()
  abi = Emitter.abi
  const w = wallet(anvil)
  const deploy = async () => {
    const hash = await w.deployContract({ abi, bytecode: Emitter.bytecode })
    const receipt = await anvil.client.waitForTransactionReceipt({ hash })
    return receipt.contractAddress!.toLowerCase() as Hex
  }
  emitterA = await deploy()
  emitterB = await deploy()
  await traffic(6)
})

afterAll(async () => {
  await anvil?.stop()
})

describe('catch-up', () => {
  it('streams blocks 0..to equal to the node, with exactly the logs each filter selects, then ends', async () => {
    const to = await head()
    const filters = [
      { address: emitterA },
      { address: [emitterB], topics: [encodeEventTopics({ abi, eventName: 'Ping' })[0]] },
    ]
    const events = await take(source({ maxBlockRange: 5 }), { from: 0n, to, filters })
    const got = blocks(events)
    expect(events).toHaveLength(got.length)
    expectContiguous(got, 0n)
    expect(got.at(-1)?.header.number).toBe(to)
    await expectCanonical(got)
    const expected = await nodeLogs(anvil, 0n, to, filters)
    expect(expected.length).toBeGreaterThan(10)
    expect(got.flatMap((b) => b.logs)).toEqual(expected)
    expect(
      got.flatMap((b) => b.logs).some((l) => l.address === emitterB && l.topics[0] !== filters[1].topics?.[0]),
    ).toBe(false)
  })

  it('emits every log of every receipt for a match-all filter, ordered by logIndex', async () => {
    const to = await head()
    const got = blocks(await take(source(), { from: 0n, to, filters: [{}] }))
    for (const block of got) {
      expect(block.logs).toEqual(await receiptLogs(anvil, block.header.number))
      expect(block.logs.map((l) => l.logIndex)).toEqual(block.logs.map((_, i) => i))
    }
    expect(got.reduce((n, b) => n + b.logs.length, 0)).toBeGreaterThan(20)
  })

  it('fetches no logs when no filter is declared', async () => {
    const proxy = await startCountingProxy(anvil.url)
    try {
      const to = await head()
      const src = new RpcSource(rpcSourceOptions.parse({ providers: [proxy.url] }), chain, logger)
      const got = blocks(await take(src, { from: to - 3n, to, filters: [] }))
      expect(got.map((b) => b.logs)).toEqual([[], [], [], []])
      expect(proxy.counts.get('eth_getLogs')).toBeUndefined()
    } finally {
      await proxy.stop()
    }
  })
})

describe('follow', () => {
  it('catches up from block 0 then follows new blocks without a gap or duplicate', async () => {
    const start = await head()
    const filters = [{ address: [emitterA, emitterB] }]
    let started = false
    const events = await take(source({ maxBlockRange: 4 }), { from: 0n, filters }, lastBlockIs(start + 8n), (e) => {
      if (!started && e.type === 'block' && e.header.number === start) {
        started = true
        void traffic(2)
      }
    })
    const got = blocks(events)
    expect(events).toHaveLength(got.length)
    expectContiguous(got, 0n)
    await expectCanonical(got)
    expect(got.flatMap((b) => b.logs)).toEqual(await nodeLogs(anvil, 0n, start + 8n, filters))
  })

  it('starts at the head with from: "head" and ends at `to` while following', async () => {
    const start = await head()
    const events = await take(
      source(),
      { from: 'head', to: start + 2n, filters: [] },
      () => false,
      (e) => {
        if (e.type === 'block' && e.header.number === start) void anvil.rpc('anvil_mine', ['0x4'])
      },
    )
    expect(blocks(events).map((b) => b.header.number)).toEqual([start, start + 1n, start + 2n])
  })

  it('ends promptly when the signal aborts mid-poll', async () => {
    const ac = new AbortController()
    const iterator = source({ pollIntervalMs: 60_000 }).stream({ chain, from: 'head', filters: [], signal: ac.signal })
    const first = await iterator.next()
    expect(first.done).toBe(false)
    const pending = iterator.next()
    await new Promise((r) => setTimeout(r, 100))
    const t0 = performance.now()
    ac.abort()
    expect(await pending).toEqual({ done: true, value: undefined })
    expect(performance.now() - t0).toBeLessThan(100)
  })
  it('ignores a head that goes backwards (a lagging node) and never rolls back', async () => {
    const proxy = await startCountingProxy(anvil.url)
    try {
      const start = await head()
      // The head poll asks for the latest block (with its header); a lagging node answers an older one.
      const older = await anvil.rpc('eth_getBlockByNumber', [`0x${(start - 2n).toString(16)}`, false])
      const src = new RpcSource(rpcSourceOptions.parse({ providers: [proxy.url], pollIntervalMs: 20 }), chain, logger)
      lines.length = 0
      const events = await take(src, { from: start - 2n, filters: [] }, lastBlockIs(start + 2n), (e) => {
        if (e.type !== 'block' || e.header.number !== start) return
        proxy.state.rewrite = (call, reply) => {
          if (call.method === 'eth_blockNumber') return { ...reply, result: `0x${(start - 2n).toString(16)}` }
          const latest = call.method === 'eth_getBlockByNumber' && (call.params as unknown[])[0] === 'latest'
          return latest ? { ...reply, result: older } : reply
        }
        void (async () => {
          await new Promise((r) => setTimeout(r, 150))
          proxy.state.rewrite = undefined
          await anvil.rpc('anvil_mine', ['0x2'])
        })()
      })
      expect(events.map((e) => e.type)).toEqual(['block', 'block', 'block', 'block', 'block'])
      expectContiguous(blocks(events), start - 2n)
      expect(lines.some((l) => l.level === 'warn' && /head went backwards/.test(l.message))).toBe(true)
    } finally {
      await proxy.stop()
    }
  })
})

describe('reorgs', () => {
  for (const depth of [1, 5, 20]) {
    it(`reverts to the common ancestor on a depth-${depth} reorg, then emits the new branch`, async () => {
      await anvil.rpc('anvil_mine', ['0x2'])
      const start = await head()
      const before = await nodeBlock(anvil, start - BigInt(depth))
      const old = await Promise.all(Array.from({ length: depth }, (_, i) => nodeBlock(anvil, start - BigInt(i))))
      const from = start - BigInt(depth) - 5n
      const events = await take(source(), { from, filters: [{}] }, lastBlockIs(start + 1n), (e) => {
        if (e.type === 'block' && e.header.number === start && e.header.hash === old[0].hash) {
          void (async () => {
            const tx = {
              from: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
              to: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
              value: '0x1',
            }
            await anvil.rpc('anvil_reorg', [depth, [[tx, 0]]])
            await anvil.rpc('evm_mine')
          })()
        }
      })
      const revertAt = events.findIndex((e) => e.type === 'revert')
      expect(revertAt).toBe(depth + 6)
      expect(events[revertAt]).toEqual({
        type: 'revert',
        chain,
        to: { number: before.number, hash: before.hash },
        reverted: old.map((b) => ({ number: b.number, hash: b.hash })),
      })
      const after = blocks(events.slice(revertAt + 1))
      expectContiguous(after, before.number + 1n)
      expect(after[0].header.parentHash).toBe(before.hash)
      expect(after.every((b, i) => i >= depth || b.header.hash !== old[depth - 1 - i].hash)).toBe(true)
      await expectCanonical(after)
      for (const b of after) expect(b.logs).toEqual(await receiptLogs(anvil, b.header.number))
    })
  }

  it('reverts first when the last resume ref is no longer canonical', async () => {
    await anvil.rpc('anvil_mine', ['0x3'])
    const start = await head()
    const refs = await Promise.all([3n, 2n, 1n, 0n].map((i) => nodeBlock(anvil, start - i)))
    const resume = refs.map((b) => ({ number: b.number, hash: b.hash }))
    await anvil.rpc('anvil_reorg', [2, []])
    const events = await take(source(), { from: 0n, to: start, resume, filters: [] })
    expect(events[0]).toEqual({ type: 'revert', chain, to: resume[1], reverted: [resume[3], resume[2]] })
    const got = blocks(events.slice(1))
    expect(got.map((b) => b.header.number)).toEqual([start - 1n, start])
    expect(got[0].header.parentHash).toBe(resume[1].hash)
    await expectCanonical(got)
  })

  it('continues right after a canonical resume point without a revert', async () => {
    const start = await head()
    const resume = [await nodeBlock(anvil, start - 2n)].map((b) => ({ number: b.number, hash: b.hash }))
    const events = await take(source(), { from: 0n, to: start, resume, filters: [] })
    expect(events.map((e) => e.type)).toEqual(['block', 'block'])
    expect(blocks(events)[0].header.parentHash).toBe(resume[0].hash)
  })

  it('fails with a clear error on a reorg deeper than the finality depth', async () => {
    const start = await head()
    const resume = await Promise.all([9n, 0n].map((i) => nodeBlock(anvil, start - i)))
    await anvil.rpc('anvil_reorg', [10, []])
    const shallow: ChainInfo = { ...chain, finalityDepth: 4 }
    const run = take(source({}, shallow), { from: 0n, to: start, resume, filters: [] })
    await expect(run).rejects.toMatchObject({ code: 'SOURCE_REORG_TOO_DEEP', name: 'FatalError' })
    await expect(run).rejects.toThrow(/deeper than its finality depth \(4\)/)
  })
})

describe('errors', () => {
  it('rejects a provider of another chain id, naming the provider only redacted', async () => {
    const proxy = await startCountingProxy(anvil.url)
    try {
      const url = `${proxy.url}/v3/SECRET-KEY`
      const wrong: ChainInfo = { ...chain, name: 'ethereum', chainId: 1 }
      const src = new RpcSource(rpcSourceOptions.parse({ providers: [url] }), wrong, logger)
      const run = take(src, { from: 0n, filters: [] })
      await expect(run).rejects.toMatchObject({ code: 'SOURCE_WRONG_CHAIN', name: 'FatalError' })
      const error = await run.catch((e: Error) => e)
      expect(String(error)).toContain(`chain id 31337, but chain "ethereum" is 1`)
      expect(String(error)).toContain(`${proxy.url}/<redacted>`)
      expect(JSON.stringify(lines) + String(error)).not.toContain('SECRET')
    } finally {
      await proxy.stop()
    }
  })

  it('turns an unreachable provider into a retryable error without leaking its URL', async () => {
    const src = new RpcSource(
      rpcSourceOptions.parse({ providers: ['http://127.0.0.1:9/key/SECRET?apikey=SECRET'], requestTimeoutMs: 1000 }),
      chain,
      logger,
    )
    const error = (await take(src, { from: 0n, filters: [] }).catch((e: unknown) => e)) as Error & { cause?: Error }
    expect(error).toMatchObject({ code: 'RPC_REQUEST_FAILED', name: 'RetryableError', retryable: true })
    expect(error.message).toContain('eth_chainId failed on http://127.0.0.1:9/<redacted>')
    expect(`${error.message} ${error.cause?.message}`).not.toContain('SECRET')
  })
})
