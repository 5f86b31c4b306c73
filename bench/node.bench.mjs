/**
 * source-node against source-rpc on one devnet, in one run (issue 7):
 *
 * 1. latency: a live Pipeline (Uniswap V3 extractor, a sink that JSON-encodes and stamps each
 *    block's write) follows the head while blocks of swaps are mined one at a time; per block, the
 *    time from its newHeads notification (the bench's own ws subscription) to its last feature
 *    written, p50 and p99, after a few warm-up blocks. source-node over IPC (newHeads on the socket) beside source-rpc over
 *    http with its default head poll and with a 25 ms poll. Each source gets its own series of
 *    blocks, one source at a time, so they never compete for the CPU.
 * 2. backfill: the same Pipeline from block 0 to the head, blocks per second, source-node (IPC)
 *    beside source-rpc (http), round-robin repetitions.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { createLogger, FileCheckpointStore, Pipeline, resolveConfig } from '@qenus/core'
import { startDevnet } from '@qenus/testkit'
import WebSocket from 'ws'
import { compare, fmt, formatRate, peakRssMiB, positiveInt, printTable } from './harness.mjs'
import { stampsOf } from './stamp-sink.mjs'

const BACKFILL_SWAPS = positiveInt('BENCH_NODE_SWAPS', 4_000)
const LATENCY_BLOCKS = positiveInt('BENCH_NODE_BLOCKS', 60)
const SWAPS_PER_BLOCK = positiveInt('BENCH_NODE_SWAPS_PER_BLOCK', 8)
const BACKFILL_REPS = positiveInt('BENCH_NODE_REPS', 3)
/** Blocks each live pipeline takes before measuring: the first ones pay for JIT and the immutable reads. */
const WARMUP_BLOCKS = 3

const here = dirname(fileURLToPath(import.meta.url))
const logger = createLogger({ level: 'error', name: 'bench' })

const devnet = await startDevnet()
const sources = {
  'source-node, IPC': { use: '@qenus/source-node', ipc: devnet.ipcPath },
  'source-rpc, http (default poll)': { use: '@qenus/source-rpc', providers: [devnet.rpcUrl] },
  'source-rpc, http, 25 ms poll': { use: '@qenus/source-rpc', providers: [devnet.rpcUrl], pollIntervalMs: 25 },
}

/** A resolved config of one source into the stamp sink tagged `tag`. */
const configOf = (source, tag) =>
  resolveConfig(
    {
      name: `bench-node-${tag.replace(/\W+/g, '-')}`,
      chains: { devnet: { source } },
      extractors: [{ use: '@qenus/plugin-uniswap-v3', pools: 'all' }],
      sinks: [{ use: './stamp-sink.mjs', tag }],
      server: { port: false },
    },
    { dir: here },
  )

/** newHeads arrival times, by block number, from the bench's own ws subscription. */
const heads = new Map()
const socket = new WebSocket(devnet.wsUrl)
await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject))
socket.on('message', (data) => {
  const message = JSON.parse(data.toString())
  if (message.method === 'eth_subscription') heads.set(BigInt(message.params.result.number), performance.now())
})
socket.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_subscribe', params: ['newHeads'] }))

let latency
let backfill
let head
try {
  latency = {}
  let seed = 0
  for (const [name, source] of Object.entries(sources)) latency[name] = await measureLatency(name, source, () => seed++)
  const traffic = await devnet.traffic({ seed: 'bench-node-backfill', swaps: BACKFILL_SWAPS, txPerBlock: 10 })
  head = traffic.blocks.at(-1).number
  const [node, rpc] = Object.entries(sources)
  backfill = await compare(
    { node: backfillOf(node[1], 'node backfill'), rpc: backfillOf(rpc[1], 'rpc backfill') },
    { reps: BACKFILL_REPS },
  )
} finally {
  socket.close()
  await devnet.stop()
}

/** Follows the head with `source` while `LATENCY_BLOCKS` blocks are mined; returns per-block latencies, ms. */
async function measureLatency(tag, source, nextSeed) {
  const stamps = stampsOf(tag)
  const dir = mkdtempSync(join(tmpdir(), 'qenus-bench-'))
  const pipeline = new Pipeline(await configOf(source, tag), {
    logger,
    from: 'head',
    checkpointStore: new FileCheckpointStore(dir),
  })
  const samples = []
  try {
    await pipeline.start()
    const start = await devnet.publicClient.getBlockNumber()
    await waitFor(() => stamps.has(start), `${tag} at the head`)
    for (let i = 0; i < WARMUP_BLOCKS + LATENCY_BLOCKS; i++) {
      const { blocks } = await devnet.traffic({
        seed: `bench-node-${nextSeed()}`,
        swaps: SWAPS_PER_BLOCK,
        txPerBlock: SWAPS_PER_BLOCK,
      })
      for (const { number } of blocks) {
        await waitFor(() => stamps.has(number) && heads.has(number), `${tag}: block ${number}`)
        if (i >= WARMUP_BLOCKS) samples.push(stamps.get(number).at - heads.get(number))
      }
      // Blocks come apart, as on a chain, so each measures one block and not a queue.
      await sleep(30)
    }
  } finally {
    await pipeline.stop()
    rmSync(dir, { recursive: true, force: true })
  }
  return samples.sort((a, b) => a - b)
}

/** One backfill from 0 to the head; returns the blocks written. */
function backfillOf(source, tag) {
  return async () => {
    const stamps = stampsOf(tag)
    stamps.clear()
    const dir = mkdtempSync(join(tmpdir(), 'qenus-bench-'))
    try {
      const run = new Pipeline(await configOf(source, tag), {
        logger,
        from: 0n,
        to: head,
        checkpointStore: new FileCheckpointStore(dir),
      })
      await run.start()
      await run.done
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
    if (stamps.size !== Number(head) + 1) throw new Error(`${tag}: wrote ${stamps.size} blocks of ${head + 1n}`)
    return stamps.size
  }
}

async function waitFor(check, what, timeoutMs = 30_000) {
  const deadline = performance.now() + timeoutMs
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(1)
  }
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]
const ms = (value) => `${value.toFixed(1)} ms`

console.log(
  `\nnode: one devnet; latency over ${LATENCY_BLOCKS} blocks of ${SWAPS_PER_BLOCK} swaps per source ` +
    `(newHeads notification -> last feature of the block written); backfill of blocks 0-${head} ` +
    `(${fmt(BACKFILL_SWAPS)} swaps, 10 per block), median of ${BACKFILL_REPS} after a warm-up, (min–max)\n`,
)
printTable(
  ['source', 'latency p50', 'latency p99', 'max', 'backfill'],
  Object.entries(latency).map(([name, samples], i) => [
    name,
    ms(quantile(samples, 0.5)),
    ms(quantile(samples, 0.99)),
    ms(samples.at(-1)),
    i === 0 ? `${formatRate(backfill.node)} blocks` : i === 1 ? `${formatRate(backfill.rpc)} blocks` : 'as above',
  ]),
)
console.log(`\npeak RSS: ${fmt(peakRssMiB())} MiB`)
