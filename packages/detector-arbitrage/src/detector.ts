import {
  type BlockHeader,
  blockFeature,
  type ChainInfo,
  type ComponentContext,
  ContextToken,
  type Detector,
  type DetectorContext,
  type Feature,
  type Hex,
  inject,
  type Logger,
  LoggerToken,
  type OpportunityData,
  OptionsToken,
} from '@qenus/core'
import { type KeptPool, PoolBook, volatility } from './book.js'
import { confidence } from './confidence.js'
import { bridgeTerms, flashSource, type GasQuote, gasQuote, gasWei } from './costs.js'
import type { ArbitrageOptions, TokenConfig } from './options.js'
import { fixed as fixedUsd, formatUsd, Pricing } from './pricing.js'
import { type Hop, optimiseRoute, type RouteResult, type RouteTerms } from './route.js'

/** The logger calls the detector makes: core's (pino) `Logger`, narrowed to `warn`. */
export type DetectorLogger = Pick<Logger, 'warn'>

/** A watched pool's pair: the quote asset profits are counted in and the other token. */
interface Pair {
  key: string
  quote: TokenConfig
  base: TokenConfig
}

/** An opportunity before it becomes a feature. */
interface Found {
  type: OpportunityData['type']
  route: RouteResult
  quote: TokenConfig
  quoteAsset: Hex
  gas: bigint
  ageSeconds: number
  horizonSeconds: number
  pools: KeptPool[]
}

/**
 * Finds cross-venue, cross-chain and flash-loan funded arbitrage between Uniswap V3 pools of the
 * same token pair, and reports each as an `opportunity` feature of the block it was found in.
 *
 * @remarks
 * Pool state is exact: each watched pool's whole tick map is read once through the block-bound
 * reader, then kept current from the block's `amm.liquidity` and `amm.pool` features;
 * the optimal input comes from the pools' own swap math over their
 * initialized ticks. A block whose parent is not the last one seen (a reorg) drops the chain's
 * kept state, which is read again; the runtime withdraws the orphaned blocks' opportunities like
 * any feature. Needs `@qenus/plugin-uniswap-v3` emitting `pool` and `liquidity`.
 */
export class ArbitrageDetector implements Detector {
  readonly #options: ArbitrageOptions
  readonly #logger: DetectorLogger
  readonly #book: PoolBook
  readonly #pricing: Pricing
  readonly #gas = new Map<string, GasQuote>()
  readonly #headers = new Map<string, BlockHeader>()
  readonly #chains = new Map<string, ChainInfo>()
  readonly #deposits = new Map<string, bigint>()
  readonly #delays = new Map<string, number>()
  readonly #warned = new Set<string>()
  readonly #pairs: Set<string> | undefined
  readonly #instance: string

  /**
   * @param options - Validated options (see `arbitrageOptions`).
   * @param logger - Where warnings go.
   * @param context - The instance's id, which keeps the ids of two detector instances apart.
   */
  constructor(
    @inject(OptionsToken) options: ArbitrageOptions,
    @inject(LoggerToken) logger: DetectorLogger,
    @inject(ContextToken) context?: ComponentContext,
  ) {
    this.#instance = context?.id ?? 'arbitrage'
    this.#options = options
    this.#logger = logger
    this.#book = new PoolBook(options.volatilityWindow)
    this.#pricing = new Pricing(options, this.#book)
    this.#pairs = options.pairs && new Set(options.pairs.map((pair) => [...pair].sort().join('/')))
  }

  /** Updates the kept pool state with the block and returns the opportunities it opens. */
  async onBlock(context: DetectorContext): Promise<Feature[]> {
    const { chain, header, features, store, reader } = context
    this.#chains.set(chain.name, chain)
    const changed = await this.#book.apply(
      chain,
      header,
      features,
      store,
      reader,
      (tokens) => this.#pair(chain.name, tokens) !== undefined,
      (pool, reason) => this.#warn(`snapshot:${pool}`, { pool, reason }, 'pool state unreadable; pool skipped'),
    )
    this.#headers.set(chain.name, header)
    this.#gas.set(chain.name, gasQuote(chain.chainId, header, features, store, this.#options))
    this.#trackBridges(features)
    if (changed.size === 0) return []
    const found = [...this.#crossVenue(context, changed), ...this.#crossChain(context, changed)]
    return found.flatMap((f) => this.#feature(context, f) ?? [])
  }

  #pair(chain: string, tokens: readonly Hex[]): Pair | undefined {
    const a = this.#pricing.token(chain, tokens[0]!)
    const b = this.#pricing.token(chain, tokens[1]!)
    if (!a || !b) return undefined
    const key = [a.symbol, b.symbol].sort().join('/')
    if (this.#pairs && !this.#pairs.has(key)) return undefined
    const rank = (t: TokenConfig) => {
      const i = this.#options.quoteAssets.indexOf(t.symbol)
      return i >= 0 ? i : t.usd !== undefined ? 1000 : 2000
    }
    const [quote, base] = rank(a) <= rank(b) ? [a, b] : [b, a]
    return { key, quote, base }
  }

  /** Watched pools of a chain grouped by pair. */
  #groups(chain: string): Map<string, { pair: Pair; pools: KeptPool[] }> {
    const groups = new Map<string, { pair: Pair; pools: KeptPool[] }>()
    for (const pool of this.#book.pools(chain).values()) {
      const pair = this.#pair(chain, pool.tokens)
      if (!pair) continue
      const group = groups.get(pair.key) ?? { pair, pools: [] }
      group.pools.push(pool)
      groups.set(pair.key, group)
    }
    return groups
  }

  #hops(buy: KeptPool, sell: KeptPool, pair: Pair): [Hop, Hop] {
    const q = (pool: KeptPool) => pair.quote.addresses[pool.chain]!
    const x = (pool: KeptPool) => pair.base.addresses[pool.chain]!
    return [
      { pool: buy, zeroForOne: buy.tokens[0] === q(buy), tokenIn: q(buy), tokenOut: x(buy) },
      { pool: sell, zeroForOne: sell.tokens[0] === x(sell), tokenIn: x(sell), tokenOut: q(sell) },
    ]
  }

  *#crossVenue({ chain, features, store }: DetectorContext, changed: Set<Hex>): Generator<Found> {
    const quote = this.#gas.get(chain.name)!
    for (const { pair, pools } of this.#groups(chain.name).values()) {
      if (pools.length < 2 || !pools.some((p) => changed.has(p.address))) continue
      const inventory = this.#pricing.inventory(this.#options, pair.quote.symbol)
      const quoteAsset = pair.quote.addresses[chain.name]!
      const flash =
        inventory === undefined
          ? undefined
          : flashSource(chain, quoteAsset, pair.quote.symbol, features, store, this.#options)
      const terms: RouteTerms = { inventory, flash }
      for (const buy of pools) {
        for (const sell of pools) {
          if (buy === sell) continue
          const route = optimiseRoute(...this.#hops(buy, sell, pair), terms)
          if (!route) continue
          yield {
            type: route.borrowed > 0n ? 'flash-loan' : 'cross-venue',
            route,
            quote: pair.quote,
            quoteAsset,
            gas: this.#gasIn(pair.quote, [gasWei(quote, 2, this.#options)]),
            ageSeconds: 0,
            horizonSeconds: blockSeconds(chain) * Math.max(1, this.#options.validityBlocks),
            pools: [buy, sell],
          }
        }
      }
    }
  }

  *#crossChain({ chain, header, store }: DetectorContext, changed: Set<Hex>): Generator<Found> {
    if (!this.#options.crossChain) return
    const here = this.#groups(chain.name)
    for (const other of this.#book.chains()) {
      const otherInfo = this.#chains.get(other)
      const otherHeader = this.#headers.get(other)
      if (other === chain.name || !otherInfo || !otherHeader) continue
      const there = this.#groups(other)
      const ageSeconds = Math.abs(Number(header.timestamp - otherHeader.timestamp))
      for (const [key, { pair, pools }] of here) {
        const remote = there.get(key)?.pools ?? []
        if (remote.length === 0 || !pools.some((p) => changed.has(p.address))) continue
        for (const local of pools) {
          for (const far of remote) {
            for (const [buy, sell] of [
              [local, far],
              [far, local],
            ] as const) {
              const found = this.#crossChainRoute(buy, sell, pair, store, ageSeconds)
              if (found) yield found
            }
          }
        }
      }
    }
  }

  #crossChainRoute(
    buy: KeptPool,
    sell: KeptPool,
    pair: Pair,
    store: DetectorContext['store'],
    ageSeconds: number,
  ): Found | undefined {
    const from = this.#chains.get(buy.chain)!
    const to = this.#chains.get(sell.chain)!
    const bridge = bridgeTerms(
      from,
      to,
      pair.base.addresses[buy.chain]!,
      pair.base.symbol,
      store,
      this.#delays.get(`${from.chainId}>${to.chainId}`),
      this.#options,
    )
    const terms: RouteTerms = {
      inventory: this.#pricing.inventory(this.#options, pair.quote.symbol),
      sellInventory: this.#pricing.inventory(this.#options, pair.base.symbol),
      bridgeFeeBps: bridge.feeBps,
    }
    const route = optimiseRoute(...this.#hops(buy, sell, pair), terms)
    if (!route) return undefined
    const gas = [this.#gas.get(buy.chain)!, this.#gas.get(sell.chain)!].map((q) => gasWei(q, 1, this.#options))
    return {
      type: 'cross-chain',
      route,
      quote: pair.quote,
      quoteAsset: pair.quote.addresses[buy.chain]!,
      gas: this.#gasIn(pair.quote, gas),
      ageSeconds,
      horizonSeconds: bridge.delaySeconds,
      pools: [buy, sell],
    }
  }

  /** Gas in wei, converted to the quote asset; -1 when the native or quote price is unknown. */
  #gasIn(quote: TokenConfig, wei: bigint[]): bigint {
    const total = wei.reduce((a, b) => a + b, 0n)
    const converted = this.#pricing.nativeIn(quote.symbol, this.#options.nativeToken, total)
    if (converted !== undefined) return converted
    this.#warn(
      `price:${quote.symbol}`,
      { quote: quote.symbol, native: this.#options.nativeToken },
      'no USD price for the quote or native token; its opportunities are skipped',
    )
    return -1n
  }

  #feature({ chain, header }: DetectorContext, found: Found): Feature | undefined {
    const { route, quote } = found
    if (found.gas < 0n) return undefined
    const netProfit = route.profit - found.gas
    const netUsd = this.#pricing.usdValue(quote.symbol, netProfit)
    if (netProfit <= 0n || netUsd === undefined || netUsd < fixedUsd(this.#options.minNetProfitUsd)) return undefined
    const input = route.legs[0].amountIn
    const score = confidence({
      ageSeconds: found.ageSeconds,
      halfLifeSeconds: this.#options.stateAgeHalfLifeSeconds,
      movesBps: route.movesBps,
      sigma: Math.max(...found.pools.map(volatility)),
      horizonSeconds: found.horizonSeconds,
      margin: Number((netProfit * 1_000_000_000n) / input) / 1e9,
    })
    if (score < this.#options.minConfidence) return undefined
    const data: OpportunityData = {
      type: found.type,
      legs: route.legs,
      quoteAsset: found.quoteAsset,
      grossProfit: route.profit + route.fees + route.bridge + route.flashPremium,
      costs: { gas: found.gas, fees: route.fees, bridge: route.bridge, flashPremium: route.flashPremium },
      netProfit,
      netProfitUsd: formatUsd(netUsd),
      confidence: score,
      validUntilBlock: header.number + BigInt(this.#options.validityBlocks),
    }
    const discriminator = `${this.#instance}:${found.type}:${route.legs.map((l) => `${l.chainId}/${l.address}`).join('>')}`
    return blockFeature({
      kind: 'opportunity',
      chain,
      header,
      protocol: 'uniswap-v3',
      address: route.legs[0].address,
      data,
      discriminator,
    })
  }

  /** Learns bridge delays from deposits and their fills, per route. */
  #trackBridges(features: readonly Feature[]): void {
    for (const f of features) {
      if (f.kind !== 'bridge.transfer') continue
      const key = `${f.data.bridge}:${f.data.originChainId}:${f.data.depositId}`
      if (f.data.phase === 'initiated') this.#deposits.set(key, f.blockTimestamp)
      const started = this.#deposits.get(key)
      if (f.data.phase !== 'filled' || started === undefined) continue
      this.#delays.set(`${f.data.originChainId}>${f.data.destinationChainId}`, Number(f.blockTimestamp - started))
      this.#deposits.delete(key)
    }
  }

  #warn(key: string, fields: Record<string, unknown>, message: string): void {
    if (this.#warned.has(key)) return
    this.#warned.add(key)
    this.#logger.warn(fields, message)
  }
}

function blockSeconds(chain: ChainInfo): number {
  return Math.max(chain.blockTimeMs / 1000, 1)
}
