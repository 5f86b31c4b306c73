import * as grpc from '@grpc/grpc-js'
import { loadSync } from '@grpc/proto-loader'
import type { FeatureBatch } from '@qenus/core'
import { protoPath as healthProto } from 'grpc-health-check'
import { afterEach, describe, expect, it } from 'vitest'
import {
  collect,
  DEVNET,
  dataplaneClient,
  fold,
  poolAddress,
  type SinkHarness,
  startSink,
  stateBatches,
  unary,
  until,
  type WireEvent,
} from '../test/helpers.js'

const open: SinkHarness[] = []
const clients: grpc.Client[] = []
afterEach(async () => {
  for (const client of clients.splice(0)) client.close()
  for (const harness of open.splice(0)) await harness.sink.close()
})

async function harness(options: Record<string, unknown> = {}): Promise<SinkHarness> {
  const h = await startSink(options)
  open.push(h)
  return h
}

function client(h: SinkHarness, options: grpc.ChannelOptions = {}) {
  const c = dataplaneClient(h.sink.target, undefined, options)
  clients.push(c)
  return c
}

interface WireSnapshot {
  chain: string
  chainId: string
  block: { number: string; hash: Buffer }
  // biome-ignore lint/suspicious/noExplicitAny: decoded message
  features: any[]
}

/** What a stream reader holds: every feature it received minus the retracted ones. */
function applyEvents(events: WireEvent[]) {
  const held: { id: string; kind: string; address: string; blockNumber: bigint }[] = []
  for (const e of events) {
    if (e.event === 'feature') {
      const f = e.feature
      held.push({
        id: f.id,
        kind: f.kind,
        address: `0x${f.address.toString('hex')}`,
        blockNumber: BigInt(f.blockNumber),
      })
    } else if (e.event === 'retraction') {
      const gone = new Set(e.retraction?.ids)
      for (let i = held.length - 1; i >= 0; i--) if (gone.has(held[i]!.id)) held.splice(i, 1)
    }
  }
  return held
}

const STATE = new Set(['amm.pool', 'gas.block'])

describe('GetSnapshot', () => {
  it('equals the fold of the stream at every block, under concurrent writes and after a reorg', async () => {
    const h = await harness()
    const c = client(h)
    const first = stateBatches(DEVNET, 100n, 20, { pools: 12, perBlock: 4 })
    for (const b of first.slice(0, 5)) await h.push(b)
    // The stream replays from the first block, then follows live through the reorg.
    const stream = c.StreamFeatures({ fromBlock: '100', blockEnds: true })
    const done = collect(stream)
    const during: Promise<WireSnapshot>[] = []
    for (const b of first.slice(5)) {
      await h.push(b)
      during.push(unary<WireSnapshot>(c, 'GetSnapshot', { chain: 'devnet', block: '104' }))
      during.push(unary<WireSnapshot>(c, 'GetSnapshot', { chain: 'devnet' }))
      await new Promise((r) => setImmediate(r))
    }
    // A reorg withdraws 116..119; a new branch replaces them and goes on to 124.
    const ancestor = first[15]!.block
    await h.revert(
      DEVNET,
      ancestor,
      first
        .slice(16)
        .map((b) => b.block)
        .reverse(),
    )
    const branch = stateBatches(DEVNET, 116n, 9, { pools: 12, perBlock: 4, branch: 1 })
    for (const b of branch) await h.push(b)
    const canonical = [...first.slice(0, 16), ...branch]
    await waitForBlockEnd(stream, 124n, done)
    stream.cancel()
    const { events } = await done
    const held = applyEvents(events)
    const stateOnly = held.filter((f) => STATE.has(f.kind))
    // What the reader holds equals the canonical chain's features: the retraction removed the rest.
    expect(held.map((f) => f.id)).toEqual(canonical.flatMap((b) => b.features.map((f) => f.id)))
    expect(events.filter((e) => e.event === 'retraction')).toHaveLength(1)
    for (let n = 100n; n <= 124n; n++) {
      const snap = await unary<WireSnapshot>(c, 'GetSnapshot', { chain: 'devnet', block: n.toString() })
      expect(
        snap.features.map((f) => f.id),
        `block ${n}`,
      ).toEqual(fold(stateOnly, n))
      expect(snap.block.number).toBe(n.toString())
      expect(`0x${snap.block.hash.toString('hex')}`).toBe(canonical[Number(n - 100n)]!.block.hash)
    }
    // Taken while blocks were written: 104 is below the reorg, so every answer is the final fold.
    const concurrent = await Promise.all(during)
    for (const snap of concurrent.filter((s) => s.block.number === '104')) {
      expect(snap.features.map((f) => f.id)).toEqual(fold(stateOnly, 104n))
    }
    // The latest ones are consistent at the block they name (all on the first branch, below 116 or above).
    for (const snap of concurrent.filter((s) => s.block.number !== '104')) {
      const n = BigInt(snap.block.number)
      const onFirst = first.flatMap((b) => b.features)
      expect(snap.features.map((f) => f.id)).toEqual(
        fold(
          onFirst.filter((f) => STATE.has(f.kind)),
          n,
        ),
      )
    }
  })

  it('carries every value exactly, and the state kinds only unless asked', async () => {
    const h = await harness()
    const c = client(h)
    const batches = stateBatches(DEVNET, 10n, 3, { pools: 2, perBlock: 2 })
    for (const b of batches) await h.push(b)
    const snap = await unary<WireSnapshot>(c, 'GetSnapshot', { chain: 'devnet' })
    const last = batches[2]!.features
    expect(snap.features.map((f) => f.kind)).toEqual(['amm.pool', 'amm.pool', 'gas.block'])
    const pool = snap.features[0]!.ammPool
    const expected = last[0]!
    if (expected.kind !== 'amm.pool') throw new Error('fixture changed')
    expect(pool.reserves).toEqual(expected.data.reserves.map(String))
    expect(pool.sqrtPriceX96).toBe(expected.data.sqrtPriceX96?.toString())
    expect(pool.tick).toBe(expected.data.tick)
    expect(snap.chainId).toBe('31337')
    const swaps = await unary<WireSnapshot>(c, 'GetSnapshot', { chain: 'devnet', kinds: ['opportunity'] })
    expect(swaps.features.map((f) => f.id)).toEqual([batches[0]!.features.at(-1)!.id])
  })

  it('answers NOT_FOUND, OUT_OF_RANGE and INVALID_ARGUMENT with messages naming the problem', async () => {
    const h = await harness({})
    const c = client(h)
    const fail = (request: object) =>
      unary(c, 'GetSnapshot', request).then(
        () => undefined,
        (e: grpc.ServiceError) => e,
      )
    expect(await fail({ chain: 'devnet' })).toMatchObject({
      code: grpc.status.NOT_FOUND,
      details: 'chain devnet has no block yet',
    })
    for (const b of stateBatches(DEVNET, 1n, 80)) await h.push(b)
    expect(await fail({ chain: 'nowhere' })).toMatchObject({
      code: grpc.status.NOT_FOUND,
      details: 'unknown chain "nowhere" in chain; this server has: devnet',
    })
    // The store keeps 64 blocks: 16 is the newest pruned block, still readable; 15 is not.
    expect(await fail({ chain: 'devnet', block: '16' })).toBeUndefined()
    expect(await fail({ chain: 'devnet', block: '15' })).toMatchObject({
      code: grpc.status.OUT_OF_RANGE,
      details: 'block 15 of chain devnet is outside the retained window 16..80',
    })
    expect(await fail({ chain: 'devnet', block: '81' })).toMatchObject({ code: grpc.status.OUT_OF_RANGE })
    expect(await fail({ chain: 'devnet', kinds: ['amm.pools'] })).toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: 'kinds[0] "amm.pools" is not a feature kind',
    })
    expect(await fail({})).toMatchObject({ code: grpc.status.INVALID_ARGUMENT })
  })
})

/** Resolves once the stream delivered the end of `block`. */
function waitForBlockEnd(stream: grpc.ClientReadableStream<WireEvent>, block: bigint, ended: Promise<unknown>) {
  return new Promise<void>((resolve, reject) => {
    stream.on('data', (e: WireEvent) => {
      if (e.event === 'blockEnd' && BigInt(e.blockEnd!.block.number) >= block) resolve()
    })
    void ended.then(() => reject(new Error(`stream ended before block ${block}`)))
  })
}

describe('StreamFeatures and StreamOpportunities', () => {
  it('filters by kind family, protocol, address and chain, replays then follows live', async () => {
    const h = await harness()
    const c = client(h)
    const batches = stateBatches(DEVNET, 1n, 12, { pools: 6, perBlock: 3 })
    for (const b of batches.slice(0, 6)) await h.push(b)
    const pool = poolAddress(3)
    const byAddress = c.StreamFeatures({
      filter: { kinds: ['amm.*'], protocols: ['uniswap-v3'], addresses: [Buffer.from(pool.slice(2), 'hex')] },
      fromBlock: '4',
      blockEnds: true,
    })
    const gasOnly = c.StreamFeatures({ filter: { kinds: ['gas.block'], chains: ['devnet'] } })
    const opportunities = c.StreamOpportunities({ fromBlock: '1' })
    const streams = [byAddress, gasOnly, opportunities]
    const results = streams.map((s) => collect(s))
    await new Promise((r) => setTimeout(r, 100))
    for (const b of batches.slice(6)) await h.push(b)
    await waitForBlockEnd(byAddress, 12n, results[0]!)
    await new Promise((r) => setTimeout(r, 100))
    for (const s of streams) s.cancel()
    const [a, g, o] = (await Promise.all(results)).map((r) => r.events)
    const all = batches.flatMap((b) => b.features)
    expect(a!.filter((e) => e.event === 'feature').map((e) => e.feature.id)).toEqual(
      all.filter((f) => f.address === pool && f.blockNumber >= 4n && f.kind === 'amm.pool').map((f) => f.id),
    )
    expect(a!.filter((e) => e.event === 'blockEnd').map((e) => e.blockEnd!.block.number)).toEqual([
      '4',
      '5',
      '6',
      '7',
      '8',
      '9',
      '10',
      '11',
      '12',
    ])
    // Live only: the blocks written after it opened.
    expect(g!.map((e) => e.feature.id)).toEqual(
      all.filter((f) => f.kind === 'gas.block' && f.blockNumber > 6n).map((f) => f.id),
    )
    expect(o!.map((e) => e.feature.id)).toEqual(all.filter((f) => f.kind === 'opportunity').map((f) => f.id))
  })

  it('sends a retraction only to streams that had the withdrawn blocks, with their own ids', async () => {
    const h = await harness()
    const c = client(h)
    const batches = stateBatches(DEVNET, 1n, 10, { pools: 4, perBlock: 2 })
    for (const b of batches) await h.push(b)
    const gas = c.StreamFeatures({ filter: { kinds: ['gas.block'] }, fromBlock: '1', blockEnds: true })
    const late = c.StreamFeatures({ filter: {}, fromBlock: '11', blockEnds: true })
    const results = [collect(gas), collect(late)]
    await waitForBlockEnd(gas, 10n, results[0]!)
    const retraction = await h.revert(DEVNET, batches[7]!.block, [batches[9]!.block, batches[8]!.block])
    const replacement = stateBatches(DEVNET, 9n, 3, { pools: 4, perBlock: 2, branch: 2 })
    for (const b of replacement) await h.push(b)
    await waitForBlockEnd(late, 11n, results[1]!)
    await waitForBlockEnd(gas, 11n, results[0]!)
    gas.cancel()
    late.cancel()
    const [g, l] = (await Promise.all(results)).map((r) => r.events)
    const gasRetraction = g!.filter((e) => e.event === 'retraction')
    expect(gasRetraction).toHaveLength(1)
    expect(gasRetraction[0]!.retraction!.to.number).toBe('8')
    expect(gasRetraction[0]!.retraction!.ids).toEqual(retraction.ids.filter((id) => id.includes(':gas.block:')))
    // Opened at 11, it never had 9 or 10: no retraction, only the new branch from 11.
    expect(l!.some((e) => e.event === 'retraction')).toBe(false)
    expect(l!.filter((e) => e.event === 'feature').map((e) => e.feature.id)).toEqual(
      replacement[2]!.features.map((f) => f.id),
    )
  })

  it('refuses a from_block below the replay window, and streams past the per-client limit', async () => {
    const h = await harness({ retainBlocks: 5, maxStreamsPerClient: 2 })
    const c = client(h)
    for (const b of stateBatches(DEVNET, 1n, 10)) await h.push(b)
    const below = await collect(c.StreamFeatures({ fromBlock: '5' }))
    expect(below.error).toMatchObject({
      code: grpc.status.OUT_OF_RANGE,
      details: 'from block 5 of chain devnet is below the replay window 6..10',
    })
    const kept = [c.StreamFeatures({}), c.StreamFeatures({})]
    const keptResults = kept.map((s) => collect(s))
    await new Promise((r) => setTimeout(r, 100))
    const third = await collect(c.StreamFeatures({}))
    expect(third.error).toMatchObject({
      code: grpc.status.RESOURCE_EXHAUSTED,
      details: 'this client has 2 streams open, its maximum',
    })
    for (const s of kept) s.cancel()
    for (const result of await Promise.all(keptResults)) expect(result.error?.code).toBe(grpc.status.CANCELLED)
  })

  it('limits calls per second per client with RESOURCE_EXHAUSTED', async () => {
    const h = await harness({ callsPerSecondPerClient: 5 })
    const c = client(h)
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => unary(c, 'GetHeads', {})))
    const refused = results.filter((r) => r.status === 'rejected')
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5)
    expect(refused.map((r) => (r as PromiseRejectedResult).reason.code)).toEqual([8, 8, 8])
    expect(await h.metrics.registry.getSingleMetricAsString('qenus_grpc_refused_calls_total')).toContain(
      'qenus_grpc_refused_calls_total{reason="rate-limited"} 3',
    )
  })
})

describe('GetHeads and health', () => {
  it('reports head and windows, and SERVING until closed', async () => {
    const h = await harness({ retainBlocks: 4 })
    const c = client(h)
    const batches = stateBatches(DEVNET, 50n, 8)
    for (const b of batches) await h.push(b)
    const heads = await unary<{ heads: Record<string, unknown>[] }>(c, 'GetHeads', {})
    expect(heads.heads).toHaveLength(1)
    expect(heads.heads[0]).toMatchObject({ chain: 'devnet', chainId: '31337', snapshotFrom: '50', replayFrom: '54' })
    expect((heads.heads[0]!.head as { number: string }).number).toBe('57')
    const definition = loadSync(healthProto, { keepCase: true, enums: String })
    // biome-ignore lint/suspicious/noExplicitAny: generated namespace
    const Health = (grpc.loadPackageDefinition(definition) as any).grpc.health.v1.Health
    const health = new Health(h.sink.target, grpc.credentials.createInsecure())
    clients.push(health)
    const check = (service: string) =>
      new Promise<{ status: string }>((resolve, reject) =>
        health.Check({ service }, (e: Error | null, r: { status: string }) => (e ? reject(e) : resolve(r))),
      )
    expect(await check('qenus.v1.Dataplane')).toEqual({ status: 'SERVING' })
    expect(await check('')).toEqual({ status: 'SERVING' })
  })
})

describe('slow clients', () => {
  const LAST = 300n
  it('a client that stops reading gets RESOURCE_EXHAUSTED and resumes; 20 others and the writer lose nothing', async () => {
    const h = await harness({ maxBufferedMessages: 600, retainBlocks: 1_000 })
    const batches: FeatureBatch[] = stateBatches(DEVNET, 1n, Number(LAST), { pools: 40, perBlock: 5 })
    const all = batches.flatMap((b) => b.features.map((f) => f.id))
    const fast = Array.from({ length: 20 }, () => client(h).StreamFeatures({ blockEnds: true }))
    const fastResults = fast.map((s) => collect(s))
    const reached = fast.map(() => 0n)
    for (const [i, s] of fast.entries()) {
      s.on('data', (e: WireEvent) => {
        if (e.event === 'blockEnd') reached[i] = BigInt(e.blockEnd!.block.number)
      })
    }
    const slowClient = client(h)
    const slow = slowClient.StreamFeatures({ blockEnds: true })
    const slowEvents: WireEvent[] = []
    const slowResult = new Promise<grpc.ServiceError>((resolve) => slow.on('error', resolve))
    slow.on('data', (e: WireEvent) => {
      slowEvents.push(e)
      // It reads a little, then stops.
      if (slowEvents.length === 50) slow.pause()
    })
    await new Promise((r) => setTimeout(r, 300))
    const writes: number[] = []
    for (const b of batches) {
      const started = performance.now()
      await h.push(b)
      writes.push(performance.now() - started)
      // Readers that keep up: every fast one is within 20 blocks (about 130 messages) of the writer.
      // The gate is the test's, not the sink's: write() itself returned already.
      await until('the fast readers', () => reached.every((n) => n >= b.block.number - 20n))
    }
    await Promise.all(fast.map((s, i) => waitForBlockEnd(s, LAST, fastResults[i]!)))
    const evicted = await h.metrics.registry.getSingleMetricAsString('qenus_grpc_evicted_streams_total')
    expect(evicted).toContain('qenus_grpc_evicted_streams_total 1')
    for (const s of fast) s.cancel()
    for (const result of await Promise.all(fastResults)) {
      expect(result.events.filter((e) => e.event === 'feature').map((e) => e.feature.id)).toEqual(all)
    }
    // The writer never waited for a client.
    writes.sort((a, b) => a - b)
    expect(writes[Math.floor(writes.length * 0.99)]).toBeLessThan(20)
    // The slow one, once it reads again, gets what was sent, then the status naming its last block.
    slow.resume()
    const error = await slowResult
    expect(error.code).toBe(grpc.status.RESOURCE_EXHAUSTED)
    const last = String(error.metadata.get('qenus-last-block')[0])
    expect(last).toMatch(/^devnet=\d+$/)
    const lastBlock = BigInt(last.split('=')[1]!)
    expect(error.details).toContain(`last block received: devnet=${lastBlock}`)
    const ends = slowEvents.filter((e) => e.event === 'blockEnd').map((e) => BigInt(e.blockEnd!.block.number))
    expect(ends.at(-1)).toBe(lastBlock)
    expect(lastBlock).toBeLessThan(LAST)
    const resumed = slowClient.StreamFeatures({ fromBlocks: { devnet: String(lastBlock + 1n) }, blockEnds: true })
    const rest = collect(resumed)
    await waitForBlockEnd(resumed, LAST, rest)
    resumed.cancel()
    const ids = [...slowEvents, ...(await rest).events].filter((e) => e.event === 'feature').map((e) => e.feature.id)
    // Resuming after the last whole block repeats what it had of the next one; deduped by id, nothing is missing.
    expect([...new Set(ids)]).toEqual(all)
    const next = batches[Number(lastBlock)]!.features.map((f) => f.id)
    expect(ids.length - all.length).toBeLessThan(next.length)
  })
})
