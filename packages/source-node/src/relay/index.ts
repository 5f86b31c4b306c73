import { defineExtractor } from '@qenus/core'
import { MevBoostExtractor } from './extractor.js'
import { mevBoostOptions } from './options.js'

/**
 * The `mev-boost` extractor component: `mev.bid` features from MEV-Boost relays' data API, with
 * the delivered (winning) bid of each on-chain block.
 *
 * @example
 * ```ts
 * // qenus.config.ts
 * extractors: [{ use: '@qenus/source-node', component: 'mev-boost', relays: ['https://boost-relay.flashbots.net'] }]
 * ```
 */
export const mevBoost = defineExtractor({
  name: 'mev-boost',
  summary: 'MEV-Boost relay bids per block and the delivered (winning) bid, from the relays data API.',
  stability: 'experimental',
  options: mevBoostOptions,
  component: MevBoostExtractor,
})
