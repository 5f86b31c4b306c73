import {
  type AmmSwapData,
  type ChainInfo,
  type FeatureBatch,
  type FeatureEnvelope,
  featureId,
  KNOWN_CHAINS,
} from '@qenus/core'
import { type Hex, keccak256, toHex } from 'viem'
import { Prng } from './prng.js'
import { priceFromSqrtPriceX96, sqrtPriceX96FromPrice } from './uniswap.js'

const DEVNET = KNOWN_CHAINS['devnet']!
const POOL: Hex = '0x88e6a0c2ddd26feeb64f039a2c41296fcb3f5640'
const USDC: Hex = '0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48'
const WETH: Hex = '0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2'
const BASE_SQRT_PRICE = sqrtPriceX96FromPrice([1n, 2500n], 6, 18)

/** A deterministic, fake but well-formed block hash for test features. */
export function fakeBlockHash(chainId: number, blockNumber: bigint, branch = 0): Hex {
  return keccak256(toHex(`qenus-testkit:${chainId}:${blockNumber}:${branch}`))
}

/** Inputs of {@link makeSwapFeature}; everything has a realistic default. */
export interface SwapFeatureInput {
  /** Chain. @default the devnet of the chain registry */
  chain?: ChainInfo | undefined
  /** Block number. @default 1000n */
  blockNumber?: bigint | undefined
  /** Block hash. @default {@link fakeBlockHash} of chain and number */
  blockHash?: Hex | undefined
  /** Block timestamp, seconds. @default 1_700_000_000n + 12n × blockNumber */
  blockTimestamp?: bigint | undefined
  /** Log index. @default 0 */
  logIndex?: number | undefined
  /** Transaction index. @default logIndex */
  txIndex?: number | undefined
  /** Overrides of the swap record. */
  data?: Partial<AmmSwapData> | undefined
}

/**
 * Builds a valid `amm.swap` feature of a USDC/WETH 0.05% Uniswap V3 pool (token0 USDC with 6
 * decimals, token1 WETH with 18), with amounts beyond 2^53 and the price derived from
 * `sqrtPriceX96` in integer arithmetic.
 *
 * @example
 * ```ts
 * import { makeSwapFeature } from '@qenus/testkit'
 * const swap = makeSwapFeature({ blockNumber: 19_000_000n, logIndex: 4 })
 * ```
 */
export function makeSwapFeature(input: SwapFeatureInput = {}): FeatureEnvelope<'amm.swap'> {
  const chain = input.chain ?? DEVNET
  const blockNumber = input.blockNumber ?? 1000n
  const blockHash = input.blockHash ?? fakeBlockHash(chain.chainId, blockNumber)
  const logIndex = input.logIndex ?? 0
  const sqrtPriceX96 = input.data?.sqrtPriceX96 ?? BASE_SQRT_PRICE
  const data: AmmSwapData = {
    pool: POOL,
    token0: USDC,
    token1: WETH,
    amount0: 2_500_123_456n,
    amount1: -999_950_012_345_678_901n,
    sender: '0x3fc91a3afd70395cd496c647d5a6cc9d4b2b7fad',
    recipient: '0x3fc91a3afd70395cd496c647d5a6cc9d4b2b7fad',
    fee: 500,
    sqrtPriceX96,
    liquidity: 23_456_789_012_345_678_901n,
    tick: 198_080,
    price: priceFromSqrtPriceX96(sqrtPriceX96, 6, 18),
    ...input.data,
  }
  return {
    id: featureId({ chainId: chain.chainId, blockHash, logIndex, kind: 'amm.swap', discriminator: '' }),
    kind: 'amm.swap',
    chainId: chain.chainId,
    chain: chain.name,
    blockNumber,
    blockHash,
    blockTimestamp: input.blockTimestamp ?? 1_700_000_000n + 12n * blockNumber,
    txHash: keccak256(toHex(`${blockHash}:${input.txIndex ?? logIndex}`)),
    txIndex: input.txIndex ?? logIndex,
    logIndex,
    protocol: 'uniswap-v3',
    address: data.pool,
    data,
  }
}

/** Options of {@link makeFeatureBatches}. */
export interface FeatureBatchOptions {
  /** Chain. @default the devnet of the chain registry */
  chain?: ChainInfo | undefined
  /** First block number. @default 1000n */
  fromBlock?: bigint | undefined
  /** Number of blocks. @default 3 */
  blocks?: number | undefined
  /** Swaps per block. @default 4 */
  perBlock?: number | undefined
  /** PRNG seed for amounts and directions. @default 1 */
  seed?: number | string | undefined
  /** Fork branch of the block hashes: a different branch gives the same heights new hashes. @default 0 */
  branch?: number | undefined
}

/**
 * Builds consecutive blocks of realistic `amm.swap` features, as the runtime hands them to sinks.
 *
 * @returns One batch per block, in block order, features in log order.
 * @example
 * ```ts
 * import { makeFeatureBatches } from '@qenus/testkit'
 * for (const batch of makeFeatureBatches({ blocks: 5 })) await sink.write(batch)
 * ```
 */
export function makeFeatureBatches(options: FeatureBatchOptions = {}): FeatureBatch[] {
  const chain = options.chain ?? DEVNET
  const prng = new Prng(options.seed ?? 1)
  const from = options.fromBlock ?? 1000n
  let sqrtPriceX96 = BASE_SQRT_PRICE
  return Array.from({ length: options.blocks ?? 3 }, (_, b) => {
    const blockNumber = from + BigInt(b)
    const blockHash = fakeBlockHash(chain.chainId, blockNumber, options.branch ?? 0)
    const timestamp = 1_700_000_000n + 12n * blockNumber
    const features = Array.from({ length: options.perBlock ?? 4 }, (_, i) => {
      const usdc = BigInt(prng.int(1, 2_000_000)) * 10n ** 6n + BigInt(prng.int(0, 999_999))
      const wethOut = (usdc * 10n ** 18n) / 2500_000_000n
      const buysWeth = prng.next() < 0.5
      sqrtPriceX96 += ((buysWeth ? 1n : -1n) * sqrtPriceX96 * BigInt(prng.int(1, 50))) / 1_000_000n
      const data: Partial<AmmSwapData> = {
        amount0: buysWeth ? usdc : -usdc,
        amount1: buysWeth ? -wethOut : wethOut,
        sqrtPriceX96,
        price: priceFromSqrtPriceX96(sqrtPriceX96, 6, 18),
      }
      return makeSwapFeature({ chain, blockNumber, blockHash, blockTimestamp: timestamp, logIndex: i * 3 + 1, data })
    })
    return { chain, block: { number: blockNumber, hash: blockHash }, timestamp, features }
  })
}

/** The features of {@link makeFeatureBatches}, flattened in order. */
export function makeFeatures(options: FeatureBatchOptions = {}): FeatureEnvelope<'amm.swap'>[] {
  return makeFeatureBatches(options).flatMap((b) => b.features as FeatureEnvelope<'amm.swap'>[])
}
