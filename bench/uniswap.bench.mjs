/**
 * Uniswap V3 (issue 4): swaps/s extracted with `amm.pool` (reserves, price, depth) and
 * `amm.liquidity` on, beside `amm.swap` alone and the plain Swap decode, over the same blocks of a
 * live devnet, in the same run.
 */
import { compileFilters, KNOWN_CHAINS } from '@qenus/core'
import uniswapV3, { decodeSwapLog, SWAP_TOPIC } from '@qenus/plugin-uniswap-v3'
import { startDevnet } from '@qenus/testkit'
import { compare, fmt, formatRate, peakRssMiB, positiveInt, printTable, REPS } from './harness.mjs'

const SWAPS = positiveInt('BENCH_UNISWAP_SWAPS', 5000)
const chain = KNOWN_CHAINS.devnet
const { component: Extractor, options } = uniswapV3.components.extractors['uniswap-v3']
const logger = {
  warn: (fields) => {
    throw new Error(`unexpected warning ${JSON.stringify(fields)}`)
  },
}

const devnet = await startDevnet()
try {
  const start = await devnet.publicClient.getBlockNumber()
  await devnet.traffic({ seed: 'bench-uniswap', swaps: SWAPS, mints: SWAPS / 50, burns: SWAPS / 100, txPerBlock: 40 })
  const head = await devnet.publicClient.getBlockNumber()
  const blocks = []
  for (let n = start + 1n; n <= head; n++) {
    const b = await devnet.publicClient.getBlock({ blockNumber: n })
    const header = {
      number: b.number,
      hash: b.hash,
      parentHash: b.parentHash,
      timestamp: b.timestamp,
      gasUsed: b.gasUsed,
      gasLimit: b.gasLimit,
    }
    blocks.push({
      header,
      logs: (await devnet.publicClient.getLogs({ blockHash: b.hash })).map((l) => ({
        ...l,
        address: l.address.toLowerCase(),
      })),
      reader: {
        block: header,
        async multicall(calls) {
          const results = await devnet.publicClient.multicall({ contracts: calls, allowFailure: true, blockNumber: n })
          return results.map((r) => (r.status === 'success' ? r : { status: 'failure', error: r.error }))
        },
      },
    })
  }
  const swapLogs = blocks.flatMap((b) => b.logs).filter((l) => l.topics[0] === SWAP_TOPIC)
  if (swapLogs.length !== SWAPS) throw new Error(`${swapLogs.length} Swap logs for ${SWAPS} swaps sent`)

  const extract = (input) => async () => {
    const extractor = new Extractor(options.parse(input), logger)
    const match = compileFilters(extractor.logFilters(chain))
    let swaps = 0
    for (const { header, logs: all, reader } of blocks) {
      const features = await extractor.onBlock({ chain, header, logs: all.filter(match), reader })
      swaps += features.filter((f) => f.kind === 'amm.swap').length
    }
    if (swaps !== SWAPS) throw new Error(`${swaps} amm.swap features for ${SWAPS} swaps`)
    return swaps
  }
  const decode = () => swapLogs.filter((log) => decodeSwapLog(log).ok).length

  const rates = await compare({
    full: extract({ pools: 'factory', factory: devnet.contracts.factory }),
    swaps: extract({ emit: ['swap'] }),
    decode,
  })
  console.log(
    `\nuniswap: ${fmt(SWAPS)} swaps in ${fmt(blocks.length)} blocks of a live devnet (http reads); ` +
      `median of ${REPS} after a warm-up, (min–max)\n`,
  )
  const ratio = (name) => `${(rates[name].median / rates.decode.median).toFixed(3)}×`
  printTable(
    ['row', 'swaps/s', 'vs decode'],
    [
      ['amm.swap + amm.liquidity + amm.pool (reserves, price, depth)', formatRate(rates.full), ratio('full')],
      ['amm.swap only', formatRate(rates.swaps), ratio('swaps')],
      ['decodeSwapLog only (baseline)', formatRate(rates.decode), '1.000×'],
    ],
  )
  console.log(`\npeak RSS ${fmt(peakRssMiB())} MiB`)
} finally {
  await devnet.stop()
}
