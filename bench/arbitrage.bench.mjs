/**
 * @qenus/detector-arbitrage latency (issue 9): the time from a block's last feature to its
 * opportunities, i.e. one `ArbitrageDetector.onBlock` call once the block's features are all
 * there, with 100 Uniswap V3 pools on 2 chains (50 per chain: 10 pairs × 5 fee tiers, the same
 * pairs on both chains, so cross-chain routes are searched too).
 *
 * Pool states are synthesised (full-range plus three concentrated positions each) and served to
 * the detector's one-time snapshot read by an in-memory ChainReader; each block moves some pools
 * by a random swap (the exact pool math of @qenus/plugin-uniswap-v3) and hands the detector their
 * `amm.pool` features, as the extractor would. Baseline, same run and same blocks: a mid-price
 * scan of every pool pair of the touched pairs (no sizing, no costs), the least any detector does.
 */
import { blockFeature, InMemoryFeatureStore, KNOWN_CHAINS } from '@qenus/core'
import plugin from '@qenus/detector-arbitrage'
import {
  applyMint,
  applySwap,
  getSqrtRatioAtTick,
  MAX_TICK,
  MIN_TICK,
  simulateSwap,
  sortedTicks,
} from '@qenus/plugin-uniswap-v3'
import { fmt, peakRssMiB, positiveInt, printTable } from './harness.mjs'

const BLOCKS = positiveInt('BENCH_ARB_BLOCKS', 300)
const TOUCHED = positiveInt('BENCH_ARB_TOUCHED', 8)
const PAIRS = 10
const FEES = [100, 500, 3000, 10000, 500]
const SPACING = { 100: 1, 500: 10, 3000: 60, 10000: 200 }
const chains = [KNOWN_CHAINS.ethereum, KNOWN_CHAINS.arbitrum]

let seed = 42
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31
  return seed / 2 ** 31
}
const addr = (n) => `0x${n.toString(16).padStart(40, '0')}`
const quote = addr(0xf000)
const bases = Array.from({ length: PAIRS }, (_, i) => addr(0x1000 + i))
const tokens = [
  { symbol: 'USDQ', decimals: 6, usd: 1, addresses: { ethereum: quote, arbitrum: quote } },
  { symbol: 'WETH', decimals: 18, usd: 2500, addresses: { ethereum: addr(0xe000), arbitrum: addr(0xe000) } },
  ...bases.map((a, i) => ({ symbol: `X${i}`, decimals: 18, addresses: { ethereum: a, arbitrum: a } })),
]

/** Every chain's pools: address → { state, tokens }. token0 is X (lower address), token1 USDQ. */
function makePools(chainIndex) {
  const pools = new Map()
  bases.forEach((base, p) => {
    FEES.forEach((fee, f) => {
      const spacing = SPACING[fee]
      const tick = Math.round((-276_324 + 69_000 + p * 500 + f * 7 + chainIndex * 3) / spacing) * spacing
      const state = {
        sqrtPriceX96: getSqrtRatioAtTick(tick),
        tick,
        liquidity: 0n,
        fee,
        tickSpacing: spacing,
        ticks: new Map(),
      }
      const full = Math.floor(MAX_TICK / spacing) * spacing
      applyMint(state, -full, full, 10n ** 18n)
      for (const [width, amount] of [
        [50, 4n],
        [200, 2n],
        [1000, 1n],
      ]) {
        const lo = Math.floor((tick - width * spacing) / spacing) * spacing
        applyMint(state, lo, lo + 2 * width * spacing, amount * 10n ** 19n)
      }
      pools.set(addr(0xa0000 + chainIndex * 0x1000 + p * 16 + f), { state, tokens: [base, quote], anchor: tick })
    })
  })
  return pools
}

/** A ChainReader over the synthesised pools, answering the detector's snapshot reads. */
function reader(pools, block) {
  const answer = ({ address, functionName, args }) => {
    const { state } = pools.get(address)
    switch (functionName) {
      case 'slot0':
        return [state.sqrtPriceX96, state.tick, 0, 1, 1, 0, true]
      case 'liquidity':
        return state.liquidity
      case 'tickSpacing':
        return state.tickSpacing
      case 'tickBitmap': {
        let word = 0n
        for (const t of state.ticks.keys()) {
          const c = Math.floor(t / state.tickSpacing)
          if (c >> 8 === args[0]) word |= 1n << BigInt(c & 0xff)
        }
        return word
      }
      case 'ticks': {
        const info = state.ticks.get(args[0])
        return [info.liquidityGross, info.liquidityNet, 0n, 0n, 0n, 0n, 0, true]
      }
      default:
        throw new Error(`unexpected read ${functionName}`)
    }
  }
  return {
    block,
    call: () => {
      throw new Error('raw calls are not served')
    },
    readContract: async (call) => answer(call),
    multicall: async (calls) => calls.map((call) => ({ status: 'success', result: answer(call) })),
  }
}

function poolFeature(chain, header, address, { state, tokens: pair }) {
  return blockFeature({
    kind: 'amm.pool',
    chain,
    header,
    protocol: 'uniswap-v3',
    address,
    discriminator: address,
    data: {
      pool: address,
      tokens: pair,
      reserves: [0n, 0n],
      fee: state.fee,
      price: '0',
      sqrtPriceX96: state.sqrtPriceX96,
      tick: state.tick,
      liquidity: state.liquidity,
      depth: [],
    },
  })
}

/**
 * Moves a pool by a swap to a random tick within ±8 of its starting tick: prices wander but stay
 * near each other, as arbitrage keeps them on a live chain.
 */
function jiggle(pool) {
  const { state } = pool
  const tick = pool.anchor - 8 + Math.floor(random() * 17)
  if (tick === state.tick) return
  const down = tick < state.tick
  const target = getSqrtRatioAtTick(Math.max(MIN_TICK + 1, Math.min(MAX_TICK - 1, tick)))
  if (down ? target >= state.sqrtPriceX96 : target <= state.sqrtPriceX96) return
  applySwap(state, simulateSwap(state, down, 1n << 200n, target, sortedTicks(state)))
}

const hashOf = (chainIndex, n) =>
  `0x${(chainIndex + 1).toString(16).padStart(8, '0')}${n.toString(16).padStart(56, '0')}`

/** Mid-price scan: every ordered pool pair of each touched pair, spread against the fee sum. */
function midScan(pools, touched) {
  let found = 0
  const byPair = new Map()
  for (const [address, pool] of pools) {
    const key = pool.tokens[0]
    if (!byPair.has(key)) byPair.set(key, [])
    byPair.get(key).push([address, pool])
  }
  for (const key of new Set(touched.map((a) => pools.get(a).tokens[0]))) {
    const list = byPair.get(key)
    for (const [, a] of list) {
      for (const [, b] of list) {
        const pa = (Number(a.state.sqrtPriceX96) / 2 ** 96) ** 2
        const pb = (Number(b.state.sqrtPriceX96) / 2 ** 96) ** 2
        if (pb / pa - 1 > (a.state.fee + b.state.fee) / 1e6) found++
      }
    }
  }
  return found
}

async function run() {
  const definition = plugin.components.detectors.arbitrage
  const options = definition.options.parse({ tokens, nativeToken: 'WETH' })
  const detector = new definition.component(options, { warn: () => undefined })
  const store = new InMemoryFeatureStore({ retainBlocks: 128 })
  const worlds = chains.map((_, i) => makePools(i))
  const latency = []
  const baseline = []
  let opportunities = 0
  for (let n = 1; n <= BLOCKS + 1; n++) {
    for (const [i, chain] of chains.entries()) {
      const pools = worlds[i]
      const header = {
        number: BigInt(n),
        hash: hashOf(i, n),
        parentHash: hashOf(i, n - 1),
        timestamp: 1_700_000_000n + BigInt(n * 12),
        baseFeePerGas: 1_000_000_000n,
        gasUsed: 0n,
        gasLimit: 30_000_000n,
      }
      // Block 1 introduces every pool (the one-time snapshot read); later blocks touch a few.
      const touched = n === 1 ? [...pools.keys()] : [...pools.keys()].sort(() => random() - 0.5).slice(0, TOUCHED)
      if (n > 1) for (const address of touched) jiggle(pools.get(address))
      const features = touched.map((address) => poolFeature(chain, header, address, pools.get(address)))
      const context = { chain, header, features, store, reader: reader(pools, header) }
      const started = performance.now()
      const found = await detector.onBlock(context)
      const ms = performance.now() - started
      const midStarted = performance.now()
      midScan(pools, touched)
      const midMs = performance.now() - midStarted
      if (n > 1) {
        latency.push(ms)
        baseline.push(midMs)
        opportunities += found.length
      }
      store.apply({ chain, block: header, timestamp: header.timestamp, features: [...features, ...found] })
    }
  }
  return { latency, baseline, opportunities }
}

const pct = (list, p) => {
  const sorted = [...list].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}
const ms = (v) => `${v.toFixed(3)} ms`

await run() // warm-up: JIT and the first-sight snapshot reads
const { latency, baseline, opportunities } = await run()
console.log(
  `\narbitrage: 100 synthesised Uniswap V3 pools on 2 chains (10 pairs × 5 fee tiers each), ${fmt(BLOCKS)} blocks ` +
    `per chain, ${TOUCHED} pools moved per block; ${fmt(opportunities)} opportunities reported\n`,
)
printTable(
  ['row', 'p50', 'p99', 'max'],
  [
    [
      'detector onBlock: block features in -> opportunities out',
      ms(pct(latency, 50)),
      ms(pct(latency, 99)),
      ms(Math.max(...latency)),
    ],
    [
      'baseline, same blocks: mid-price scan of touched pairs',
      ms(pct(baseline, 50)),
      ms(pct(baseline, 99)),
      ms(Math.max(...baseline)),
    ],
  ],
)
console.log(`\npeak RSS: ${fmt(peakRssMiB())} MiB`)
