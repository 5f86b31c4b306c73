/**
 * Qenus Dataplane detector for cross-venue, cross-chain and flash-loan funded arbitrage between
 * Uniswap V3 pools, sized with the pools' exact swap math.
 *
 * @packageDocumentation
 */
import { createRequire } from 'node:module'
import { definePlugin } from '@qenus/core'
import { arbitrageDetector } from './component.js'

export { arbitrageDetector } from './component.js'
export { type ConfidenceInputs, confidence } from './confidence.js'
export { ArbitrageDetector, type DetectorLogger } from './detector.js'
export {
  type ArbitrageOptions,
  type ArbitrageOptionsInput,
  arbitrageOptions,
  DEFAULT_TOKENS,
  type TokenConfig,
} from './options.js'

const { version } = createRequire(import.meta.url)('../package.json') as { version: string }

/** The plugin: one detector, `arbitrage`. */
export default definePlugin({
  name: '@qenus/detector-arbitrage',
  version,
  apiVersion: '^0.1.0',
  components: { detectors: { arbitrage: arbitrageDetector } },
})
