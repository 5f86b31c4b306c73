import * as grpc from '@grpc/grpc-js'
import { type ChainInfo, type Feature, type FeatureBatch, featureId, type Hex } from '@qenus/core'
import { afterEach, describe, expect, it } from 'vitest'
import {
  collect,
  DEVNET,
  dataplaneClient,
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

function client(h: SinkHarness) {
  const c = dataplaneClient(h.sink.target)
  clients.push(c)
  return c
}

/** A pending batch of `count` mempool swaps seen on top of `head`, as the runtime hands it to writePending. */
function pendingBatch(chain: ChainInfo, head: FeatureBatch, tx: number, count: number): FeatureBatch {
  const features = Array.from({ length: count }, (_, call): Feature => {
    const pool = poolAddress(1 + call)
    const txHash = `0x${tx.toString(16).padStart(64, '0')}` as Hex
    return {
      id: featureId({
        chainId: chain.chainId,
        blockHash: head.block.hash,
        kind: 'mempool.swap',
        discriminator: `${txHash}:${call}`,
      }),
      kind: 'mempool.swap',
      chainId: chain.chainId,
      chain: chain.name,
      blockNumber: head.block.number,
      blockHash: head.block.hash,
      blockTimestamp: head.timestamp,
      txHash,
      protocol: 'uniswap-v3',
      address: pool,
      data: {
        pool,
        tokenIn: poolAddress(0xa0),
        tokenOut: poolAddress(0xb0),
        amountIn: 10n ** 24n + BigInt(tx),
        amountOutMin: 10n ** 18n + BigInt(call),
        from: poolAddress(0xf0),
        maxPriorityFeePerGas: 2n * 10n ** 9n,
        method: 'exactInputSingle',
      },
    }
  })
  return { chain, block: head.block, timestamp: head.timestamp, features, pending: true }
}

/** Waits until the sink's metric `name` reads `value`. */
async function metricReaches(h: SinkHarness, name: string, value: number): Promise<void> {
  const metric = h.metrics.registry.getSingleMetric(name)!
  const deadline = Date.now() + 10_000
  while ((await metric.get()).values[0]?.value !== value) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${name} ${value}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

async function pendingCount(h: SinkHarness, outcome: string): Promise<number> {
  const counter = h.metrics.registry.getSingleMetric('qenus_grpc_pending_features_total')!
  return (await counter.get()).values.find((v) => v.labels.outcome === outcome)?.value ?? 0
}

/** Follows a stream (asked with BlockEnds, so `last()` tells how far it got whatever its filter). */
function watch(call: grpc.ClientReadableStream<WireEvent>) {
  const events: WireEvent[] = []
  call.on('data', (e: WireEvent) => events.push(e))
  const done = collect(call)
  return {
    events,
    last: () => trace(events).at(-1),
    stop: async () => {
      call.cancel()
      return done
    },
  }
}

/** What a stream shows: feature ids, and `end:N` for a BlockEnd. */
const trace = (events: WireEvent[]) =>
  events.map((e) =>
    e.event === 'feature' ? e.feature.id : e.event === 'blockEnd' ? `end:${e.blockEnd!.block.number}` : 'R',
  )

const features = (events: WireEvent[]) => trace(events).filter((t) => !t.startsWith('end:'))

describe('mempool features (writePending)', () => {
  it('reach the streams whose kinds name them, in order between blocks; never others, snapshots or replays', async () => {
    const h = await harness()
    const c = client(h)
    const blocks = stateBatches(DEVNET, 1n, 6, { pools: 6, perBlock: 2 })
    await h.push(blocks[0]!)
    // Written before any stream takes them: nobody gets these, and they are not kept.
    await h.sink.writePending(pendingBatch(DEVNET, blocks[0]!, 1, 2))
    expect(await pendingCount(h, 'unwanted')).toBe(2)

    const mempool = watch(c.StreamFeatures({ filter: { kinds: ['mempool.swap'] }, blockEnds: true }))
    const both = watch(c.StreamFeatures({ filter: { kinds: ['mempool.*', 'amm.*'] }, blockEnds: true }))
    const plain = watch(c.StreamFeatures({ blockEnds: true }))
    const pools = watch(c.StreamFeatures({ filter: { kinds: ['amm.pool'] }, blockEnds: true }))
    await metricReaches(h, 'qenus_grpc_open_streams', 4)

    const pending: FeatureBatch[] = []
    const expectedBoth: string[] = []
    for (const [i, block] of blocks.slice(1).entries()) {
      await h.push(block)
      expectedBoth.push(...block.features.filter((f) => f.kind.startsWith('amm.')).map((f) => f.id))
      expectedBoth.push(`end:${block.block.number}`)
      // Two mempool transactions on every head, of 1 to 3 swaps each.
      for (const tx of [100 + i * 2, 101 + i * 2]) {
        const batch = pendingBatch(DEVNET, block, tx, 1 + (tx % 3))
        pending.push(batch)
        await h.sink.writePending(batch)
        expectedBoth.push(...batch.features.map((f) => f.id))
      }
    }
    const pendingIds = pending.flatMap((b) => b.features.map((f) => f.id))
    const last = blocks.at(-1)!.block.number
    expect(await pendingCount(h, 'fed')).toBe(pendingIds.length)

    // Snapshots read the store, which holds blocks only.
    const snapshot = await unary<{ features: unknown[] }>(c, 'GetSnapshot', {
      chain: 'devnet',
      kinds: ['mempool.swap'],
    })
    expect(snapshot.features ?? []).toEqual([])

    // A resumed stream replays the blocks, without the mempool features they had, then goes live.
    const resumedCall = c.StreamFeatures({
      filter: { kinds: ['mempool.swap', 'amm.pool'] },
      fromBlock: '2',
      blockEnds: true,
    })
    const resumed = watch(resumedCall)
    await until('the replay', () => trace(resumed.events).includes(`end:${last}`))
    const live = pendingBatch(DEVNET, blocks.at(-1)!, 999, 2)
    await h.sink.writePending(live)

    const next = stateBatches(DEVNET, last + 1n, 1, { pools: 6, perBlock: 2, seed: 9 })[0]!
    await h.push(next)
    const streams = [mempool, both, plain, pools, resumed]
    await until('the next block on every stream', () => streams.every((w) => w.last() === `end:${next.block.number}`))
    const [m, b, p, a, r] = await Promise.all(streams.map((w) => w.stop()))

    const mempoolIds = [...pendingIds, ...live.features.map((f) => f.id)]
    expect(features(m.events)).toEqual(mempoolIds)
    // Decoded through the .proto: the exact values of the last one written.
    const wire = m.events.filter((e) => e.event === 'feature').at(-1)!.feature
    expect(wire.kind).toBe('mempool.swap')
    expect(wire.blockNumber).toBe(String(last))
    expect(wire.mempoolSwap.amountIn).toBe(String(10n ** 24n + 999n))

    const nextIds = next.features.filter((f) => f.kind.startsWith('amm.')).map((f) => f.id)
    expect(trace(b.events)).toEqual([
      ...expectedBoth,
      ...live.features.map((f) => f.id),
      ...nextIds,
      `end:${next.block.number}`,
    ])
    const blockIds = [...blocks.slice(1), next].flatMap((x) => x.features.map((f) => f.id))
    expect(trace(p.events).filter((t) => !t.startsWith('end:'))).toEqual(blockIds)
    const poolIds = (batches: FeatureBatch[]) =>
      batches.flatMap((x) => x.features.filter((f) => f.kind === 'amm.pool').map((f) => f.id))
    expect(features(a.events)).toEqual(poolIds([...blocks.slice(1), next]))
    const poolEnds = blocks.slice(1).map((x) => `end:${x.block.number}`)
    expect(trace(r.events).filter((t) => !t.startsWith('end:'))).toEqual([
      ...poolIds(blocks.slice(1)),
      ...live.features.map((f) => f.id),
      ...poolIds([next]),
    ])
    expect(trace(r.events).filter((t) => t.startsWith('end:'))).toEqual([...poolEnds, `end:${next.block.number}`])
  })

  it('evict a mempool stream that falls behind, never a block-only stream that idles meanwhile', async () => {
    const h = await harness({ maxBufferedMessages: 300 })
    const c = client(h)
    const blocks = stateBatches(DEVNET, 1n, 3, { pools: 6, perBlock: 2 })
    const slow = c.StreamFeatures({ filter: { kinds: ['mempool.*'] } })
    const slowEvents: WireEvent[] = []
    const slowResult = new Promise<grpc.ServiceError>((resolve) => slow.on('error', resolve))
    slow.on('data', (e: WireEvent) => {
      slowEvents.push(e)
      if (slowEvents.length === 20) slow.pause()
    })
    const idleCall = c.StreamFeatures({ blockEnds: true })
    idleCall.pause()
    await metricReaches(h, 'qenus_grpc_open_streams', 2)
    await h.push(blocks[0]!)
    const writes: number[] = []
    for (let tx = 0; tx < 1_000; tx++) {
      const started = performance.now()
      await h.sink.writePending(pendingBatch(DEVNET, blocks[0]!, tx, 3))
      writes.push(performance.now() - started)
    }
    for (const block of blocks.slice(1)) await h.push(block)
    await metricReaches(h, 'qenus_grpc_evicted_streams_total', 1)
    const idleEvents: WireEvent[] = []
    idleCall.on('data', (e: WireEvent) => idleEvents.push(e))
    const idle = collect(idleCall)
    idleCall.resume()
    await until('the idle stream to read every block', () => trace(idleEvents).includes('end:3'))
    idleCall.cancel()
    const { events } = await idle
    expect(trace(events).filter((t) => !t.startsWith('end:'))).toEqual(
      blocks.flatMap((b) => b.features.map((f) => f.id)),
    )
    slow.resume()
    const error = await slowResult
    expect(error.code).toBe(grpc.status.RESOURCE_EXHAUSTED)
    expect(error.details).toMatch(/fell \d+ messages behind/)
    // The writer never waited for a client.
    writes.sort((a, b) => a - b)
    expect(writes[Math.floor(writes.length * 0.99)]).toBeLessThan(20)
  })
})
