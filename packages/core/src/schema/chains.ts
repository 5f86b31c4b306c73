import type { Hex } from 'viem'

/** How a chain settles: an L1, an OP Stack rollup, an Arbitrum Nitro rollup, or a sidechain. */
export type ChainFamily = 'l1' | 'op-stack' | 'arbitrum' | 'polygon-pos' | 'devnet'

/** When a block can no longer be reorganised away. */
export type FinalityMode = number | 'safe' | 'finalized'

/** One entry of a chain's blob fee schedule (EIP-4844, retuned by EIP-7691 and EIP-7892 BPO forks). */
export interface BlobScheduleEntry {
  /** Unix timestamp (seconds) of the fork that set these parameters. */
  fromTimestamp: number
  /** `BLOB_BASE_FEE_UPDATE_FRACTION` from then on. */
  baseFeeUpdateFraction: number
}

/**
 * How a chain prices gas, for exact base fee prediction.
 *
 * @remarks
 * `eip1559`: the next base fee follows from the parent header (EIP-1559 with the chain's
 * elasticity and denominator; OP Stack chains use their Canyon values). `arbitrum`: ArbOS sets the
 * L2 base fee from its own backlog pricing, read from the ArbGasInfo precompile, not from headers.
 */
export type FeeMarket =
  | {
      /** Discriminator. */
      type: 'eip1559'
      /** `ELASTICITY_MULTIPLIER`: gas target = gas limit / this. */
      elasticityMultiplier: number
      /** `BASE_FEE_MAX_CHANGE_DENOMINATOR`. */
      baseFeeMaxChangeDenominator: number
      /** First block with a base fee (London); omitted: every block has one. */
      londonBlock?: number | undefined
      /** Blob fee parameters by fork, oldest first; the first entry is the Cancun activation. */
      blobSchedule?: readonly BlobScheduleEntry[] | undefined
    }
  | {
      /** Discriminator. */
      type: 'arbitrum'
    }

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
  /** How the chain prices gas; omitted: EIP-1559 with Ethereum's parameters. */
  feeMarket?: FeeMarket | undefined
}

const MULTICALL3: Hex = '0xca11bde05977b3631167028862be2a173976ca11'

// Cancun (3338477), Prague (EIP-7691: 5007716), BPO1 and BPO2 (EIP-7892) on Ethereum mainnet.
const ETHEREUM_FEE_MARKET: FeeMarket = Object.freeze({
  type: 'eip1559',
  elasticityMultiplier: 2,
  baseFeeMaxChangeDenominator: 8,
  londonBlock: 12_965_000,
  blobSchedule: Object.freeze([
    { fromTimestamp: 1_710_338_135, baseFeeUpdateFraction: 3_338_477 },
    { fromTimestamp: 1_746_612_311, baseFeeUpdateFraction: 5_007_716 },
    { fromTimestamp: 1_765_290_071, baseFeeUpdateFraction: 8_346_193 },
    { fromTimestamp: 1_767_747_671, baseFeeUpdateFraction: 11_684_671 },
  ]),
})

// OP Stack Canyon defaults; Holocene lets a chain change them through SystemConfig (header extraData).
const OP_STACK_FEE_MARKET: FeeMarket = Object.freeze({
  type: 'eip1559',
  elasticityMultiplier: 6,
  baseFeeMaxChangeDenominator: 250,
})

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
    feeMarket: ETHEREUM_FEE_MARKET,
  },
  arbitrum: {
    name: 'arbitrum',
    chainId: 42161,
    blockTimeMs: 250,
    finalityDepth: 240,
    multicall3: MULTICALL3,
    family: 'arbitrum',
    hasBlobs: false,
    feeMarket: { type: 'arbitrum' },
  },
  optimism: {
    name: 'optimism',
    chainId: 10,
    blockTimeMs: 2_000,
    finalityDepth: 120,
    multicall3: MULTICALL3,
    family: 'op-stack',
    hasBlobs: false,
    feeMarket: OP_STACK_FEE_MARKET,
  },
  base: {
    name: 'base',
    chainId: 8453,
    blockTimeMs: 2_000,
    finalityDepth: 120,
    multicall3: MULTICALL3,
    family: 'op-stack',
    hasBlobs: false,
    feeMarket: OP_STACK_FEE_MARKET,
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
    // anvil: Ethereum's EIP-1559 parameters and Prague's blob fraction from genesis.
    feeMarket: {
      type: 'eip1559',
      elasticityMultiplier: 2,
      baseFeeMaxChangeDenominator: 8,
      blobSchedule: [{ fromTimestamp: 0, baseFeeUpdateFraction: 5_007_716 }],
    },
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
