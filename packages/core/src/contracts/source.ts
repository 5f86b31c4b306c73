import type { ChainInfo, FinalityMode } from '../schema/chains.js'
import type { BlockRef, ChainEvent, ChainReader, LogFilter } from './chain.js'

/** What the runtime asks a source to stream. */
export interface StreamRequest {
  /** The lane's chain. */
  chain: ChainInfo
  /**
   * The first block to emit. With `resume`, the source continues after the resume point instead
   * and this is ignored.
   */
  from: bigint | 'head'
  /** The last block to emit; the stream ends after it. Omitted: follow the head forever. */
  to?: bigint | undefined
  /**
   * The recent canonical blocks the pipeline already processed, oldest first, ending with the
   * checkpoint. The source continues after the last one, and emits a `revert` first when those
   * blocks are no longer canonical.
   */
  resume?: BlockRef[] | undefined
  /** The union of every extractor's log filters. */
  filters: LogFilter[]
  /** Whether blocks must carry every transaction's receipt (some extractor asked). Omitted: no receipts. */
  receipts?: boolean | undefined
  /**
   * Whether to emit `pending` events (mempool transactions) between blocks: some extractor
   * implements `onPending`. Omitted: no pending events; a source that cannot see a mempool ignores it.
   */
  pending?: boolean | undefined
  /**
   * The chain's finality setting. `'safe'` or `'finalized'`: follow the node's block of that tag
   * instead of the latest, so the stream never emits a block above it. A depth or omitted: follow
   * the latest block, with reorgs up to `chain.finalityDepth`.
   */
  finality?: FinalityMode | undefined
  /** Aborted when the pipeline stops; the stream must then end promptly. */
  signal: AbortSignal
}

/**
 * A chain source: tracks the head, detects reorgs and fetches only what extractors declared.
 *
 * @remarks
 * The runtime pulls events one at a time, so a slow consumer slows the source down
 * (backpressure). Implementations own all chain I/O and its retries.
 */
export interface Source {
  /** Streams chain events in canonical order. */
  stream(request: StreamRequest): AsyncIterable<ChainEvent>
  /** A reader of chain state bound to `block`. */
  reader(block: BlockRef): ChainReader
  /** The current head block number, as the source sees it. */
  head?(): Promise<bigint>
  /**
   * What the source wants to show on `GET /health` for its chain, e.g. provider states. Called on
   * every health request, so it must be cheap and must not reveal secrets.
   */
  health?(): Record<string, unknown>
  /** Releases connections and timers. */
  close?(): Promise<void>
}
