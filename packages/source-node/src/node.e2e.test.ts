import { rmSync } from 'node:fs'
import { createConnection, createServer, type Server, type Socket } from 'node:net'
import { join } from 'node:path'
import { type BlockEvent, type ChainEvent, type ChainInfo, KNOWN_CHAINS, Metrics, type PendingEvent } from '@qenus/core'
import { type Devnet, startDevnet } from '@qenus/testkit'
import { parseAbi } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type NodeSourceOptionsInput, nodeSourceOptions } from './node/options.js'
import { NodeSource } from './node/source.js'

const POOL_ABI = parseAbi([
  'function slot0() view returns (uint160 sqrtPriceX96, int24 tick, uint16, uint16, uint16, uint8, bool)',
  'function liquidity() view returns (uint128)',
])
const chain: ChainInfo = { ...KNOWN_CHAINS.devnet, blockTimeMs: 200 }
const quiet = { info: () => undefined, warn: () => undefined }

let devnet: Devnet

beforeAll(async () => {
  devnet = await startDevnet()
  await devnet.traffic({ seed: 5, swaps: 12, txPerBlock: 4 })
})
afterAll(async () => {
  await devnet?.stop()
})

const sourceOf = (options: NodeSourceOptionsInput, metrics?: Metrics) =>
  new NodeSource(nodeSourceOptions.parse(options), chain, quiet, metrics)

/** Pulls events from a stream in the background, keeping them in `events`. */
function follow(source: NodeSource, from: bigint | 'head') {
  const controller = new AbortController()
  const events: ChainEvent[] = []
  const done = (async () => {
    for await (const event of source.stream({ chain, from, filters: [], signal: controller.signal })) events.push(event)
  })()
  const stop = () => {
    controller.abort()
    return done
  }
  return { events, stop }
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

const blocks = (events: ChainEvent[]) => events.filter((e): e is BlockEvent => e.type === 'block')

/** A unix socket in front of anvil's IPC socket whose connections the test can cut. */
function ipcProxy(target: string, path: string): { server: Server; cut: () => void } {
  const open = new Set<Socket>()
  const server = createServer((client) => {
    const upstream = createConnection(target)
    for (const s of [client, upstream]) {
      open.add(s)
      s.on('close', () => open.delete(s))
      s.on('error', () => undefined)
    }
    client.pipe(upstream).pipe(client)
  })
  server.listen(path)
  return {
    server,
    cut: () => {
      for (const s of open) s.destroy()
    },
  }
}

describe('NodeSource over anvil', () => {
  it('streams pending transactions with their full bodies, as the node reports them', async () => {
    const source = sourceOf({ ipc: devnet.ipcPath, mempool: true })
    const run = follow(source, 'head')
    try {
      await until('mempool subscription', () => source.health().mempool?.subscribed === true)
      const hash = await devnet.walletClient.sendTransaction({
        account: devnet.accounts[2]!,
        to: devnet.accounts[3]!,
        value: 12_345n,
      })
      await until('pending event', () => run.events.some((e) => e.type === 'pending' && e.hash === hash))
      const pending = run.events.find((e): e is PendingEvent => e.type === 'pending' && e.hash === hash)!
      const expected = (await devnet.publicClient.request({
        method: 'eth_getTransactionByHash',
        params: [hash],
      })) as Record<string, unknown>
      for (const key of ['from', 'to', 'value', 'nonce', 'input', 'gas', 'maxFeePerGas', 'type']) {
        expect(pending.transaction[key], key).toBe(expected[key])
      }
      await devnet.mine(1)
      const mined = await devnet.publicClient.getTransactionReceipt({ hash })
      await until('its block', () => blocks(run.events).some((e) => e.header.hash === mined.blockHash))
    } finally {
      await run.stop()
      await source.close()
    }
  })

  it('reconnects a dropped socket and streams on without a gap; /health and /metrics show the node', async () => {
    const path = join(devnet.ipcPath, '..', 'proxy.ipc')
    const proxy = ipcProxy(devnet.ipcPath, path)
    const metrics = new Metrics()
    const source = sourceOf({ ipc: path, healthIntervalMs: 100 }, metrics)
    const start = await devnet.publicClient.getBlockNumber()
    const run = follow(source, start)
    try {
      await until('the head', () => blocks(run.events).some((e) => e.header.number === start))
      proxy.cut()
      await devnet.mine(3)
      await until('three more blocks', () => blocks(run.events).some((e) => e.header.number === start + 3n))
      const streamed = blocks(run.events)
      expect(streamed.map((e) => e.header.number)).toEqual([0n, 1n, 2n, 3n].map((i) => start + i))
      for (const event of streamed) {
        expect(event.header.hash).toBe((await devnet.publicClient.getBlock({ blockNumber: event.header.number })).hash)
      }
      const head = await devnet.publicClient.getBlock()
      await until('health sees the head', () => source.health().head?.number === `${head.number}`)
      const health = source.health()
      expect(health).toMatchObject({ state: 'ok', endpoint: path, connected: true, syncing: false, peers: undefined })
      expect(health.connections).toBeGreaterThanOrEqual(2)
      const age = Date.now() / 1000 - Number(head.timestamp)
      expect(Math.abs(health.head!.ageSeconds - age)).toBeLessThan(5)
      const text = await metrics.registry.metrics()
      expect(text).toContain('qenus_node_connected{chain="devnet"} 1')
      expect(text).toContain('qenus_node_syncing{chain="devnet"} 0')
      expect(text).toMatch(/qenus_node_connections_total\{chain="devnet"\} [2-9]/)
      expect(text).toMatch(/qenus_node_head_age_seconds\{chain="devnet"\} \d/)
    } finally {
      await run.stop()
      await source.close()
      proxy.server.close()
      rmSync(path, { force: true })
    }
  })

  it('reads pool state at a block through one batched multicall, equal to viem over http', async () => {
    const source = sourceOf({ ipc: devnet.ipcPath })
    try {
      const block = await devnet.publicClient.getBlock()
      const reader = source.reader({ number: block.number, hash: block.hash })
      const calls = devnet.pools.flatMap((pool) => [
        { address: pool.address, abi: POOL_ABI, functionName: 'slot0' as const },
        { address: pool.address, abi: POOL_ABI, functionName: 'liquidity' as const },
      ])
      const results = await reader.multicall(calls)
      for (const [i, call] of calls.entries()) {
        const expected = await devnet.publicClient.readContract({ ...call, blockNumber: block.number })
        expect(results[i]).toEqual({ status: 'success', result: expected })
      }
    } finally {
      await source.close()
    }
  })
})
