/**
 * Qenus Dataplane extractor for Uniswap V3: `amm.swap` features from pool `Swap` logs.
 *
 * @packageDocumentation
 */
import { createRequire } from 'node:module'
import { definePlugin } from '@qenus/core'
import { uniswapV3Extractor } from './extractor/index.js'

export type { ExtractorLogger, QuarantineReasonCode } from './extractor/extractor.js'
export { UniswapV3Extractor } from './extractor/extractor.js'
export { uniswapV3Extractor } from './extractor/index.js'
export type { UniswapV3Options } from './extractor/options.js'
export { uniswapV3Options } from './extractor/options.js'
export type { PoolMetadata } from './extractor/pool-metadata.js'
export type { RatioRounding } from './math/format-ratio.js'
export { formatRatio } from './math/format-ratio.js'
export { PRICE_SIGNIFICANT_DIGITS, priceFromSqrtPriceX96 } from './math/price.js'
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
