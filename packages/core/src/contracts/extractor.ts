import type { ChainInfo } from '../schema/chains.js'
import type { Feature } from '../schema/feature.js'
import type { BlockHeader, BlockRef, ChainReader, Hex, Log, LogFilter, Receipt } from './chain.js'

/** What an extractor receives for each block. */
export interface BlockContext {
  /** The chain of the block. */
  chain: ChainInfo
  /** The block header. */
  header: BlockHeader
  /** The block's logs that match this extractor's filters, in log order. */
  logs: Log[]
  /** Reads state at this block. */
  reader: ChainReader
  /** Every transaction's receipt, in transaction order; only for an extractor whose `receipts(chain)` is true. */
  receipts?: Receipt[] | undefined
}

/** What an extractor receives when blocks are reverted. */
export interface RevertContext {
  /** The chain that reorganised. */
  chain: ChainInfo
  /** The last block still canonical. */
  to: BlockRef
  /** The dropped blocks, newest first. */
  reverted: BlockRef[]
}

/**
 * What an extractor receives for each mempool transaction (a source `pending` event).
 *
 * @remarks
 * The transaction is not in any block yet. `head` is the last block the lane extracted, so an
 * extractor's kept state is that block's end state; `reader` reads state at the same block.
 */
export interface PendingContext {
  /** The chain of the mempool. */
  chain: ChainInfo
  /** The last block the lane extracted: the state the transaction would run on next. */
  head: BlockHeader
  /** Transaction hash, lower-case hex. */
  hash: Hex
  /** Raw transaction fields as the node reported them (hex quantities, as JSON-RPC returns them). */
  transaction: Record<string, unknown>
  /** When the lane received the transaction, Unix milliseconds from the pipeline's clock. */
  receivedAtMs: number
  /** Reads state at `head`. */
  reader: ChainReader
}

/**
 * What an extractor receives on each tick of its timer (see {@link Extractor.onTick}).
 *
 * @remarks
 * A tick belongs to no block: it reports on the present (a sequencer that stopped, a feed that
 * went stale), judged against `nowMs`. `head` is the last block the lane extracted, so the
 * extractor's kept state is that block's end state; `reader` reads state at the same block.
 */
export interface TickContext {
  /** The chain of the lane. */
  chain: ChainInfo
  /** The last block the lane extracted; the tick's features are bound to it. */
  head: BlockHeader
  /** When the tick ran, Unix milliseconds from the pipeline's clock. */
  nowMs: number
  /** Reads state at `head`. */
  reader: ChainReader
}

/**
 * Turns a chain's blocks into features.
 *
 * @remarks
 * An extractor declares its log filters up front, so the source fetches only what it needs, and
 * must be deterministic: the same block yields the same features, whichever source produced it.
 */
export interface Extractor {
  /** The logs this extractor needs on `chain`. */
  logFilters(chain: ChainInfo): LogFilter[]
  /**
   * Whether this extractor needs every transaction's receipt on `chain` (gas, status, senders).
   * Receipts cost a request per block or more, so the source fetches them only when some
   * extractor asks, and only extractors that asked receive them in {@link BlockContext.receipts}.
   *
   * @default false, when omitted
   */
  receipts?(chain: ChainInfo): boolean
  /** Called once per lane before the first block, with a reader at the start block. */
  init?(chain: ChainInfo, reader: ChainReader): Promise<void>
  /** Extracts the features of one block. */
  onBlock(context: BlockContext): Feature[] | Promise<Feature[]>
  /**
   * Turns one mempool transaction into features (e.g. `mempool.swap`). Optional: the runtime asks
   * the source for pending transactions only when some extractor implements it.
   *
   * @remarks
   * Pending features belong to no block: they go to sinks that implement `Sink.writePending`,
   * never to the FeatureStore, detectors or checkpoints, and are not retracted by reorgs. Block
   * features that depend on what was seen pending (an inclusion link, time to inclusion) make the
   * block stream depend on the source's mempool: keep them behind an option that is off by
   * default, so that with it off the block stream is the same whichever source runs.
   */
  onPending?(context: PendingContext): Feature[] | Promise<Feature[]>
  /**
   * How often the runtime calls {@link Extractor.onTick} on `chain`, milliseconds; `undefined` (or
   * no positive number) means no ticks on that chain. Read once per lane when it starts following.
   *
   * @default no ticks, when omitted
   */
  tickIntervalMs?(chain: ChainInfo): number | undefined
  /**
   * Reports on the present between blocks, on a timer (e.g. `sequencer.health` with `halted` when
   * no block came for too long: a halted chain produces no block to attach a feature to).
   *
   * @remarks
   * Out-of-block features: the runtime calls it only while following the head (never during a
   * bounded backfill), only after the lane's first block and not after a revert until the next
   * block, and never concurrently with this lane's `onBlock`, `onPending` or `onRevert` (ticks are
   * serialized with the lane's events; a tick due while one is still running is skipped). Its
   * features travel like pending ones: in a batch flagged `pending: true` bound to the head, to
   * sinks that implement `Sink.writePending` only; never to the FeatureStore, detectors or
   * checkpoints, and never retracted. They depend on the clock, so they are not deterministic:
   * give each a discriminator that tells ticks apart (e.g. the time). A failing tick is logged and
   * skipped, and a full queue drops it, so ticks never hold blocks back.
   */
  onTick?(context: TickContext): Feature[] | Promise<Feature[]>
  /** Rolls kept state back after a reorg. */
  onRevert?(context: RevertContext): void | Promise<void>
  /** Releases resources. */
  close?(): Promise<void>
}
