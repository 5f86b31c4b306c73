/**
 * The gRPC sink (issue 6): StreamFeatures fan-out and GetSnapshot latency, clients in a child
 * process (grpc-js + proto-loader, as a Node consumer would write them) so that server and
 * clients do not share one event loop.
 *
 * 1. StreamFeatures with 1, 10 and 50 clients, blocks of 100 amm.pool features: flat out
 *    (BENCH_GRPC_BLOCKS blocks as fast as the sink takes them; the per-stream buffer is raised so
 *    that no client is cut off, so delays there are queueing) and paced (BENCH_GRPC_PACED_BLOCKS
 *    blocks, one every 100 ms); messages/s delivered to all clients together, and the delay from
 *    `sink.write` to client receipt (p50/p99; both processes read `performance.timeOrigin + now()`).
 *    Baseline, same run: a bare grpc-js server that writes the same encoded frames to every call
 *    as they come (no replay window, no buffer bound, no filter).
 * 2. GetSnapshot of 1,000 pools: latency from the client (p50/p99 over BENCH_GRPC_CALLS calls).
 *    Baseline: the same snapshot read from the store and encoded in-process, no gRPC.
 */
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import * as grpc from '@grpc/grpc-js'
import { loadSync } from '@grpc/proto-loader'
import {
  ChainRegistry,
  createLogger,
  encodeFeatureProto,
  featureId,
  InMemoryFeatureStore,
  KNOWN_CHAINS,
  Metrics,
  protoIncludeDirs,
} from '@qenus/core'
import { GrpcSink, grpcSinkOptions } from '@qenus/sink-grpc'
import { fmt, peakRssMiB, positiveInt, printTable, REPS } from './harness.mjs'

const BLOCKS = positiveInt('BENCH_GRPC_BLOCKS', 200)
const PER_BLOCK = 100
const CALLS = positiveInt('BENCH_GRPC_CALLS', 200)
const PACED_BLOCKS = positiveInt('BENCH_GRPC_PACED_BLOCKS', 20)
const PACE_MS = 100
const CLIENTS = [1, 10, 50]
const chain = KNOWN_CHAINS.devnet
const now = () => performance.timeOrigin + performance.now()

if (process.argv[2] === 'client') runClientProcess()
else await main()

// --- the writer side

function pool(block, i, price) {
  const address = `0x${(i + 1).toString(16).padStart(40, '0')}`
  return {
    id: featureId({
      chainId: chain.chainId,
      blockHash: block.hash,
      logIndex: i,
      kind: 'amm.pool',
      discriminator: address,
    }),
    kind: 'amm.pool',
    chainId: chain.chainId,
    chain: chain.name,
    blockNumber: block.number,
    blockHash: block.hash,
    blockTimestamp: 1_700_000_000n + block.number * 12n,
    logIndex: i,
    protocol: 'uniswap-v3',
    address,
    data: {
      pool: address,
      tokens: [`0x${'a0'.repeat(20)}`, `0x${'b0'.repeat(20)}`],
      reserves: [2n ** 200n + BigInt(i), 10n ** 30n + block.number],
      fee: 500,
      // The write time rides in `price`, so the client can tell each message's delay.
      price,
      sqrtPriceX96: 2n ** 96n + BigInt(i),
      tick: -1000 + i,
      liquidity: 2n ** 127n,
      depth: [{ bps: 10, amount0In: 1n, amount1In: 2n }],
    },
  }
}

function batch(number, count, offset = 0) {
  const block = { number, hash: `0x${number.toString(16).padStart(64, '0')}` }
  const features = Array.from({ length: count }, (_, i) => pool(block, offset + i, '0'))
  return { chain, block, timestamp: 1_700_000_000n + number * 12n, features }
}

function stamp(b) {
  const at = now().toFixed(3)
  for (const f of b.features) f.data.price = at
}

async function startSink(store = new InMemoryFeatureStore()) {
  const options = grpcSinkOptions.parse({ port: 0, maxBufferedMessages: 10_000_000, retainBlocks: 16 })
  const sink = new GrpcSink(options, store, createLogger({ level: 'silent' }), new Metrics(), new ChainRegistry())
  await sink.start()
  return { sink, target: sink.target, close: () => sink.close() }
}

/** The baseline: a bare grpc-js server-streaming handler writing every frame to every call. */
async function startBare() {
  const calls = new Set()
  const server = new grpc.Server()
  const definition = {
    StreamFeatures: {
      path: '/qenus.v1.Dataplane/StreamFeatures',
      requestStream: false,
      responseStream: true,
      requestSerialize: (v) => v,
      requestDeserialize: () => ({}),
      responseSerialize: (v) => v,
      responseDeserialize: (v) => v,
    },
  }
  server.addService(definition, {
    StreamFeatures: (call) => {
      calls.add(call)
      call.on('cancelled', () => calls.delete(call))
    },
  })
  const port = await new Promise((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  )
  return {
    target: `127.0.0.1:${port}`,
    async write(b) {
      for (const f of b.features) {
        const bytes = encodeFeatureProto(f)
        const frame = Buffer.concat([Buffer.from([0x0a]), varint(bytes.length), bytes])
        for (const call of calls) call.write(frame)
      }
    },
    close: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
  }
}

function varint(n) {
  const out = []
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80)
    n >>>= 7
  }
  out.push(n)
  return Buffer.from(out)
}

function ask(child, message, reply) {
  return new Promise((resolve) => {
    const on = (m) => {
      if (m.type === reply) {
        child.off('message', on)
        resolve(m)
      }
    }
    child.on('message', on)
    child.send(message)
  })
}

/** Writes `blocks` blocks, each `pauseMs` after the previous one (0: as fast as the event loop turns). */
async function streamRun(child, server, n, { blocks, pauseMs }) {
  await ask(child, { type: 'stream', target: server.target, n, expected: blocks * PER_BLOCK }, 'ready')
  const started = now()
  for (let i = 0; i < blocks; i++) {
    const b = batch(BigInt(i + 1), PER_BLOCK)
    stamp(b)
    await (server.sink ?? server).write(b)
    await new Promise((r) => (pauseMs ? setTimeout(r, pauseMs) : setImmediate(r)))
  }
  const report = await ask(child, { type: 'collect' }, 'report')
  return { rate: (n * blocks * PER_BLOCK * 1000) / (report.lastReceipt - started), p50: report.p50, p99: report.p99 }
}

async function snapshotRun(child) {
  const store = new InMemoryFeatureStore()
  // 1,000 pools in block 1, then 9 blocks touching 100 each: a snapshot reads the versions it needs.
  const first = batch(1n, 1000)
  store.apply(first)
  for (let n = 2n; n <= 10n; n++) store.apply(batch(n, 100, Number(n) * 100 - 200))
  const server = await startSink(store)
  try {
    const report = await ask(child, { type: 'snapshot', target: server.target, calls: CALLS }, 'snapshot')
    const local = []
    let bytes = 0
    for (let i = 0; i < CALLS; i++) {
      const started = performance.now()
      const features = store.snapshot(chain.chainId, { kind: 'amm.pool', atBlock: 10n })
      bytes = 0
      for (const f of features) bytes += encodeFeatureProto(f).length + 3
      local.push(performance.now() - started)
    }
    return { ...report, bytes, local: percentiles(local) }
  } finally {
    await server.close()
  }
}

async function main() {
  const child = fork(fileURLToPath(import.meta.url), ['client'], { stdio: 'inherit' })
  const rows = []
  try {
    const modes = [
      { label: 'flat out', blocks: BLOCKS, pauseMs: 0 },
      { label: `a block every ${PACE_MS} ms`, blocks: PACED_BLOCKS, pauseMs: PACE_MS },
    ]
    for (const mode of modes) {
      for (const n of CLIENTS) {
        const sink = []
        const bare = []
        for (let rep = 0; rep < REPS + 1; rep++) {
          for (const [list, start] of [
            [sink, startSink],
            [bare, startBare],
          ]) {
            const server = await start()
            const result = await streamRun(child, server, n, mode)
            await server.close()
            if (rep > 0) list.push(result)
          }
        }
        const clients = `${n} client${n > 1 ? 's' : ''}`
        rows.push([`StreamFeatures, ${clients}, ${mode.label}`, summary(sink), summary(bare)])
      }
    }
    const snap = await snapshotRun(child)
    rows.push([
      `GetSnapshot, 1,000 pools (≈${fmt(snap.bytes / 1024)} KiB)`,
      `p50 ${snap.p50.toFixed(2)} ms, p99 ${snap.p99.toFixed(2)} ms`,
      `store.snapshot + encode in-process: p50 ${snap.local.p50.toFixed(2)} ms, p99 ${snap.local.p99.toFixed(2)} ms`,
    ])
  } finally {
    child.kill()
  }
  console.log(
    `\ngrpc: ${PER_BLOCK} amm.pool features per block, ${fmt(BLOCKS)} blocks flat out, ${PACED_BLOCKS} paced; median of ${REPS} after a warm-up\n`,
  )
  printTable(['row', 'sink-grpc', 'baseline, same run'], rows)
  console.log(`\npeak RSS (server process): ${fmt(peakRssMiB())} MiB`)
}

function summary(results) {
  const med = (key) => median(results.map((r) => r[key]))
  return `${fmt(med('rate'))} msg/s, delay p50 ${med('p50').toFixed(1)} ms, p99 ${med('p99').toFixed(1)} ms`
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

function percentiles(values) {
  const sorted = [...values].sort((a, b) => a - b)
  return {
    p50: sorted[Math.floor(sorted.length * 0.5)],
    p99: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))],
  }
}

// --- the client process

function runClientProcess() {
  const definition = loadSync('qenus/v1/dataplane.proto', {
    includeDirs: protoIncludeDirs(),
    longs: String,
    oneofs: true,
  })
  const Dataplane = grpc.loadPackageDefinition(definition).qenus.v1.Dataplane
  let state
  process.on('message', async (m) => {
    if (m.type === 'stream') state = await openStreams(Dataplane, m)
    else if (m.type === 'collect') {
      await state.done
      for (const { client, stream } of state.streams) {
        stream.cancel()
        client.close()
      }
      process.send({ type: 'report', lastReceipt: state.lastReceipt(), ...percentiles(state.delays) })
    } else if (m.type === 'snapshot') process.send({ type: 'snapshot', ...(await snapshots(Dataplane, m)) })
  })
}

async function openStreams(Dataplane, { target, n, expected }) {
  const delays = []
  let lastReceipt = 0
  const streams = []
  const finished = []
  for (let i = 0; i < n; i++) {
    const client = new Dataplane(target, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 })
    const stream = client.StreamFeatures({})
    let got = 0
    finished.push(
      new Promise((resolve, reject) => {
        stream.on('data', (event) => {
          const at = now()
          delays.push(at - Number(event.feature.ammPool.price))
          lastReceipt = at
          if (++got === expected) resolve()
        })
        stream.on('error', (e) => (e.code === grpc.status.CANCELLED ? undefined : reject(e)))
      }),
    )
    streams.push({ client, stream })
  }
  // Let every stream reach the server before the writer starts.
  await new Promise((r) => setTimeout(r, 500))
  process.send({ type: 'ready' })
  return { streams, delays, lastReceipt: () => lastReceipt, done: Promise.all(finished) }
}

async function snapshots(Dataplane, { target, calls }) {
  const client = new Dataplane(target, grpc.credentials.createInsecure())
  const latencies = []
  for (let i = 0; i < calls + 10; i++) {
    const started = performance.now()
    const snap = await new Promise((resolve, reject) =>
      client.GetSnapshot({ chain: 'devnet', kinds: ['amm.pool'] }, (e, r) => (e ? reject(e) : resolve(r))),
    )
    if (snap.features.length !== 1000) throw new Error(`snapshot has ${snap.features.length} pools, expected 1000`)
    if (i >= 10) latencies.push(performance.now() - started)
  }
  client.close()
  return percentiles(latencies)
}
