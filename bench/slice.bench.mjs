/**
 * The thin slice's throughput (issue 2), each row beside a plain viem baseline measured in the
 * same run:
 *
 * 1. replay: the recorded Swap logs (see record.mjs), block by block, through the real
 *    UniswapV3Extractor.onBlock (decode + extract) and a null sink that JSON-encodes every feature
 *    with encodeFeatureJson; baseline: viem's decodeEventLog over the same logs, one by one.
 * 2. end to end: the real Pipeline with source-rpc over http against a live devnet, block 0 to the
 *    head, into the same null sink (a local plugin); baseline: viem getLogs with the Swap event
 *    (eth_getLogs, then decodeEventLog per log) over the same range.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createLogger, FileCheckpointStore, KNOWN_CHAINS, Pipeline, resolveConfig } from '@qenus/core'
import uniswapV3 from '@qenus/plugin-uniswap-v3'
import { startDevnet } from '@qenus/testkit'
import { createPublicClient, decodeEventLog, http } from 'viem'
import { compare, fmt, formatRate, peakRssMiB, positiveInt, printTable, REPS } from './harness.mjs'
import { NullSink, resetTally, tally } from './null-sink.mjs'
import { loadRecording, replayReader } from './record.mjs'

const PIPELINE_SWAPS = positiveInt('BENCH_PIPELINE_SWAPS', 10_000)
const PIPELINE_REPS = positiveInt('BENCH_PIPELINE_REPS', 3)
const LOG_RANGE = 1000n

const poolAbi = createRequire(import.meta.url)(
  '@uniswap/v3-core/artifacts/contracts/UniswapV3Pool.sol/UniswapV3Pool.json',
).abi
// Only the Swap event: with the whole pool ABI viem would hash every event signature per log,
// a slower baseline than a careful viem user would write.
const swapEvent = poolAbi.find((item) => item.type === 'event' && item.name === 'Swap')
const chain = KNOWN_CHAINS.devnet
const extractorDefinition = uniswapV3.components.extractors['uniswap-v3']

const recording = await loadRecording()
const logs = recording.blocks.flatMap((block) => block.logs)

/** decode + extract + JSON encode, block by block, as a lane would drive them. */
async function replaySlice() {
  const extractor = new extractorDefinition.component(extractorDefinition.options.parse({ emit: ['swap'] }), {
    warn: (fields) => {
      throw new Error(`unexpected quarantine ${JSON.stringify(fields)}`)
    },
  })
  const sink = new NullSink()
  resetTally()
  for (const block of recording.blocks) {
    const { header } = block
    const reader = replayReader(recording.reads, header)
    const features = await extractor.onBlock({ chain, header, logs: block.logs, reader })
    await sink.write({ chain, block: header, timestamp: header.timestamp, features })
  }
  expectAll(tally.swaps, logs.length, 'replay')
  return tally.features
}

function replayViem() {
  let decoded = 0
  for (const log of logs) {
    if (decodeEventLog({ abi: [swapEvent], topics: log.topics, data: log.data }).eventName === 'Swap') decoded++
  }
  return expectAll(decoded, logs.length, 'viem decodeEventLog')
}

function expectAll(got, expected, what) {
  if (got !== expected) throw new Error(`${what}: ${got} results for ${expected} Swap logs`)
  return got
}

const replay = await compare({ slice: replaySlice, viem: replayViem })
const replayRss = peakRssMiB()

const devnet = await startDevnet()
let pipeline
try {
  const traffic = await devnet.traffic({ seed: 'bench-pipeline', swaps: PIPELINE_SWAPS, txPerBlock: 60 })
  const head = traffic.blocks.at(-1).number
  pipeline = await measurePipeline(devnet.rpcUrl, head)
  pipeline.head = head
} finally {
  await devnet.stop()
}

async function measurePipeline(rpcUrl, head) {
  const configOf = (checkpoint) =>
    resolveConfig(
      {
        name: 'bench-slice',
        chains: { devnet: { source: { use: '@qenus/source-rpc', providers: [rpcUrl] } } },
        extractors: [{ use: '@qenus/plugin-uniswap-v3', emit: ['swap'] }],
        sinks: [{ use: './null-sink.mjs' }],
        server: { port: false },
        checkpoint,
      },
      { dir: dirname(fileURLToPath(import.meta.url)) },
    )
  const logger = createLogger({ level: 'error', name: 'bench' })
  const endToEnd = (config) => async () => {
    resetTally()
    const dir = mkdtempSync(join(tmpdir(), 'qenus-bench-'))
    try {
      const run = new Pipeline(config, { logger, from: 0n, to: head, checkpointStore: new FileCheckpointStore(dir) })
      await run.start()
      await run.done
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
    expectAll(tally.swaps, PIPELINE_SWAPS, 'pipeline')
    return tally.features
  }
  const client = createPublicClient({ transport: http(rpcUrl) })
  const viemGetLogs = async () => {
    let decoded = 0
    for (let from = 0n; from <= head; from += LOG_RANGE) {
      const to = from + LOG_RANGE - 1n < head ? from + LOG_RANGE - 1n : head
      decoded += (await client.getLogs({ event: swapEvent, fromBlock: from, toBlock: to, strict: true })).length
    }
    return expectAll(decoded, PIPELINE_SWAPS, 'viem getLogs')
  }
  return compare(
    {
      slice: endToEnd(await configOf({})),
      // The default commits every 1,000 blocks or 1 s; committing (flush + fsync) every block costs this.
      everyBlock: endToEnd(await configOf({ everyBlocks: 1 })),
      viem: viemGetLogs,
    },
    { reps: PIPELINE_REPS },
  )
}

const ratio = (rate, { viem }) => `${(rate.median / viem.median).toFixed(2)}×`
const { meta } = recording
console.log(
  `\nslice: ${fmt(logs.length)} recorded Uniswap V3 swaps in ${fmt(recording.blocks.length)} blocks ` +
    `(seed ${meta.seed}); median of ${REPS} (end to end: ${PIPELINE_REPS}) after a warm-up, (min–max)\n`,
)
printTable(
  ['row', 'slice', 'baseline, same run', 'slice / baseline'],
  [
    [
      'replay: decode + extract + JSON encode -> null sink',
      `${formatRate(replay.slice)} features`,
      `viem decodeEventLog loop: ${formatRate(replay.viem)} events`,
      ratio(replay.slice, replay),
    ],
    [
      `end to end: Pipeline + source-rpc (http), blocks 0-${pipeline.head}, ${fmt(PIPELINE_SWAPS)} swaps`,
      `${formatRate(pipeline.slice)} features`,
      `viem getLogs + decodeEventLog: ${formatRate(pipeline.viem)} events`,
      ratio(pipeline.slice, pipeline),
    ],
    [
      'end to end as above, checkpoint after every block (everyBlocks 1)',
      `${formatRate(pipeline.everyBlock)} features`,
      'the same',
      ratio(pipeline.everyBlock, pipeline),
    ],
  ],
)
console.log(`\npeak RSS: ${fmt(replayRss)} MiB after the replay rows, ${fmt(peakRssMiB())} MiB for the whole bench`)
