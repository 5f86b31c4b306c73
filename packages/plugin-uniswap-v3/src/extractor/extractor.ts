import {
  type BlockContext,
  type ChainInfo,
  type ChainReader,
  type Extractor,
  type Feature,
  type Hex,
  inject,
  type Log,
  type LogFilter,
  type Logger,
  LoggerToken,
  OptionsToken,
  type PendingContext,
  type RevertContext,
} from '@qenus/core'
import {
  BURN_TOPIC,
  COLLECT_TOPIC,
  decodeBurnLog,
  decodeCollectLog,
  decodeMintLog,
  decodePoolCreatedLog,
  type LogDecodeResult,
  MINT_TOPIC,
  POOL_CREATED_TOPIC,
} from '../events/decode.js'
import type { PoolState } from '../math/pool.js'
import { decodePendingSwaps, type SwapIntent } from '../mempool/decode.js'
import { MempoolBook, pendingData, pendingFeature } from '../mempool/tracker.js'
import { type KeptPool, PoolStateBook, type PoolStateEvent } from '../pools/book.js'
import { computePoolAddress, UNISWAP_V3_FACTORIES } from '../pools/factory.js'
import { readPoolSnapshots, readReserves } from '../pools/snapshot.js'
import { decodeSwapLog, type SwapEvent, type SwapQuarantineCode } from '../swap/decode.js'
import { type LiquidityEvent, liquidityFeature, poolFeature, swapFeature } from './features.js'
import type { UniswapV3Options } from './options.js'
import { type PoolMetadata, PoolMetadataCache } from './pool-metadata.js'
import { isSelected, type PoolSelection, selectPools } from './selection.js'

/** The logger calls the extractor makes: core's (pino) `Logger`, narrowed to `warn`. */
export type ExtractorLogger = Pick<Logger, 'warn'>

/**
 * Why something was set aside: a decoder code for a malformed log, `POOL_METADATA` for a log of a
 * pool whose tokens or fee cannot be read, `POOL_STATE` for a pool whose state or balances
 * cannot be read (it gets no `amm.pool` features from then on).
 */
export type QuarantineReasonCode = SwapQuarantineCode | 'POOL_METADATA' | 'POOL_STATE'

type PoolLog =
  | { log: Log; pool: Hex; type: 'swap'; swap: SwapEvent }
  | { log: Log; pool: Hex; type: 'liquidity'; liquidity: LiquidityEvent }

/** What the extractor keeps per chain. */
interface ChainState {
  selection: PoolSelection
  metadata: PoolMetadataCache
  selected: Map<Hex, boolean>
  book: PoolStateBook
  mempool: MempoolBook
  /** Pool states read at the pending head, for pools without kept state. */
  headStates: { hash: Hex; pools: Map<Hex, PoolState | undefined> } | undefined
}

const LIQUIDITY_DECODERS = {
  [MINT_TOPIC]: (log: Log) => tag('mint', decodeMintLog(log)),
  [BURN_TOPIC]: (log: Log) => tag('burn', decodeBurnLog(log)),
  [COLLECT_TOPIC]: (log: Log) => tag('collect', decodeCollectLog(log)),
} as Record<Hex, (log: Log) => LogDecodeResult<LiquidityEvent>>

function tag<A extends LiquidityEvent['action']>(action: A, result: LogDecodeResult<unknown>) {
  return (result.ok ? { ok: true, value: { action, event: result.value } } : result) as LogDecodeResult<LiquidityEvent>
}

/**
 * Extracts Uniswap V3 features: `amm.swap` per `Swap`, `amm.liquidity` per `Mint`, `Burn` and
 * `Collect`, and `amm.pool` once per touched pool per block with its end-of-block state,
 * reserves and depth.
 *
 * @remarks
 * Pool and token metadata is immutable, so it is read once per pool and cached. For depth, each
 * pool's tick state (every initialized tick) is read once, at the end of the first block that
 * touches the pool (or at the `init` block for listed pools), then moved forward by the pool's
 * own Mint, Burn and Swap events; a reorg drops what the reverted blocks changed, and it is read
 * again. Malformed logs and logs of pools whose metadata cannot be read are quarantined: logged
 * with their reason, counted in {@link UniswapV3Extractor.quarantined}, and skipped. A pool whose
 * state cannot be read is marked, warned about once, and gets no `amm.pool` features.
 */
export class UniswapV3Extractor implements Extractor {
  readonly #options: UniswapV3Options
  readonly #logger: ExtractorLogger
  readonly #emit: ReadonlySet<string>
  readonly #chains = new Map<number, ChainState>()
  readonly #quarantined = new Map<QuarantineReasonCode, number>()
  /**
   * With the `mempool` option: `mempool.swap` features of one pending transaction, with the
   * expected amounts and price impact on the pool's state at the head. Absent otherwise, so the
   * runtime asks the source for no pending transactions.
   */
  readonly onPending?: (context: PendingContext) => Promise<Feature[]>

  /**
   * @param options - Validated options (see `uniswapV3Options`).
   * @param logger - Where warnings go.
   */
  constructor(@inject(OptionsToken) options: UniswapV3Options, @inject(LoggerToken) logger: ExtractorLogger) {
    this.#options = options
    this.#logger = logger
    this.#emit = new Set(options.emit)
    if (options.mempool) this.onPending = (context) => this.#pending(context)
  }

  /** Quarantined logs and unreadable pools so far, by reason code. */
  get quarantined(): ReadonlyMap<QuarantineReasonCode, number> {
    return this.#quarantined
  }

  /**
   * The pool event topics the emitted kinds need, narrowed to the selected pools (explicit or by
   * pair), plus the factory's `PoolCreated` for `pools: 'factory'`.
   */
  logFilters(chain: ChainInfo): LogFilter[] {
    return this.#chain(chain).selection.filters
  }

  /**
   * Reads the kept state of the listed pools at the block before the first one extracted (a
   * checkpoint after a restart). Pools not readable there yet are read when first touched.
   */
  async init(chain: ChainInfo, reader: ChainReader): Promise<void> {
    const state = this.#chain(chain)
    if (!this.#emit.has('pool') || state.selection.listed === undefined) return
    const pools = [...state.selection.listed]
    await state.metadata.load(pools, reader, false)
    const known = pools.flatMap((pool) => {
      const metadata = state.metadata.get(pool)
      return metadata && 'token0' in metadata ? [{ pool, fee: metadata.fee }] : []
    })
    const snapshots = await readPoolSnapshots(reader, known)
    for (const [pool, snapshot] of snapshots) {
      if ('tick' in snapshot) state.book.set(pool, snapshot, reader.block.number)
    }
  }

  /** Extracts the block's features: swap and liquidity ones in log order, then one `amm.pool` per touched pool. */
  async onBlock({ chain, header, logs, reader }: BlockContext): Promise<Feature[]> {
    const state = this.#chain(chain)
    const decoded = this.#decode(logs, state)
    if (decoded.length === 0) return []
    await state.metadata.load(
      decoded.map((d) => d.pool),
      reader,
    )
    const accepted: { entry: PoolLog; metadata: PoolMetadata }[] = []
    for (const entry of decoded) {
      const metadata = state.metadata.get(entry.pool)
      if (metadata === undefined || !('token0' in metadata)) {
        this.#quarantine('POOL_METADATA', metadata?.reason ?? 'pool metadata missing', entry.log)
      } else if (this.#selected(state, entry.pool, metadata)) {
        accepted.push({ entry, metadata })
      }
    }
    const features: Feature[] = []
    for (const { entry, metadata } of accepted) {
      if (entry.type === 'swap' && this.#emit.has('swap')) {
        features.push(swapFeature(chain, header, entry.log, entry.pool, entry.swap, metadata))
      } else if (entry.type === 'liquidity' && this.#emit.has('liquidity')) {
        features.push(liquidityFeature(chain, header, entry.log, entry.pool, entry.liquidity))
      }
    }
    if (this.#emit.has('pool')) features.push(...(await this.#poolFeatures({ chain, header, reader }, state, accepted)))
    if (this.#options.mempool) features.push(...this.#link(chain, header, state, accepted))
    return features
  }

  #link(
    chain: ChainInfo,
    header: BlockContext['header'],
    state: ChainState,
    accepted: { entry: PoolLog }[],
  ): Feature[] {
    const swaps = accepted.flatMap(({ entry }) => (entry.type === 'swap' ? [{ log: entry.log, pool: entry.pool }] : []))
    state.mempool.prune(header.number - BigInt(Math.max(1, chain.finalityDepth)))
    return state.mempool.link(chain, header, swaps)
  }

  async #pending(context: PendingContext): Promise<Feature[]> {
    const { chain, head, hash, reader } = context
    const state = this.#chain(chain)
    const txHash = hash.toLowerCase() as Hex
    if (state.mempool.seen(txHash)) return []
    const intents = decodePendingSwaps(context.transaction)
    const targets = intents.flatMap((intent, call) => {
      const pool = this.#poolOf(chain, intent)
      return pool ? [{ intent, call, pool }] : []
    })
    if (targets.length === 0) return []
    await state.metadata.load(
      targets.map((t) => t.pool),
      reader,
    )
    const features: Feature[] = []
    for (const { intent, call, pool } of targets) {
      const metadata = state.metadata.get(pool)
      if (!metadata || !('token0' in metadata) || !this.#selected(state, pool, metadata)) continue
      const poolState = await this.#stateAtHead(state, context, pool, metadata.fee)
      const data = pendingData(context, intent, { metadata, state: poolState })
      features.push(pendingFeature(chain, head, txHash, call, pool, data))
    }
    if (features.length) {
      state.mempool.add(
        txHash,
        features.map((f) => ({ pool: f.address, data: f.data as never, txHash })),
      )
    }
    return features
  }

  #poolOf(chain: ChainInfo, intent: SwapIntent): Hex | undefined {
    if ('address' in intent.pool) return intent.pool.address
    const factory = this.#options.factory ?? UNISWAP_V3_FACTORIES[chain.chainId]
    return factory && computePoolAddress(factory, intent.pool.tokenA, intent.pool.tokenB, intent.pool.fee)
  }

  /** The kept state is the head's end state (every event up to the head moved it); else it is read at the head once. */
  async #stateAtHead(
    state: ChainState,
    context: PendingContext,
    pool: Hex,
    fee: number,
  ): Promise<PoolState | undefined> {
    const kept = state.book.get(pool)
    if (kept) return kept.state
    if (state.headStates?.hash !== context.head.hash) state.headStates = { hash: context.head.hash, pools: new Map() }
    const cached = state.headStates.pools
    if (!cached.has(pool)) {
      const snapshot = (await readPoolSnapshots(context.reader, [{ pool, fee }])).get(pool)
      cached.set(pool, snapshot && 'tick' in snapshot ? snapshot : undefined)
    }
    return cached.get(pool)
  }

  /** Drops the kept state the reverted blocks changed; it is read again when next needed. */
  onRevert({ chain, to }: RevertContext): void {
    const state = this.#chains.get(chain.chainId)
    state?.book.revertTo(to.number)
    state?.mempool.revertTo(to.number)
    if (state) state.headStates = undefined
  }

  async #poolFeatures(
    { chain, header, reader }: Omit<BlockContext, 'logs'>,
    state: ChainState,
    accepted: { entry: PoolLog; metadata: PoolMetadata }[],
  ): Promise<Feature[]> {
    const touched = new Map<Hex, { metadata: PoolMetadata; events: PoolStateEvent[] }>()
    for (const { entry, metadata } of accepted) {
      if (state.book.failed(entry.pool)) continue
      const pool = touched.get(entry.pool) ?? { metadata, events: [] }
      touched.set(entry.pool, pool)
      const event = stateEvent(entry)
      if (event) pool.events.push(event)
    }
    for (const [pool, { events }] of touched) this.#advance(state, pool, header.number, events)
    const fresh = [...touched].filter(([pool]) => !state.book.get(pool))
    const [snapshots, reserves] = await Promise.all([
      readPoolSnapshots(
        reader,
        fresh.map(([pool, { metadata }]) => ({ pool, fee: metadata.fee })),
      ),
      readReserves(
        reader,
        [...touched].map(([pool, { metadata }]) => ({ pool, token0: metadata.token0, token1: metadata.token1 })),
      ),
    ])
    for (const [pool, snapshot] of snapshots) {
      if ('tick' in snapshot) state.book.set(pool, snapshot, header.number)
      else this.#markFailed(state, pool, snapshot.reason)
    }
    const features: Feature[] = []
    for (const [pool, { metadata }] of touched) {
      const kept = state.book.get(pool)
      const balances = reserves.get(pool)!
      if (!Array.isArray(balances)) this.#markFailed(state, pool, balances.reason)
      else if (kept) {
        const feature = this.#poolFeature(state, { chain, header, pool, metadata, kept, balances })
        if (feature) features.push(feature)
      }
    }
    return features
  }

  #poolFeature(
    state: ChainState,
    p: {
      chain: ChainInfo
      header: BlockContext['header']
      pool: Hex
      metadata: PoolMetadata
      kept: KeptPool
      balances: [bigint, bigint]
    },
  ): Feature | undefined {
    try {
      return poolFeature(p.chain, p.header, p.pool, p.metadata, p.kept.state, p.balances, this.#options.depthBps)
    } catch (error) {
      // Depth found the kept ticks inconsistent: drop them so the next touch reads them again.
      state.book.delete(p.pool)
      this.#logger.warn({ pool: p.pool, err: error }, 'uniswap-v3: depth failed; kept pool state dropped')
      return undefined
    }
  }

  #advance(state: ChainState, pool: Hex, block: bigint, events: PoolStateEvent[]): void {
    try {
      state.book.advance(pool, block, events)
    } catch (error) {
      // The kept state and the pool disagree (a missed log upstream): read it again at this block.
      state.book.delete(pool)
      this.#logger.warn({ pool, block: String(block), err: error }, 'uniswap-v3: kept pool state re-read')
    }
  }

  #decode(logs: Log[], state: ChainState): PoolLog[] {
    const decoded: PoolLog[] = []
    for (const log of logs) {
      const topic0 = log.topics[0]?.toLowerCase() as Hex | undefined
      const pool = log.address.toLowerCase() as Hex
      if (state.selection.listed && !state.selection.listed.has(pool)) continue
      if (topic0 === POOL_CREATED_TOPIC && pool === state.selection.factory) {
        this.#onPoolCreated(log, state)
        continue
      }
      const liquidity = topic0 === undefined ? undefined : LIQUIDITY_DECODERS[topic0]
      if (liquidity) {
        const result = liquidity(log)
        if (result.ok) decoded.push({ log, pool, type: 'liquidity', liquidity: result.value })
        else this.#quarantine(result.code, result.reason, log)
        continue
      }
      const result = decodeSwapLog(log)
      if (result.ok) decoded.push({ log, pool, type: 'swap', swap: result.value })
      else this.#quarantine(result.code, result.reason, log)
    }
    return decoded
  }

  #onPoolCreated(log: Log, state: ChainState): void {
    const result = decodePoolCreatedLog(log)
    if (result.ok) {
      const { pool, token0, token1, fee } = result.value
      state.metadata.seed(pool, { token0, token1, fee })
    } else this.#quarantine(result.code, result.reason, log)
  }

  #selected(state: ChainState, pool: Hex, metadata: PoolMetadata): boolean {
    let selected = state.selected.get(pool)
    if (selected === undefined) {
      selected = isSelected(state.selection, pool, metadata)
      state.selected.set(pool, selected)
    }
    return selected
  }

  #chain(chain: ChainInfo): ChainState {
    let state = this.#chains.get(chain.chainId)
    if (state === undefined) {
      state = {
        selection: selectPools(this.#options, chain),
        metadata: new PoolMetadataCache(),
        selected: new Map(),
        book: new PoolStateBook(),
        mempool: new MempoolBook(this.#options.mempoolMaxPending),
        headStates: undefined,
      }
      this.#chains.set(chain.chainId, state)
    }
    return state
  }

  #markFailed(state: ChainState, pool: Hex, reason: string): void {
    state.book.markFailed(pool, reason)
    this.#count('POOL_STATE')
    this.#logger.warn({ code: 'POOL_STATE', reason, pool }, 'uniswap-v3: pool state unreadable; no amm.pool features')
  }

  #count(code: QuarantineReasonCode): void {
    this.#quarantined.set(code, (this.#quarantined.get(code) ?? 0) + 1)
  }

  #quarantine(code: QuarantineReasonCode, reason: string, log: Log): void {
    this.#count(code)
    this.#logger.warn(
      { code, reason, address: log.address, txHash: log.transactionHash, logIndex: log.logIndex },
      'uniswap-v3: log quarantined',
    )
  }
}

function stateEvent(entry: PoolLog): PoolStateEvent | undefined {
  if (entry.type === 'swap') return { type: 'swap', swap: entry.swap }
  const { action, event } = entry.liquidity
  if (action === 'collect') return undefined
  return { type: action, tickLower: event.tickLower, tickUpper: event.tickUpper, amount: event.amount }
}
