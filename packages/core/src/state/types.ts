import type { BlockRef } from '../contracts/chain.js'
import type { FeatureBatch } from '../contracts/sink.js'
import type { Feature, FeatureKind } from '../schema/feature.js'

/** Read access to the kept state, as detectors and snapshots see it. */
export interface FeatureStoreView {
  /** The newest block applied for `chainId`. */
  head(chainId: number): BlockRef | undefined
  /**
   * The latest feature under `key` (`${kind}:${address}`) at or below `atBlock` (default: the
   * head), within the retained window.
   */
  get(chainId: number, key: string, atBlock?: bigint): Feature | undefined
  /** Every key's latest feature at `atBlock` (default: the head), optionally of one kind. */
  snapshot(chainId: number, options?: { atBlock?: bigint; kind?: FeatureKind }): Feature[]
  /**
   * The blocks reads can reach for `chainId`, or `undefined` before its first block. Optional, so
   * stores written before it still fit; snapshot servers use it to tell a block outside the
   * window from an unknown chain.
   */
  window?(chainId: number): FeatureStoreWindow | undefined
}

/** The retained window of one chain, as {@link FeatureStoreView.window} reports it. */
export interface FeatureStoreWindow {
  /** The oldest block `get` and `snapshot` accept. */
  from: bigint
  /** The newest block applied. */
  head: BlockRef
  /** The retained blocks, oldest first, as applied (their hashes identify a snapshot's block). */
  blocks: BlockRef[]
}

/** The store the runtime writes: block-consistent latest state per key, with revert. */
export interface FeatureStore extends FeatureStoreView {
  /** Applies the features of one block; blocks must come in order per chain. */
  apply(batch: FeatureBatch): void
  /** Drops every block above `to`, returning the ids of the features withdrawn (newest first). */
  revert(chainId: number, to: BlockRef): string[]
}
