import {
  type BlockContext,
  type BlockHeader,
  blockFeature,
  type ChainInfo,
  type Clock,
  ClockToken,
  type Extractor,
  type Feature,
  type Hex,
  inject,
  isQenusError,
  type LogFilter,
  type Logger,
  LoggerToken,
  OptionsToken,
  type PendingContext,
  type RevertContext,
  type SequencerHealthData,
  type TickContext,
  type TipInclusion,
} from '@qenus/core'
import { type BatchPoster, BatchTracker, MAINNET_BATCH_POSTERS } from '../batches/posting.js'
import { gasBlockData } from '../fees/block.js'
import { feeMarketOf, nextBaseFee } from '../fees/eip1559.js'
import { TipRecommender } from '../fees/recommend.js'
import { type ArbitrumPrices, readArbitrumPrices } from '../l2/arbitrum.js'
import { referenceSwapTx } from '../l2/reference-tx.js'
import { gweiToWei, InclusionTracker, tipBid } from '../mempool/inclusion.js'
import { SequencerMonitor, type SequencerReport } from '../sequencer/monitor.js'
import { CHAIN_WIDE_ADDRESS } from './features.js'
import { l2FeeData, l2Kind } from './l2fee.js'
import type { GasOptions } from './options.js'

/** The logger calls the extractor makes: core's (pino) `Logger`, narrowed. */
export type GasExtractorLogger = Pick<Logger, 'warn' | 'info'>

/**
 * Why a feature or input was set aside: `BAD_BLOCK` a header or receipt missing a field its fork
 * requires (or inconsistent), `L2_READ` an L2 fee contract that could not be read at the block,
 * `BAD_PENDING` a mempool transaction without the fee fields its tip bid needs.
 */
export type GasQuarantineCode = 'BAD_BLOCK' | 'L2_READ' | 'BAD_PENDING'

interface ChainState {
  recommender: TipRecommender
  monitor: SequencerMonitor | undefined
  tx: Hex
  lastStatus: SequencerReport['status'] | undefined
  /** When the last out-of-block `halted` feature went out; unset while not halted. */
  haltedSentAt: number | undefined
  inclusion: InclusionTracker | undefined
  batches: BatchTracker[]
}

/** The configured batch posting targets, presets resolved. */
function batchPosters(options: GasOptions): BatchPoster[] {
  return options.batchPosting.map((entry) => (typeof entry === 'string' ? MAINNET_BATCH_POSTERS[entry] : entry))
}

/** The `sequencer.health` data of a monitor report. */
function healthData(chain: ChainInfo, report: SequencerReport): SequencerHealthData {
  return {
    up: true,
    secondsSinceLastBlock: report.secondsSinceLastBlock,
    status: report.status,
    ...(report.reasons.length > 0 ? { reason: report.reasons.join('; ') } : {}),
    expectedBlockTimeMs: chain.blockTimeMs,
    ...(report.blockTimeMs === undefined ? {} : { blockTimeMs: report.blockTimeMs }),
    gaps: report.gaps,
    reorgs: report.reorgs,
  }
}

/**
 * Extracts gas and fee features: `gas.block` per block (EIP-1559 next base fee, tip percentiles
 * from receipts, blob fields, priority fee recommendations), `gas.l2fee` per L2 block (OP Stack
 * GasPriceOracle or Arbitrum ArbGasInfo, and the total cost of a reference swap) and
 * `sequencer.health` per L2 block, and an out-of-block `sequencer.health` while an L2 is halted.
 *
 * @remarks
 * A block missing a field its fork requires is quarantined: warned about with the block and the
 * field, counted in {@link GasExtractor.quarantined}, and gets no `gas.block`; nothing is guessed.
 * `halted` cannot ride on a block (none comes), so the runtime's ticks ({@link GasExtractor.onTick})
 * check each L2 against the clock, log every status change, and emit `status: 'halted'` bound to the
 * last block (to sinks with `writePending`); {@link GasExtractor.sequencerStatus} reports it on
 * demand. The first block after a halt carries `degraded` with the halt's length.
 */
export class GasExtractor implements Extractor {
  readonly #options: GasOptions
  readonly #logger: GasExtractorLogger
  readonly #clock: Clock
  readonly #emit: ReadonlySet<string>
  readonly #chains = new Map<string, ChainState>()
  readonly #quarantined = new Map<GasQuarantineCode, number>()
  readonly #posters: BatchPoster[]
  /**
   * With the `mempool` option: records each pending transaction's effective tip bid and the head
   * it was seen at, for the time-to-inclusion buckets of `gas.block`; emits nothing itself.
   * Absent otherwise, so the runtime asks the source for no pending transactions.
   */
  readonly onPending?: (context: PendingContext) => Feature[]

  /**
   * @param options - Validated options (see `gasOptions`).
   * @param logger - Where warnings and status changes go.
   * @param clock - The clock sequencer health is judged against.
   */
  constructor(
    @inject(OptionsToken) options: GasOptions,
    @inject(LoggerToken) logger: GasExtractorLogger,
    @inject(ClockToken) clock: Clock,
  ) {
    this.#options = options
    this.#logger = logger
    this.#clock = clock
    this.#emit = new Set(options.emit)
    this.#posters = this.#emit.has('sequencer') ? batchPosters(options) : []
    if (options.mempool) this.onPending = (context) => this.#pending(context)
  }

  /** Quarantined blocks and reads so far, by reason code. */
  get quarantined(): ReadonlyMap<GasQuarantineCode, number> {
    return this.#quarantined
  }

  /** No logs: everything comes from headers, receipts and reads. */
  logFilters(): LogFilter[] {
    return []
  }

  /** Receipts are needed for the tip percentiles of `gas.block` and to find L2 batches on an L1. */
  receipts(chain: ChainInfo): boolean {
    return this.#emit.has('block') || this.#posters.some((p) => p.l1ChainId === chain.chainId)
  }

  /**
   * Ticks on a watched L2 (`sequencer` emitted): a quarter of the halt threshold, within 50 ms–1 s,
   * so a halt is seen within a second of crossing it. No ticks elsewhere.
   */
  tickIntervalMs(chain: ChainInfo): number | undefined {
    const monitor = this.#chain(chain).monitor
    return monitor ? Math.min(1_000, Math.max(50, Math.floor(monitor.haltedAfterMs / 4))) : undefined
  }

  /**
   * Checks a watched L2 against the clock between blocks. While it is halted, emits an
   * out-of-block `sequencer.health` (`up: false`, `status: 'halted'`, the reason and the seconds
   * since its last block) bound to that last block: once when the halt is seen, then again every
   * halt threshold (`haltedAfterMs`) while it lasts, so a halt is in the feed without flooding it.
   * The id's discriminator is `halted:<nowMs>`.
   */
  onTick({ chain, head, nowMs }: TickContext): Feature[] {
    const state = this.#chains.get(chain.name)
    const monitor = state?.monitor
    if (!state || !monitor) return []
    const report = this.#status(chain.name, state, monitor.check({ now: () => nowMs }))
    if (report.status !== 'halted') {
      state.haltedSentAt = undefined
      return []
    }
    if (state.haltedSentAt !== undefined && nowMs - state.haltedSentAt < monitor.haltedAfterMs) return []
    state.haltedSentAt = nowMs
    const data = { ...healthData(chain, report), up: false }
    return [
      blockFeature({
        kind: 'sequencer.health',
        chain,
        header: head,
        protocol: chain.family,
        address: CHAIN_WIDE_ADDRESS,
        data,
        discriminator: `halted:${nowMs}`,
      }),
    ]
  }

  /** Extracts the block's gas features. */
  async onBlock({ chain, header, reader, receipts }: BlockContext): Promise<Feature[]> {
    const state = this.#chain(chain)
    const features: Feature[] = []
    const kind = l2Kind(chain)
    let arbitrum: ArbitrumPrices | undefined
    let medianTip = 0n
    try {
      if (feeMarketOf(chain).type === 'arbitrum') arbitrum = await readArbitrumPrices(reader)
    } catch (err) {
      this.#quarantine('L2_READ', `${chain.name} block ${header.number}: ${(err as Error).message}`)
    }
    const inclusion = state.inclusion?.onBlock(header, receipts ?? [])
    if (this.#emit.has('block')) {
      const block = this.#gasBlock(chain, header, receipts, state, arbitrum, inclusion)
      if (block) {
        medianTip = (block.data as { priorityFeeP50: bigint }).priorityFeeP50
        features.push(block)
      }
    }
    if (this.#emit.has('l2fee') && kind && (kind === 'op-stack' || arbitrum)) {
      const fee = await this.#l2fee(kind, { chain, header, reader }, state, medianTip, arbitrum)
      if (fee) features.push(fee)
    }
    if (this.#emit.has('sequencer') && state.monitor) features.push(this.#health(chain, header, state.monitor))
    for (const tracker of state.batches) {
      const lag = this.#batchLag(chain, header, receipts ?? [], tracker)
      if (lag) features.push(lag)
    }
    return features
  }

  /** Drops reverted blocks from the recommendation window and counts the reorg. */
  onRevert({ chain, to }: RevertContext): void {
    const state = this.#chains.get(chain.name)
    state?.recommender.revertTo(to.number)
    state?.monitor?.onRevert(to.number)
    state?.inclusion?.revertTo(to.number)
    for (const tracker of state?.batches ?? []) tracker.revertTo(to.number)
  }

  /**
   * The live sequencer status of an L2 chain, judged against the clock (the only view that shows
   * `halted`); logs when it changed. `undefined` for a chain that is not a watched L2.
   */
  sequencerStatus(chainName: string): SequencerReport | undefined {
    const state = this.#chains.get(chainName)
    if (!state?.monitor) return undefined
    return this.#status(chainName, state, state.monitor.check(this.#clock))
  }

  /** Logs a change of a chain's live status. */
  #status(chainName: string, state: ChainState, report: SequencerReport): SequencerReport {
    if (state.lastStatus !== undefined && report.status !== state.lastStatus) {
      const log = report.status === 'ok' ? this.#logger.info : this.#logger.warn
      log.call(
        this.#logger,
        { chain: chainName, status: report.status, reasons: report.reasons },
        'sequencer status changed',
      )
    }
    state.lastStatus = report.status
    return report
  }

  #gasBlock(
    chain: ChainInfo,
    header: BlockHeader,
    receipts: BlockContext['receipts'],
    state: ChainState,
    arbitrum: ArbitrumPrices | undefined,
    inclusion: TipInclusion | undefined,
  ): Feature | undefined {
    let data: ReturnType<typeof gasBlockData>
    try {
      data = gasBlockData(chain, header, receipts, arbitrum?.perArbGasTotal)
    } catch (err) {
      if (!isQenusError(err)) throw err
      this.#quarantine('BAD_BLOCK', err.shortMessage)
      return undefined
    }
    if (!data) return undefined
    state.recommender.add(header.number, data.txCount === 0 ? 0n : data.priorityFeeP10)
    const [in1, in3, in10] = state.recommender.recommend()!
    const full = {
      ...data,
      recommendedPriorityFee1: in1,
      recommendedPriorityFee3: in3,
      recommendedPriorityFee10: in10,
      ...(inclusion ? { inclusion } : {}),
    }
    return blockFeature({
      kind: 'gas.block',
      chain,
      header,
      protocol: chain.family,
      address: CHAIN_WIDE_ADDRESS,
      data: full,
    })
  }

  async #l2fee(
    kind: 'op-stack' | 'arbitrum',
    { chain, header, reader }: Pick<BlockContext, 'chain' | 'header' | 'reader'>,
    state: ChainState,
    medianTip: bigint,
    arbitrum: ArbitrumPrices | undefined,
  ): Promise<Feature | undefined> {
    try {
      const { address, data } = await l2FeeData(kind, {
        header,
        reader,
        tx: state.tx,
        swapGas: BigInt(this.#options.referenceSwapGas),
        medianTip,
        usd: this.#options.nativeUsd[chain.name],
        arbitrum,
      })
      return blockFeature({ kind: 'gas.l2fee', chain, header, protocol: kind, address, data })
    } catch (err) {
      this.#quarantine('L2_READ', `${chain.name} block ${header.number}: ${(err as Error).message}`)
      return undefined
    }
  }

  #health(chain: ChainInfo, header: BlockHeader, monitor: SequencerMonitor): Feature {
    const data = healthData(chain, monitor.onBlock(header))
    return blockFeature({
      kind: 'sequencer.health',
      chain,
      header,
      protocol: chain.family,
      address: CHAIN_WIDE_ADDRESS,
      data,
    })
  }

  #pending({ chain, head, hash, transaction }: PendingContext): Feature[] {
    const state = this.#chain(chain)
    const market = feeMarketOf(chain)
    // The transaction competes for the next block, so its bid is measured against that block's base fee.
    const baseFee =
      market.type === 'eip1559' && head.baseFeePerGas !== undefined
        ? nextBaseFee({ baseFeePerGas: head.baseFeePerGas, gasUsed: head.gasUsed, gasLimit: head.gasLimit }, market)
        : (head.baseFeePerGas ?? 0n)
    const tip = tipBid(transaction, baseFee)
    if (tip === undefined) this.#quarantine('BAD_PENDING', `${chain.name} pending ${hash}: no maxFeePerGas/gasPrice`)
    else state.inclusion?.seen(hash.toLowerCase() as Hex, tip, head)
    return []
  }

  #batchLag(chain: ChainInfo, header: BlockHeader, receipts: BlockContext['receipts'] & {}, tracker: BatchTracker) {
    const batchesInBlock = tracker.onBlock(header, receipts)
    const last = tracker.last
    if (!last) return undefined
    const lag = Number(header.timestamp - last.timestamp)
    const { poster } = tracker
    return blockFeature({
      kind: 'sequencer.health',
      chain,
      header,
      protocol: poster.type,
      address: poster.inbox,
      data: {
        up: true,
        secondsSinceLastBlock: lag,
        l2ChainId: poster.l2ChainId,
        l2Chain: poster.l2Chain,
        secondsSinceLastBatch: lag,
        lastBatchL1Block: last.block,
        lastBatchTxHash: last.txHash,
        batchesInBlock,
      },
      discriminator: `batch:${poster.l2ChainId}`,
    })
  }

  #chain(chain: ChainInfo): ChainState {
    let state = this.#chains.get(chain.name)
    if (!state) {
      const watched = this.#emit.has('sequencer') && l2Kind(chain) !== undefined
      state = {
        recommender: new TipRecommender({
          window: this.#options.predictionWindow,
          confidence: this.#options.confidence,
        }),
        monitor: watched
          ? new SequencerMonitor({
              expectedBlockTimeMs: chain.blockTimeMs,
              degradedFactor: this.#options.degradedFactor,
              haltedAfterMs: this.#options.haltedAfterMs,
              window: this.#options.sequencerWindow,
            })
          : undefined,
        tx: (this.#options.referenceTx?.toLowerCase() as Hex | undefined) ?? referenceSwapTx(chain.chainId),
        lastStatus: undefined,
        haltedSentAt: undefined,
        inclusion: this.#options.mempool
          ? new InclusionTracker({
              edges: this.#options.tipBucketsGwei.map(gweiToWei),
              windowBlocks: this.#options.inclusionWindow,
              maxPendingBlocks: this.#options.maxPendingBlocks,
              maxPending: this.#options.maxPending,
            })
          : undefined,
        batches: this.#posters.filter((p) => p.l1ChainId === chain.chainId).map((p) => new BatchTracker(p)),
      }
      this.#chains.set(chain.name, state)
    }
    return state
  }

  #quarantine(code: GasQuarantineCode, reason: string): void {
    this.#quarantined.set(code, (this.#quarantined.get(code) ?? 0) + 1)
    this.#logger.warn({ code, reason }, 'gas feature quarantined')
  }
}
