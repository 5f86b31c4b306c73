import type { ChainInfo } from '../schema/chains.js'
import type { Feature } from '../schema/feature.js'
import type { BlockHeader, BlockRef, ChainReader, Log, LogFilter, Receipt } from './chain.js'

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
  /** Rolls kept state back after a reorg. */
  onRevert?(context: RevertContext): void | Promise<void>
  /** Releases resources. */
  close?(): Promise<void>
}
