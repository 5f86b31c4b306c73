import { defineExtractor } from '@qenus/core'
import { GasExtractor } from './extractor.js'
import { gasOptions } from './options.js'

/**
 * The `gas` extractor component: `gas.block`, `gas.l2fee` and `sequencer.health` features.
 *
 * @example
 * ```ts
 * // qenus.config.ts
 * extractors: [{ use: '@qenus/plugin-gas', nativeUsd: { base: '3150' } }]
 * ```
 */
export const gasExtractor = defineExtractor({
  name: 'gas',
  summary: 'Per-block fee market (exact next base fee, tip percentiles, blobs), L2 fees and sequencer health.',
  stability: 'experimental',
  options: gasOptions,
  component: GasExtractor,
})
