import { defineDetector } from '@qenus/core'
import { ArbitrageDetector } from './detector.js'
import { arbitrageOptions } from './options.js'

/**
 * The `arbitrage` detector component: cross-venue, cross-chain and flash-loan funded
 * opportunities between Uniswap V3 pools.
 *
 * @example
 * ```ts
 * // qenus.config.ts
 * detectors: [{ use: '@qenus/detector-arbitrage', minNetProfitUsd: 25 }]
 * ```
 */
export const arbitrageDetector = defineDetector({
  name: 'arbitrage',
  summary:
    'Cross-venue, cross-chain and flash-loan funded arbitrage between Uniswap V3 pools, sized with exact swap math.',
  stability: 'experimental',
  options: arbitrageOptions,
  component: ArbitrageDetector,
})
