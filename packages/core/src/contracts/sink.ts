import type { ChainInfo } from '../schema/chains.js'
import type { Feature } from '../schema/feature.js'
import type { BlockRef } from './chain.js'

/** The features of one block, in order. */
export interface FeatureBatch {
  /** The chain of the block. */
  chain: ChainInfo
  /** The block. */
  block: BlockRef
  /** Unix timestamp of the block, seconds. */
  timestamp: bigint
  /** The features, in block then log order. May be empty. */
  features: Feature[]
  /**
   * Set on batches of out-of-block features, given to {@link Sink.writePending}: features computed
   * on top of `block` (the head the lane had extracted), not part of it: mempool features
   * (`Extractor.onPending`) and tick features (`Extractor.onTick`, e.g. a halted sequencer).
   */
  pending?: true | undefined
}

/**
 * What a sink needs to withdraw one feature it holds: its id and where it was placed (a feed
 * keyed by `chainId:address` or partitioned by kind finds the feature again without having seen it).
 */
export interface RetractedFeature {
  /** The feature's id. */
  id: string
  /** The feature's kind. */
  kind: Feature['kind']
  /** The feature's contract address, lower-case hex (the chain is the retraction's). */
  address: string
}

/** Blocks withdrawn by a reorg, with every feature id they had produced. */
export interface Retraction {
  /** The chain that reorganised. */
  chain: ChainInfo
  /** The last block still canonical. */
  to: BlockRef
  /** The withdrawn blocks, newest first. */
  reverted: BlockRef[]
  /** Ids of the withdrawn features, newest block first, then in reverse log order. */
  ids: string[]
  /**
   * The withdrawn features, in the order of `ids` with the same ids, where the runtime knows them:
   * it keeps them for the blocks above finality, beside the checkpoint, so they survive restarts.
   * Absent when a runtime cannot tell (a retraction built by hand, an older runtime).
   */
  features?: RetractedFeature[] | undefined
}

/** What a sink learns when the pipeline starts. */
export interface SinkStartContext {
  /** Names of the pipeline's chains. */
  chains: ReadonlySet<string>
  /**
   * Per chain name, the checkpoint the pipeline resumes after, if any. Batches above it may
   * already be in the feed from before a crash and will be written again with the same ids; a
   * sink that can, drops what it holds above the checkpoint here to stay exactly-once.
   */
  resume: ReadonlyMap<string, BlockRef>
}

/**
 * A feed. Sinks are at-least-once; deterministic feature ids let them dedupe replays.
 *
 * @remarks
 * The runtime calls `write` in block order per chain and never concurrently for one chain.
 * `write` may buffer; the runtime commits a checkpoint only after `flush` resolved, so `flush`
 * must make every written batch durable.
 */
export interface Sink {
  /** Opens connections and files. */
  start?(context: SinkStartContext): Promise<void>
  /** Accepts the features of one block. */
  write(batch: FeatureBatch): Promise<void>
  /**
   * Accepts out-of-block features: mempool features and tick features (`batch.pending` is true,
   * `batch.block` is the head they were computed on). Optional: a sink without it never sees them.
   * Called in order with `write` (after the head's batch, before the next block's), but not
   * checkpointed, not flushed for, and never retracted: an out-of-block feed is best-effort.
   */
  writePending?(batch: FeatureBatch): Promise<void>
  /** Withdraws the features of reverted blocks. */
  revert(retraction: Retraction): Promise<void>
  /** Makes everything written so far durable. */
  flush(): Promise<void>
  /** Flushes and releases resources. */
  close?(): Promise<void>
}
