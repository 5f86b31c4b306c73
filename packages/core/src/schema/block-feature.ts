import type { Hex } from 'viem'
import type { BlockHeader } from '../contracts/chain.js'
import type { ChainInfo } from './chains.js'
import { type FeatureDataMap, type FeatureEnvelope, type FeatureKind, featureId } from './feature.js'

/** What {@link blockFeature} needs: everything but what the chain and header already say. */
export interface BlockFeatureInput<K extends FeatureKind> {
  /** The kind, which fixes the shape of `data`. */
  kind: K
  /** The chain of the block. */
  chain: ChainInfo
  /** The block the feature belongs to. */
  header: Pick<BlockHeader, 'number' | 'hash' | 'timestamp'>
  /** Protocol or family, e.g. `uniswap-v3`, `op-stack`, `mev-boost`. */
  protocol: string
  /** The contract or account the feature is about (the Kafka key's address). */
  address: Hex
  /** The kind's payload. */
  data: FeatureDataMap[K]
  /**
   * Tells apart several features of one kind in one block, e.g. a pool address.
   * @defaultValue `''`
   */
  discriminator?: string | undefined
}

/**
 * Builds a feature that belongs to a block rather than to one of its logs (`gas.block`, `mev.bid`,
 * `opportunity`…), with its deterministic id.
 *
 * @example
 * ```ts
 * import { blockFeature } from '@qenus/core'
 * const feature = blockFeature({
 *   kind: 'sequencer.health',
 *   chain,
 *   header,
 *   protocol: 'op-stack',
 *   address: '0x0000000000000000000000000000000000000000',
 *   data: { up: true, secondsSinceLastBlock: 2 },
 * })
 * ```
 */
export function blockFeature<K extends FeatureKind>(input: BlockFeatureInput<K>): FeatureEnvelope<K> {
  const { kind, chain, header } = input
  return {
    id: featureId({ chainId: chain.chainId, blockHash: header.hash, kind, discriminator: input.discriminator ?? '' }),
    kind,
    chainId: chain.chainId,
    chain: chain.name,
    blockNumber: header.number,
    blockHash: header.hash,
    blockTimestamp: header.timestamp,
    protocol: input.protocol,
    address: input.address,
    data: input.data,
  }
}
