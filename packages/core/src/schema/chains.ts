import type { Hex } from 'viem'

/** How a chain settles: an L1, an OP Stack rollup, an Arbitrum Nitro rollup, or a sidechain. */
export type ChainFamily = 'l1' | 'op-stack' | 'arbitrum' | 'polygon-pos' | 'devnet'

/** When a block can no longer be reorganised away. */
export type FinalityMode = number | 'safe' | 'finalized'

/** What the dataplane knows about a chain. */
export interface ChainInfo {
  /** Name used in configs and feature envelopes, e.g. `ethereum`. */
  name: string
  /** EIP-155 chain id. */
  chainId: number
  /** Target block time in milliseconds. */
  blockTimeMs: number
  /**
   * Blocks after which a block is treated as final: reorgs deeper than this are an error, and
   * archives only hold blocks at least this deep.
   */
  finalityDepth: number
  /** Multicall3 address, where deployed. */
  multicall3?: Hex | undefined
  /** Settlement family. */
  family: ChainFamily
  /** Whether blocks carry EIP-4844 blob gas fields. */
  hasBlobs: boolean
}

const MULTICALL3: Hex = '0xca11bde05977b3631167028862be2a173976ca11'

/** The chains the dataplane knows by name. */
export const KNOWN_CHAINS: Readonly<Record<string, ChainInfo>> = Object.freeze({
  ethereum: {
    name: 'ethereum',
    chainId: 1,
    blockTimeMs: 12_000,
    finalityDepth: 64,
    multicall3: MULTICALL3,
    family: 'l1',
    hasBlobs: true,
  },
  arbitrum: {
    name: 'arbitrum',
    chainId: 42161,
    blockTimeMs: 250,
    finalityDepth: 240,
    multicall3: MULTICALL3,
    family: 'arbitrum',
    hasBlobs: false,
  },
  optimism: {
    name: 'optimism',
    chainId: 10,
    blockTimeMs: 2_000,
    finalityDepth: 120,
    multicall3: MULTICALL3,
    family: 'op-stack',
    hasBlobs: false,
  },
  base: {
    name: 'base',
    chainId: 8453,
    blockTimeMs: 2_000,
    finalityDepth: 120,
    multicall3: MULTICALL3,
    family: 'op-stack',
    hasBlobs: false,
  },
  polygon: {
    name: 'polygon',
    chainId: 137,
    blockTimeMs: 2_000,
    finalityDepth: 128,
    multicall3: MULTICALL3,
    family: 'polygon-pos',
    hasBlobs: false,
  },
  devnet: {
    name: 'devnet',
    chainId: 31337,
    blockTimeMs: 1_000,
    finalityDepth: 32,
    multicall3: MULTICALL3,
    family: 'devnet',
    hasBlobs: true,
  },
} satisfies Record<string, ChainInfo>)

/**
 * Looks chains up by name or id. Known chains are built in; a config may add devnets or
 * override fields of a known chain.
 */
export class ChainRegistry {
  readonly #byName = new Map<string, ChainInfo>()

  constructor(chains: Iterable<ChainInfo> = Object.values(KNOWN_CHAINS)) {
    for (const chain of chains) this.register(chain)
  }

  /** Adds or replaces a chain. */
  register(chain: ChainInfo): ChainInfo {
    const frozen = Object.freeze({ ...chain })
    this.#byName.set(chain.name, frozen)
    return frozen
  }

  /** The chain called `name`, or `undefined`. */
  get(name: string): ChainInfo | undefined {
    return this.#byName.get(name)
  }

  /** The first chain with id `chainId`, or `undefined`. */
  byId(chainId: number): ChainInfo | undefined {
    for (const chain of this.#byName.values()) if (chain.chainId === chainId) return chain
    return undefined
  }

  /** Every registered chain. */
  list(): ChainInfo[] {
    return [...this.#byName.values()]
  }
}
