import type { ChainEvent, LogFilter } from '@qenus/core'
import { type Devnet, type FaultProxy, startDevnet, startFaultProxy } from '@qenus/testkit'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { blocks, collect, makeSource, recorder, swapFilters, untilBlock } from '../test/faults.js'
import type { RpcSource } from './source.js'

let devnet: Devnet
let filters: LogFilter[]
let proxy: FaultProxy
let source: RpcSource | undefined

beforeAll(async () => {
  devnet = await startDevnet()
  await devnet.traffic({ seed: 31, swaps: 30, txPerBlock: 3 })
  filters = swapFilters(devnet)
})
afterAll(() => devnet?.stop())
afterEach(async () => {
  await source?.close()
  await proxy?.stop()
})

/** The clean stream of [from, to] over http polling: what every ws run must equal. */
const clean = (from: bigint, to: bigint) =>
  collect(makeSource([devnet.rpcUrl], recorder().logger), { from, to, filters })

/** Blocks with swaps, one at a time, with `between` run before each. */
async function traffic(blocksToMine: number, between: (i: number) => void | Promise<void> = () => {}) {
  for (let i = 0; i < blocksToMine; i++) {
    await between(i)
    await devnet.traffic({ seed: 100 + i, swaps: 2, txPerBlock: 2 })
    await new Promise((r) => setTimeout(r, 30))
  }
}

/** Follows from two blocks below the head until `blocksToMine` more blocks, driving `scenario` once the head is reached. */
async function follow(source: RpcSource, blocksToMine: number, scenario: () => Promise<void>) {
  const head = await devnet.publicClient.getBlockNumber()
  const from = head - 2n
  let run: Promise<void> | undefined
  const subscribed = async () => {
    while (!source.health().heads?.subscribed) await new Promise((r) => setTimeout(r, 10))
  }
  const events = await collect(source, { from, filters }, untilBlock(head + BigInt(blocksToMine)), (e) => {
    if (!run && e.type === 'block' && e.header.number === head) run = subscribed().then(scenario)
  }).finally(() => run)
  expect(events).toEqual(await clean(from, head + BigInt(blocksToMine)))
  return events
}

const heads = (of: RpcSource) => of.health().heads!

it('follows by a newHeads subscription over ws, taking headers from it, and fills a missed head', async () => {
  proxy = await startFaultProxy(devnet.rpcUrl)
  const rec = recorder()
  source = makeSource([proxy.wsUrl], rec.logger)
  const events = await follow(source, 5, async () => {
    proxy.resetCounts()
    await traffic(5, (i) => {
      if (i === 2) proxy.ws.dropNotifications(1)
    })
  })
  expect(blocks(events).flatMap((b) => b.logs).length).toBeGreaterThan(5)
  expect(heads(source)).toMatchObject({ mode: 'ws', sockets: 1, stalls: 0 })
  expect(heads(source).fromWs).toBeGreaterThanOrEqual(4)
  expect(proxy.ws.notifications).toBeGreaterThanOrEqual(4)
  // Headers come with the notifications: only the missed one is asked for.
  expect(proxy.calls.get('eth_getBlockByNumber') ?? 0).toBeLessThanOrEqual(2)
})

it('reconnects a dropped socket with backoff and fills the blocks mined meanwhile', async () => {
  proxy = await startFaultProxy(devnet.rpcUrl)
  const rec = recorder()
  // Requests fail over to the http provider while the ws one reconnects.
  source = makeSource([devnet.rpcUrl, proxy.wsUrl], rec.logger, { heads: 'ws' })
  await follow(source, 6, async () => {
    proxy.ws.closeAll()
    await devnet.mine(2)
    await traffic(4)
  })
  expect(heads(source).sockets).toBeGreaterThanOrEqual(2)
  expect(rec.lines.some((l) => l.message === 'newHeads subscription dropped; reconnecting')).toBe(true)
})

it('replaces a subscription that stalls without closing, and fills the gap', async () => {
  proxy = await startFaultProxy(devnet.rpcUrl)
  const rec = recorder()
  source = makeSource([proxy.wsUrl], rec.logger, { headStallMs: 300 })
  await follow(source, 6, async () => {
    proxy.ws.stallOpenSockets()
    await traffic(6, () => new Promise((r) => setTimeout(r, 100)))
  })
  expect(heads(source).stalls).toBeGreaterThanOrEqual(1)
  expect(heads(source).sockets).toBeGreaterThanOrEqual(2)
  expect(rec.lines.some((l) => l.message === 'newHeads subscription stalled; replacing it')).toBe(true)
})

it('with heads: both, polls beside the subscription; the first report wins and no block repeats', async () => {
  proxy = await startFaultProxy(devnet.rpcUrl)
  source = makeSource([devnet.rpcUrl, proxy.wsUrl], recorder().logger, { heads: 'both' })
  const events: ChainEvent[] = await follow(source, 5, () => traffic(5))
  const numbers = blocks(events).map((b) => b.header.number)
  expect(new Set(numbers).size).toBe(numbers.length)
  const { fromWs, fromPoll, mode } = heads(source)
  expect(mode).toBe('both')
  expect(fromWs + fromPoll).toBeGreaterThanOrEqual(5)
  expect(fromWs).toBeGreaterThan(0)
})
