import type { ChainEvent, LogFilter } from '@qenus/core'
import { redactUrl } from '@qenus/core'
import { type Devnet, type FaultProxy, type FaultRule, startDevnet, startFaultProxy } from '@qenus/testkit'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { blocks, collect, makeSource, recorder, restored, swapFilters, untilBlock } from '../test/faults.js'

let devnet: Devnet
let filters: LogFilter[]
let proxy: FaultProxy
let head: bigint
let from: bigint

/** The clean stream of [from, to]: one healthy provider, no proxy. */
async function clean(to: bigint): Promise<ChainEvent[]> {
  return collect(makeSource([devnet.rpcUrl], recorder().logger), { from, to, filters })
}

/** The bad provider is listed first and weighted up, so it gets the traffic until it is benched. */
function faultySource(overrides = {}) {
  const rec = recorder()
  const providers = [{ url: proxy.url, weight: 100 }, devnet.rpcUrl]
  return { ...rec, source: makeSource(providers, rec.logger, overrides), name: redactUrl(proxy.url) }
}

const benched = (lines: ReturnType<typeof recorder>['lines'], name: string) =>
  lines.filter((l) => l.message === 'provider benched' && l.fields['provider'] === name)

beforeAll(async () => {
  devnet = await startDevnet()
  await devnet.traffic({ seed: 11, swaps: 90, mints: 3, burns: 2, txPerBlock: 3 })
  filters = swapFilters(devnet)
  head = await devnet.publicClient.getBlockNumber()
  from = head - 40n
})
afterAll(() => devnet?.stop())
afterEach(() => proxy?.stop())

describe('catch-up under provider faults equals a clean run; the bad provider is benched, then restored', () => {
  const cases: [string, FaultRule][] = [
    [
      '429 with Retry-After',
      { fault: { type: 'http-status', status: 429, retryAfterSeconds: 1 }, methods: ['eth_getLogs'], times: 1 },
    ],
    ['HTTP 500', { fault: { type: 'http-status', status: 500 }, methods: ['eth_getBlockByNumber'], times: 3 }],
    ['a hang', { fault: { type: 'hang' }, methods: ['eth_getLogs'], times: 3 }],
    ['truncated JSON', { fault: { type: 'truncate' }, methods: ['eth_getBlockByNumber'], times: 3 }],
    ['a wrong chain id', { fault: { type: 'chain-id', chainId: 1 }, times: 1 }],
    ['logs with a wrong block hash', { fault: { type: 'log-block-hash' }, times: 1 }],
    ['a logs answer missing one log', { fault: { type: 'drop-log' }, times: 1 }],
  ]
  for (const [name, rule] of cases) {
    it(name, async () => {
      proxy = await startFaultProxy(devnet.rpcUrl)
      proxy.inject(rule)
      const { source, lines, name: bad } = faultySource()
      const events = await collect(source, { from, to: head, filters })
      expect(proxy.applied.get(rule.fault.type)).toBeGreaterThan(0)
      expect(events).toEqual(await clean(head))
      expect(blocks(events).flatMap((b) => b.logs).length).toBeGreaterThan(40)
      expect(benched(lines, bad).length).toBeGreaterThan(0)
      await restored(source, bad)
      const served = proxy.calls.get('eth_blockNumber') ?? 0
      await source.head()
      expect(proxy.calls.get('eth_blockNumber')).toBe(served + 1)
      expect(JSON.stringify(lines)).not.toContain(proxy.url.replace('http://', 'x'))
    })
  }

  for (const [name, fault] of [
    ['-32005 range too large', { type: 'range-limit', maxBlocks: 2 }],
    ['-32005 response too large', { type: 'response-limit', maxLogs: 6 }],
  ] as const) {
    it(`${name}: shrinks the eth_getLogs range without benching anyone`, async () => {
      proxy = await startFaultProxy(devnet.rpcUrl)
      proxy.inject({ fault })
      const rec = recorder()
      const source = makeSource([proxy.url], rec.logger, { maxBlockRange: 16 })
      const events = await collect(source, { from, to: head, filters })
      expect(proxy.applied.get(fault.type)).toBeGreaterThan(0)
      expect(events).toEqual(await clean(head))
      expect(rec.lines.some((l) => l.message === 'eth_getLogs range shrunk')).toBe(true)
      expect(benched(rec.lines, redactUrl(proxy.url))).toEqual([])
    })
  }
})

describe('heads under provider faults', () => {
  /** Follows from `from` while blocks are mined one by one, until `count` new blocks were emitted. */
  async function follow(source: ReturnType<typeof faultySource>['source'], count: bigint) {
    const start = await devnet.publicClient.getBlockNumber()
    let mining: Promise<void> | undefined
    const events = await collect(source, { from, filters }, untilBlock(start + count), (e) => {
      if (e.type !== 'block' || e.header.number !== start || mining) return
      mining = (async () => {
        for (let i = 0n; i < count; i++) {
          await new Promise((r) => setTimeout(r, 60))
          await devnet.mine(1)
        }
      })()
    })
    await mining
    return { events, to: start + count }
  }

  it('a head that stops moving: another provider is asked, the frozen one benched', async () => {
    proxy = await startFaultProxy(devnet.rpcUrl)
    const frozen = proxy.inject({ fault: { type: 'freeze-head' } })
    const { source, lines, name } = faultySource()
    const { events, to } = await follow(source, 6n)
    expect(frozen.applied).toBeGreaterThan(0)
    expect(benched(lines, name)[0]?.fields['reason']).toMatch(/lagging/)
    expect(events).toEqual(await clean(to))
    frozen.remove()
    await restored(source, name)
  })

  it('a head that goes backwards: never a rollback, the lagging provider benched', async () => {
    proxy = await startFaultProxy(devnet.rpcUrl)
    const behind = proxy.inject({ fault: { type: 'head-behind', blocks: 5 }, skip: 3, times: 2 })
    const { source, lines, name } = faultySource()
    const { events, to } = await follow(source, 4n)
    expect(behind.applied).toBeGreaterThan(0)
    expect(events.every((e) => e.type === 'block')).toBe(true)
    expect(events).toEqual(await clean(to))
    expect(benched(lines, name)[0]?.fields['reason']).toMatch(/lagging/)
    await restored(source, name)
  })
})
