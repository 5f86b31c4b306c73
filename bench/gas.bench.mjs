/**
 * Gas (issue 8): blocks/s of `gas.block` extraction in backfill (source-rpc over http with every
 * receipt, then the real `GasExtractor.onBlock`), beside the bare block fetch (headers only) and
 * the fetch with receipts, over the same blocks of a live devnet, in the same run.
 */
import { KNOWN_CHAINS } from '@qenus/core'
import gas, { gasBlockData } from '@qenus/plugin-gas'
import { RpcSource, rpcSourceOptions } from '@qenus/source-rpc'
import { startDevnet } from '@qenus/testkit'
import { compare, fmt, formatRate, peakRssMiB, positiveInt, printTable, REPS } from './harness.mjs'

const BLOCKS = positiveInt('BENCH_GAS_BLOCKS', 300)
const TX_PER_BLOCK = positiveInt('BENCH_GAS_TX_PER_BLOCK', 20)
const chain = KNOWN_CHAINS.devnet
const { component: Extractor, options } = gas.components.extractors.gas
const quiet = { debug() {}, info() {}, warn() {} }
const logger = {
  info() {},
  warn: (fields) => {
    throw new Error(`unexpected warning ${JSON.stringify(fields)}`)
  },
}

const devnet = await startDevnet()
try {
  const from = (await devnet.publicClient.getBlockNumber()) + 1n
  await devnet.traffic({ seed: 'bench-gas', swaps: BLOCKS * TX_PER_BLOCK, txPerBlock: TX_PER_BLOCK })
  const to = await devnet.publicClient.getBlockNumber()
  const count = Number(to - from + 1n)

  /** Streams the range through source-rpc; `onEvent` sees every block event with a reader. */
  const stream = (receipts, onEvent) => async () => {
    const source = new RpcSource(rpcSourceOptions.parse({ providers: [devnet.rpcUrl] }), chain, quiet)
    let blocks = 0
    try {
      const signal = AbortSignal.timeout(300_000)
      for await (const event of source.stream({ chain, from, to, filters: [], receipts, signal })) {
        if (event.type !== 'block') continue
        blocks++
        await onEvent?.(event, source)
      }
    } finally {
      await source.close()
    }
    if (blocks !== count) throw new Error(`${blocks} blocks streamed of ${count}`)
    return blocks
  }
  const extract = () => {
    const extractor = new Extractor(options.parse({ emit: ['block'] }), logger, { now: () => Date.now() })
    return stream(true, async (event, source) => {
      const features = await extractor.onBlock({ ...event, reader: source.reader(event.header) })
      if (features.length !== 1) throw new Error(`block ${event.header.number}: ${features.length} features`)
    })()
  }
  const recorded = []
  await stream(true, (event) => recorded.push(event))()
  const compute = () => {
    for (const { header, receipts } of recorded) gasBlockData(chain, header, receipts)
    return recorded.length
  }

  const rates = await compare({ extract, receipts: stream(true), bare: stream(false), compute })
  console.log(
    `\ngas: ${fmt(count)} blocks of ${TX_PER_BLOCK} Uniswap swaps each on a live devnet (http); ` +
      `median of ${REPS} after a warm-up, (min–max)\n`,
  )
  const ratio = (name) => `${(rates[name].median / rates.bare.median).toFixed(3)}×`
  printTable(
    ['row', 'blocks/s', 'vs bare fetch'],
    [
      ['gas.block backfill: fetch + receipts + GasExtractor.onBlock', formatRate(rates.extract), ratio('extract')],
      ['fetch + receipts (what the extractor asks for)', formatRate(rates.receipts), ratio('receipts')],
      ['bare block fetch, headers only (baseline)', formatRate(rates.bare), '1.000×'],
      ['gasBlockData over fetched blocks (compute only)', formatRate(rates.compute), ratio('compute')],
    ],
  )
  console.log(`\npeak RSS ${fmt(peakRssMiB())} MiB`)
} finally {
  await devnet.stop()
}
