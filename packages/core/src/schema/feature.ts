import type { Hex } from 'viem'

/** Every feature kind of the unified schema. */
export type FeatureKind =
  | 'amm.swap'
  | 'amm.pool'
  | 'amm.liquidity'
  | 'bridge.transfer'
  | 'bridge.liquidity'
  | 'gas.block'
  | 'gas.l2fee'
  | 'flashloan.liquidity'
  | 'flashloan.event'
  | 'sequencer.health'
  | 'mev.bid'
  | 'mempool.swap'
  | 'opportunity'

/** The list of {@link FeatureKind} values, in schema order. */
export const FEATURE_KINDS: readonly FeatureKind[] = [
  'amm.swap',
  'amm.pool',
  'amm.liquidity',
  'bridge.transfer',
  'bridge.liquidity',
  'gas.block',
  'gas.l2fee',
  'flashloan.liquidity',
  'flashloan.event',
  'sequencer.health',
  'mev.bid',
  'mempool.swap',
  'opportunity',
]

/** `amm.swap`: one swap on an AMM pool. Amounts are signed raw token units, pool-side. */
export interface AmmSwapData {
  /** Pool address, lower-case hex. */
  pool: Hex
  /** Pool token0. */
  token0: Hex
  /** Pool token1. */
  token1: Hex
  /** Change of the pool's token0 balance (positive: the pool received token0). */
  amount0: bigint
  /** Change of the pool's token1 balance (positive: the pool received token1). */
  amount1: bigint
  /** Who called the swap. */
  sender: Hex
  /** Who received the output. */
  recipient: Hex
  /** Pool fee in pips (hundredths of a basis point). */
  fee: number
  /** Uniswap V3: sqrt(price) as Q64.96 after the swap. */
  sqrtPriceX96?: bigint | undefined
  /** Uniswap V3: in-range liquidity after the swap. */
  liquidity?: bigint | undefined
  /** Uniswap V3: tick after the swap. */
  tick?: number | undefined
  /**
   * token1 per token0 after the swap, decimals-adjusted, as a decimal string with at least 18
   * significant digits, computed in integer arithmetic.
   */
  price: string
}

/** Input needed to move a pool's price by a number of basis points in each direction. */
export interface DepthLevel {
  /** Price move in basis points. */
  bps: number
  /** token0 in (raw units) to move the price down by `bps`. */
  amount0In: bigint
  /** token1 in (raw units) to move the price up by `bps`. */
  amount1In: bigint
}

/** `amm.pool`: end-of-block state of one touched pool. */
export interface AmmPoolData {
  /** Pool address. */
  pool: Hex
  /** Pool tokens, in pool order. */
  tokens: Hex[]
  /** Token balances or reserves, raw units, same order as `tokens`. */
  reserves: bigint[]
  /** Fee in pips. */
  fee: number
  /** token1 per token0, decimals-adjusted decimal string. */
  price: string
  /** token0 per token1, decimals-adjusted decimal string. */
  priceInverse?: string | undefined
  /** Uniswap V3: sqrt(price) as Q64.96. */
  sqrtPriceX96?: bigint | undefined
  /** Uniswap V3: current tick. */
  tick?: number | undefined
  /** In-range liquidity. */
  liquidity?: bigint | undefined
  /** Input needed to move the price 10, 50 and 100 bps each way. */
  depth: DepthLevel[]
}

/** `amm.liquidity`: liquidity added, removed or fees collected. */
export interface AmmLiquidityData {
  /** Pool address. */
  pool: Hex
  /** What happened. */
  action: 'mint' | 'burn' | 'collect'
  /** Position owner. */
  owner: Hex
  /** Lower tick of the position. */
  tickLower: number
  /** Upper tick of the position. */
  tickUpper: number
  /** Liquidity added or removed (0 for collect). */
  liquidity: bigint
  /** token0 amount, raw units. */
  amount0: bigint
  /** token1 amount, raw units. */
  amount1: bigint
}

/** `bridge.transfer`: one bridge transfer in one of its phases. */
export interface BridgeTransferData {
  /** Bridge name, e.g. `across`. */
  bridge: string
  /** Chain the funds leave. */
  originChainId: number
  /** Chain the funds arrive on. */
  destinationChainId: number
  /** Token on the chain of this feature. */
  token: Hex
  /** Amount, raw units. */
  amount: bigint
  /** Who deposited. */
  depositor: Hex
  /** Who receives. */
  recipient: Hex
  /** Bridge-specific deposit id, as a decimal or hex string. */
  depositId: string
  /** Fee, raw units of `token`. */
  fee: bigint
  /** Phase of the transfer. */
  phase: 'initiated' | 'filled' | 'finalized'
}

/** `bridge.liquidity`: liquidity available on a bridge for one token. */
export interface BridgeLiquidityData {
  /** Bridge name. */
  bridge: string
  /** Token. */
  token: Hex
  /** Available amount, raw units. */
  available: bigint
}

/** `gas.block`: the fee market of one block. */
export interface GasBlockData {
  /** Base fee of this block, wei. */
  baseFeePerGas: bigint
  /** Base fee of the next block (EIP-1559, exact), wei. */
  nextBaseFeePerGas: bigint
  /** Gas used. */
  gasUsed: bigint
  /** Gas limit. */
  gasLimit: bigint
  /** Priority fee percentiles of included transactions, wei. */
  priorityFeeP10: bigint
  /** Median priority fee, wei. */
  priorityFeeP50: bigint
  /** 90th percentile priority fee, wei. */
  priorityFeeP90: bigint
  /** Blob base fee, wei, where the chain has blobs. */
  blobBaseFee?: bigint | undefined
  /** `gasUsed / gasLimit`, from 0 to 1 (a ratio for display; the integers above are exact). */
  utilization?: number | undefined
  /** EIP-4844 blob gas used, where the chain has blobs. */
  blobGasUsed?: bigint | undefined
  /** EIP-4844 excess blob gas, where the chain has blobs. */
  excessBlobGas?: bigint | undefined
  /** Transactions whose effective tip entered the percentiles (system and deposit transactions excluded). */
  txCount?: number | undefined
  /** Recommended priority fee for inclusion within 1 block, wei, from recent blocks. */
  recommendedPriorityFee1?: bigint | undefined
  /** Recommended priority fee for inclusion within 3 blocks, wei. */
  recommendedPriorityFee3?: bigint | undefined
  /** Recommended priority fee for inclusion within 10 blocks, wei. */
  recommendedPriorityFee10?: bigint | undefined
  /** Measured time to inclusion per tip bucket, from mempool transactions seen (plugin-gas `mempool` option). */
  inclusion?: TipInclusion | undefined
}

/** Time to inclusion per tip bucket, measured on mempool transactions the extractor saw and then saw included. */
export interface TipInclusion {
  /** Recent blocks whose inclusions the buckets cover, this block included. */
  windowBlocks: number
  /** One entry per configured bucket, lowest tips first. */
  buckets: TipInclusionBucket[]
  /** Mempool transactions seen and not yet included, at the end of this block. */
  pendingTracked: number
  /** Mempool transactions given up on so far (pending too long, or over the tracking cap). */
  pendingDropped: number
}

/** Time to inclusion of the mempool transactions whose effective tip bid fell in one bucket. */
export interface TipInclusionBucket {
  /** Lowest effective tip bid of the bucket, wei (inclusive). */
  minTip: bigint
  /** Upper edge of the bucket, wei (exclusive); absent on the last bucket. */
  maxTip?: bigint | undefined
  /** Included transactions measured in the window. */
  samples: number
  /** Median blocks from the head at which the transaction was seen to the block that included it. */
  medianBlocks?: number | undefined
  /** 90th percentile of those blocks. */
  p90Blocks?: number | undefined
  /** Median of the same delays in block time (timestamp difference), milliseconds. */
  medianMs?: number | undefined
  /** 90th percentile of those delays, milliseconds. */
  p90Ms?: number | undefined
}

/** `gas.l2fee`: the L1 data fee component of an L2 chain. */
export interface GasL2FeeData {
  /** L1 base fee seen by the L2, wei. */
  l1BaseFee: bigint
  /** L1 blob base fee seen by the L2, wei. */
  l1BlobBaseFee?: bigint | undefined
  /** Estimated L1 fee of a typical swap, wei. */
  l1FeeEstimate: bigint
  /** OP Stack (Ecotone): the L1 base fee scalar. */
  baseFeeScalar?: bigint | undefined
  /** OP Stack (Ecotone): the L1 blob base fee scalar. */
  blobBaseFeeScalar?: bigint | undefined
  /** Arbitrum: ArbGasInfo's price per L1 calldata byte, wei. */
  l1PricePerCalldataByte?: bigint | undefined
  /** The L2 gas price the reference swap pays per gas (base fee, plus the median tip where tips count), wei. */
  l2GasPrice?: bigint | undefined
  /** Size of the reference swap transaction, bytes (signed, serialized). */
  referenceTxBytes?: number | undefined
  /** L2 gas of the reference swap. */
  referenceSwapGas?: bigint | undefined
  /** Total cost of the reference swap: `referenceSwapGas * l2GasPrice + l1FeeEstimate`, wei. */
  totalCostWei?: bigint | undefined
  /** `totalCostWei` in USD at the configured native token price, decimal string. */
  totalCostUsd?: string | undefined
}

/** `flashloan.liquidity`: what a flash loan provider can lend. */
export interface FlashloanLiquidityData {
  /** Provider, e.g. `aave-v3`. */
  provider: string
  /** Asset. */
  asset: Hex
  /** Available amount, raw units. */
  available: bigint
  /** Premium in basis points. */
  premiumBps: number
}

/** `flashloan.event`: a flash loan that happened. */
export interface FlashloanEventData {
  /** Provider. */
  provider: string
  /** Asset. */
  asset: Hex
  /** Amount, raw units. */
  amount: bigint
  /** Premium paid, raw units. */
  premium: bigint
  /** Receiver contract. */
  receiver: Hex
  /** Initiator. */
  initiator: Hex
}

/** `sequencer.health`: liveness of an L2 sequencer. */
export interface SequencerHealthData {
  /** Whether the sequencer produces blocks. */
  up: boolean
  /** Seconds since the last L2 block. */
  secondsSinceLastBlock: number
  /** Latest L1 block the L2 references. */
  l1BlockNumber?: bigint | undefined
  /** Overall status. */
  status?: 'ok' | 'degraded' | 'halted' | undefined
  /** Why the status is not `ok`, human-readable, reasons joined by `; `. */
  reason?: string | undefined
  /** The chain's expected block time, milliseconds. */
  expectedBlockTimeMs?: number | undefined
  /** Observed mean block time over the recent window, milliseconds. */
  blockTimeMs?: number | undefined
  /** Gaps (a block time over the degraded threshold) within the recent window. */
  gaps?: number | undefined
  /** Reorgs seen on this chain since the extractor started. */
  reorgs?: number | undefined
  /** Batch posting record (on the L1 lane): the L2 whose batches this record follows. */
  l2ChainId?: number | undefined
  /** Batch posting record: the L2's chain name. */
  l2Chain?: string | undefined
  /** Batch posting record: seconds from the L1 block of the L2's last batch to this L1 block. */
  secondsSinceLastBatch?: number | undefined
  /** Batch posting record: the L1 block that carried the L2's last batch. */
  lastBatchL1Block?: bigint | undefined
  /** Batch posting record: the L1 transaction of the L2's last batch. */
  lastBatchTxHash?: Hex | undefined
  /** Batch posting record: the L2's batches in this L1 block. */
  batchesInBlock?: number | undefined
}

/** `mev.bid`: a builder bid seen on an MEV-Boost relay. */
export interface MevBidData {
  /** Relay name. */
  relay: string
  /** Slot. */
  slot: bigint
  /** Builder public key. */
  builderPubkey: Hex
  /** Bid value, wei. */
  value: bigint
  /** Block hash of the bid. */
  bidBlockHash: Hex
  /** Millisecond timestamp the relay received the bid. */
  timestampMs: bigint
  /** Gas used by the bid's block. */
  gasUsed?: bigint | undefined
  /** Transactions in the bid's block. */
  txCount?: number | undefined
  /** Execution block number the bid builds. */
  bidBlockNumber?: bigint | undefined
  /** True on the bid the relay delivered to the proposer for this feature's (on-chain) block: the winning bid. */
  delivered?: boolean | undefined
}

/** `mempool.swap`: a pending swap seen in the mempool. */
export interface MempoolSwapData {
  /** Pool. */
  pool: Hex
  /** Token in. */
  tokenIn: Hex
  /** Token out. */
  tokenOut: Hex
  /** Amount in, raw units. */
  amountIn: bigint
  /** Minimum amount out, raw units. */
  amountOutMin: bigint
  /** Sender. */
  from: Hex
  /** Max priority fee per gas, wei. */
  maxPriorityFeePerGas: bigint
  /** Called function, e.g. `exactInputSingle`, `exactOutput`, `swap` (a direct pool call). */
  method?: string | undefined
  /** True when the amount out is exact: `amountOutMin` is then that amount and `amountIn` the most paid. */
  exactOutput?: boolean | undefined
  /** Pools on the swap's path; this feature's pool is the one whose amount is exact. */
  hops?: number | undefined
  /** Expected input of this pool's swap, raw units, from the kept pool state before the block. */
  expectedAmountIn?: bigint | undefined
  /** Expected output of this pool's swap, raw units. */
  expectedAmountOut?: bigint | undefined
  /** Pool sqrt price before the swap, Q64.96. */
  sqrtPriceX96Before?: bigint | undefined
  /** Expected pool sqrt price after the swap, Q64.96. */
  sqrtPriceX96After?: bigint | undefined
  /** Expected move of the pool price (token1 per token0), basis points, signed decimal string. */
  priceImpactBps?: string | undefined
  /** Last block extracted when the transaction was first seen. */
  seenAtBlock?: bigint | undefined
  /** Unix milliseconds when the transaction was first seen. */
  seenAtMs?: bigint | undefined
  /** On the inclusion record: blocks from `seenAtBlock` to the including block. */
  delayBlocks?: bigint | undefined
  /** On the inclusion record: including block's timestamp (ms) minus `seenAtMs`; negative when the clocks disagree. */
  delayMs?: number | undefined
}

/** One leg of an opportunity. */
export interface OpportunityLeg {
  /** Chain id of the leg. */
  chainId: number
  /** Protocol of the venue. */
  protocol: string
  /** Venue address. */
  address: Hex
  /** Token in. */
  tokenIn: Hex
  /** Token out. */
  tokenOut: Hex
  /** Amount in, raw units. */
  amountIn: bigint
  /** Amount out, raw units. */
  amountOut: bigint
}

/** `opportunity`: an arbitrage found by a detector. */
export interface OpportunityData {
  /** Kind of arbitrage. */
  type: 'cross-venue' | 'cross-chain' | 'flash-loan'
  /** Legs, in execution order. */
  legs: OpportunityLeg[]
  /** Quote asset of the profit figures. */
  quoteAsset: Hex
  /** Gross profit, raw units of the quote asset. */
  grossProfit: bigint
  /** Costs, raw units of the quote asset. */
  costs: { gas: bigint; fees: bigint; bridge: bigint; flashPremium: bigint }
  /** Net profit, raw units of the quote asset. */
  netProfit: bigint
  /** Net profit in USD, decimal string. */
  netProfitUsd: string
  /** Confidence from 0 to 1. */
  confidence: number
  /** Last block the opportunity is expected to hold. */
  validUntilBlock: bigint
}

/** Maps each {@link FeatureKind} to its `data` record. */
export interface FeatureDataMap {
  'amm.swap': AmmSwapData
  'amm.pool': AmmPoolData
  'amm.liquidity': AmmLiquidityData
  'bridge.transfer': BridgeTransferData
  'bridge.liquidity': BridgeLiquidityData
  'gas.block': GasBlockData
  'gas.l2fee': GasL2FeeData
  'flashloan.liquidity': FlashloanLiquidityData
  'flashloan.event': FlashloanEventData
  'sequencer.health': SequencerHealthData
  'mev.bid': MevBidData
  'mempool.swap': MempoolSwapData
  opportunity: OpportunityData
}

/** The envelope every feature shares, whatever its kind and whichever source produced it. */
export interface FeatureEnvelope<K extends FeatureKind = FeatureKind> {
  /** Deterministic id: `${chainId}:${blockHash}:${logIndex ?? '-'}:${kind}:${discriminator}`. */
  id: string
  /** The kind, which fixes the shape of `data`. */
  kind: K
  /** EIP-155 chain id. */
  chainId: number
  /** Chain name from the config, e.g. `ethereum`. */
  chain: string
  /** Block number. */
  blockNumber: bigint
  /** Block hash. */
  blockHash: Hex
  /** Block timestamp, Unix seconds. */
  blockTimestamp: bigint
  /** Transaction hash, for features from one transaction. */
  txHash?: Hex | undefined
  /** Transaction index, for features from one transaction. */
  txIndex?: number | undefined
  /** Log index, for features from one log. */
  logIndex?: number | undefined
  /** Protocol, e.g. `uniswap-v3`. */
  protocol: string
  /** The pool, vault or bridge contract, lower-case hex. */
  address: Hex
  /** The kind's own record. */
  data: FeatureDataMap[K]
}

/** A feature of any kind, discriminated by `kind`. */
export type Feature = { [K in FeatureKind]: FeatureEnvelope<K> }[FeatureKind]

/** The parts of a feature id. */
export interface FeatureIdParts {
  /** Chain id. */
  chainId: number
  /** Block hash. */
  blockHash: Hex
  /** Log index, when the feature comes from one log. */
  logIndex?: number | undefined
  /** Feature kind. */
  kind: FeatureKind
  /** Tells apart features of one kind at one log or block, e.g. the pool address; `''` if none. */
  discriminator: string
}

/**
 * Builds a deterministic feature id.
 *
 * @example
 * ```ts
 * import { featureId } from '@qenus/core'
 * featureId({ chainId: 1, blockHash: '0xab…', logIndex: 3, kind: 'amm.swap', discriminator: '' })
 * // '1:0xab…:3:amm.swap:'
 * ```
 */
export function featureId(parts: FeatureIdParts): string {
  return `${parts.chainId}:${parts.blockHash}:${parts.logIndex ?? '-'}:${parts.kind}:${parts.discriminator}`
}
