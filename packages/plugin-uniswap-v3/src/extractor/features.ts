import { type BlockHeader, type ChainInfo, type Feature, featureId, type Hex, type Log } from '@qenus/core'
import type { BurnEvent, CollectEvent, MintEvent } from '../events/decode.js'
import { depth } from '../math/depth.js'
import type { PoolState } from '../math/pool.js'
import { inversePriceFromSqrtPriceX96, priceFromSqrtPriceX96 } from '../math/price.js'
import type { SwapEvent } from '../swap/decode.js'
import type { PoolMetadata } from './pool-metadata.js'

/** A liquidity event of a pool, tagged with what happened. */
export type LiquidityEvent =
  | { action: 'mint'; event: MintEvent }
  | { action: 'burn'; event: BurnEvent }
  | { action: 'collect'; event: CollectEvent }

// Features are built as literals in envelope order, without spreads: one hidden class per kind
// keeps extraction and encoding fast (this is the hot path of every swap).

/** The `amm.swap` feature of one `Swap` log. */
export function swapFeature(
  chain: ChainInfo,
  header: BlockHeader,
  log: Log,
  pool: Hex,
  swap: SwapEvent,
  metadata: PoolMetadata,
): Feature {
  return {
    id: featureId({
      chainId: chain.chainId,
      blockHash: header.hash,
      logIndex: log.logIndex,
      kind: 'amm.swap',
      discriminator: '',
    }),
    kind: 'amm.swap',
    chainId: chain.chainId,
    chain: chain.name,
    blockNumber: header.number,
    blockHash: header.hash,
    blockTimestamp: header.timestamp,
    txHash: log.transactionHash,
    txIndex: log.transactionIndex,
    logIndex: log.logIndex,
    protocol: 'uniswap-v3',
    address: pool,
    data: {
      pool,
      token0: metadata.token0,
      token1: metadata.token1,
      amount0: swap.amount0,
      amount1: swap.amount1,
      sender: swap.sender,
      recipient: swap.recipient,
      fee: metadata.fee,
      sqrtPriceX96: swap.sqrtPriceX96,
      liquidity: swap.liquidity,
      tick: swap.tick,
      price: priceFromSqrtPriceX96(swap.sqrtPriceX96, metadata.decimals0, metadata.decimals1),
    },
  }
}

/** The `amm.liquidity` feature of one `Mint`, `Burn` or `Collect` log. */
export function liquidityFeature(
  chain: ChainInfo,
  header: BlockHeader,
  log: Log,
  pool: Hex,
  liquidity: LiquidityEvent,
): Feature {
  const { action, event } = liquidity
  return {
    id: featureId({
      chainId: chain.chainId,
      blockHash: header.hash,
      logIndex: log.logIndex,
      kind: 'amm.liquidity',
      discriminator: '',
    }),
    kind: 'amm.liquidity',
    chainId: chain.chainId,
    chain: chain.name,
    blockNumber: header.number,
    blockHash: header.hash,
    blockTimestamp: header.timestamp,
    txHash: log.transactionHash,
    txIndex: log.transactionIndex,
    logIndex: log.logIndex,
    protocol: 'uniswap-v3',
    address: pool,
    data: {
      pool,
      action,
      owner: event.owner,
      tickLower: event.tickLower,
      tickUpper: event.tickUpper,
      liquidity: 'amount' in event ? event.amount : 0n,
      amount0: event.amount0,
      amount1: event.amount1,
    },
  }
}

/**
 * The `amm.pool` feature of one pool at the end of a block. It has no log, so its id carries the
 * pool address as discriminator: unique per pool and block, and the same on every replay.
 */
export function poolFeature(
  chain: ChainInfo,
  header: BlockHeader,
  pool: Hex,
  metadata: PoolMetadata,
  state: PoolState,
  reserves: [bigint, bigint],
  depthBps: readonly number[],
): Feature {
  const { sqrtPriceX96 } = state
  const { decimals0, decimals1 } = metadata
  return {
    id: featureId({ chainId: chain.chainId, blockHash: header.hash, kind: 'amm.pool', discriminator: pool }),
    kind: 'amm.pool',
    chainId: chain.chainId,
    chain: chain.name,
    blockNumber: header.number,
    blockHash: header.hash,
    blockTimestamp: header.timestamp,
    protocol: 'uniswap-v3',
    address: pool,
    data: {
      pool,
      tokens: [metadata.token0, metadata.token1],
      reserves,
      fee: metadata.fee,
      price: priceFromSqrtPriceX96(sqrtPriceX96, decimals0, decimals1),
      priceInverse: inversePriceFromSqrtPriceX96(sqrtPriceX96, decimals0, decimals1),
      sqrtPriceX96,
      tick: state.tick,
      liquidity: state.liquidity,
      depth: depth(state, depthBps).map(({ bps, amount0In, amount1In }) => ({ bps, amount0In, amount1In })),
    },
  }
}
