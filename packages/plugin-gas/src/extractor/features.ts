import type { BlockHeader, ChainInfo, Feature, FeatureDataMap, FeatureKind, Hex } from '@qenus/core'
import { featureId } from '@qenus/core'

/** The address of chain-wide features (`gas.block`, `sequencer.health`): the zero address. */
export const CHAIN_WIDE_ADDRESS: Hex = '0x0000000000000000000000000000000000000000'

/** Builds one block-level feature of `kind`; `discriminator` tells apart several of one kind in a block. */
export function blockFeature<K extends FeatureKind>(
  kind: K,
  chain: ChainInfo,
  header: BlockHeader,
  protocol: string,
  address: Hex,
  data: FeatureDataMap[K],
  discriminator = '',
): Feature {
  return {
    id: featureId({ chainId: chain.chainId, blockHash: header.hash, kind, discriminator }),
    kind,
    chainId: chain.chainId,
    chain: chain.name,
    blockNumber: header.number,
    blockHash: header.hash,
    blockTimestamp: header.timestamp,
    protocol,
    address,
    data,
  } as Feature
}
