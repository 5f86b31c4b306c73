import { defineExtractor } from '@qenus/core'
import { UniswapV3Extractor } from './extractor.js'
import { uniswapV3Options } from './options.js'

/**
 * The `uniswap-v3` extractor component: `amm.swap`, `amm.liquidity` and `amm.pool` features of Uniswap V3 pools.
 *
 * @example
 * ```ts
 * // qenus.config.ts
 * extractors: [{ use: '@qenus/plugin-uniswap-v3', pools: ['0x88e6a0c2ddd26feeb64f039a2c41296fcb3f5640'] }]
 * ```
 */
export const uniswapV3Extractor = defineExtractor({
  name: 'uniswap-v3',
  summary: 'Uniswap V3 swaps, liquidity events and per-block pool state with depth, wei-exact.',
  stability: 'experimental',
  options: uniswapV3Options,
  component: UniswapV3Extractor,
})
