/**
 * Qenus Dataplane extractor for Uniswap V3: `amm.swap`, `amm.liquidity` and `amm.pool` (with
 * depth) features, and the exact Uniswap V3 math behind them.
 *
 * @packageDocumentation
 */
import { createRequire } from 'node:module'
import { definePlugin } from '@qenus/core'
import { uniswapV3Extractor } from './extractor/index.js'

// --- events
export type {
  BurnEvent,
  CollectEvent,
  LogDecodeResult,
  LogQuarantine,
  LogQuarantineCode,
  MintEvent,
  PoolCreatedEvent,
} from './events/decode.js'
export {
  BURN_TOPIC,
  COLLECT_TOPIC,
  decodeBurnLog,
  decodeCollectLog,
  decodeMintLog,
  decodePoolCreatedLog,
  MINT_TOPIC,
  POOL_CREATED_TOPIC,
} from './events/decode.js'
// --- extractor
export type { ExtractorLogger, QuarantineReasonCode } from './extractor/extractor.js'
export { UniswapV3Extractor } from './extractor/extractor.js'
export { uniswapV3Extractor } from './extractor/index.js'
export type { EmitKind, UniswapV3Options, UniswapV3OptionsInput } from './extractor/options.js'
export { DEFAULT_FEE_TIERS, EMIT_KINDS, uniswapV3Options } from './extractor/options.js'
export type { PoolMetadata } from './extractor/pool-metadata.js'
// --- math (exact, bigint, as the contracts compute)
export { DEFAULT_DEPTH_BPS, type DepthTargets, depth, depthTargets, isqrt, type PoolDepthLevel } from './math/depth.js'
export { UNISWAP_MATH_ERROR_CODE, UniswapMathError } from './math/errors.js'
export type { RatioRounding } from './math/format-ratio.js'
export { formatRatio } from './math/format-ratio.js'
export {
  divRoundingUp,
  MAX_UINT128,
  MAX_UINT160,
  MAX_UINT256,
  mulDiv,
  mulDivRoundingUp,
  Q96,
} from './math/full-math.js'
export {
  applyBurn,
  applyMint,
  applySwap,
  type PoolState,
  type SwapResult,
  simulateSwap,
  sortedTicks,
  type TickInfo,
  tickSpacingToMaxLiquidityPerTick,
} from './math/pool.js'
export { inversePriceFromSqrtPriceX96, PRICE_SIGNIFICANT_DIGITS, priceFromSqrtPriceX96 } from './math/price.js'
export {
  getAmount0Delta,
  getAmount0DeltaSigned,
  getAmount1Delta,
  getAmount1DeltaSigned,
  getNextSqrtPriceFromAmount0RoundingUp,
  getNextSqrtPriceFromAmount1RoundingDown,
  getNextSqrtPriceFromInput,
  getNextSqrtPriceFromOutput,
} from './math/sqrt-price-math.js'
export { computeSwapStep, type SwapStep } from './math/swap-math.js'
export {
  type BitmapPosition,
  bitmapWordRange,
  compressTick,
  decodeBitmapWord,
  type NextTick,
  nextInitializedTickWithinOneWord,
  tickBitmapPosition,
} from './math/tick-bitmap.js'
export {
  getSqrtRatioAtTick,
  getTickAtSqrtRatio,
  MAX_SQRT_RATIO,
  MAX_TICK,
  MIN_SQRT_RATIO,
  MIN_TICK,
} from './math/tick-math.js'
// --- mempool
export { decodePendingSwaps, type SwapIntent } from './mempool/decode.js'
// --- pools
export { computePoolAddress, factoryFor, POOL_INIT_CODE_HASH, UNISWAP_V3_FACTORIES } from './pools/factory.js'
export { readPoolSnapshots, readReserves, type SnapshotFailure, type SnapshotRequest } from './pools/snapshot.js'
// --- swap
export type { SwapDecodeResult, SwapEvent, SwapQuarantine, SwapQuarantineCode } from './swap/decode.js'
export { decodeSwapLog, SWAP_EVENT_SIGNATURE, SWAP_TOPIC } from './swap/decode.js'

const { version } = createRequire(import.meta.url)('../package.json') as { version: string }

/** The plugin: one extractor, `uniswap-v3`. */
export default definePlugin({
  name: '@qenus/plugin-uniswap-v3',
  version,
  apiVersion: '^0.1.0',
  components: { extractors: { 'uniswap-v3': uniswapV3Extractor } },
})
