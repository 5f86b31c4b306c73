import type { ChainInfo } from '../schema/chains.js'
import type { Feature } from '../schema/feature.js'
import type { FeatureStoreView } from '../state/types.js'
import type { BlockHeader, ChainReader } from './chain.js'

/** What a detector receives for each block. */
export interface DetectorContext {
  /** The chain of the block. */
  chain: ChainInfo
  /** The block header. */
  header: BlockHeader
  /** The block's features that passed the detector's `select`. */
  features: Feature[]
  /** Latest block-consistent state of every chain. */
  store: FeatureStoreView
  /** Reads state at this block. */
  reader: ChainReader
}

/**
 * Finds opportunities in the features of a block and the kept state of every chain.
 */
export interface Detector {
  /** Returns the opportunities found in this block (features of kind `opportunity`). */
  onBlock(context: DetectorContext): Feature[] | Promise<Feature[]>
  /** Releases resources. */
  close?(): Promise<void>
}
