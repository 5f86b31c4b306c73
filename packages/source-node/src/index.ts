/**
 * Qenus Dataplane source for a local execution node: whole blocks, mempool and MEV-Boost relay data.
 *
 * @packageDocumentation
 */
import { createRequire } from 'node:module'
import { definePlugin } from '@qenus/core'
import { nodeSource } from './node/index.js'
import { mevBoost } from './relay/index.js'

const { version } = createRequire(import.meta.url)('../package.json') as { version: string }

/** Package version. */
export const VERSION: string = version

/**
 * The `@qenus/source-node` plugin: the `node` source and the `mev-boost` extractor.
 *
 * @example
 * ```ts
 * chains: { ethereum: { source: { use: '@qenus/source-node', ipc: '/data/geth/geth.ipc' } } }
 * ```
 */
export default definePlugin({
  name: '@qenus/source-node',
  version,
  apiVersion: '^0.1.0',
  components: { sources: { node: nodeSource }, extractors: { 'mev-boost': mevBoost } },
})

// --- node source
export { NodeClient } from './node/client.js'
export { NodeBlockFetcher, type NodeBlockFetcherConfig } from './node/fetcher.js'
export { NodeHeadSubscription } from './node/heads.js'
export { NodeHealth, type NodeHealthSnapshot } from './node/health.js'
export { nodeSource } from './node/index.js'
export { PendingFeed, type PendingFeedSnapshot, withPending } from './node/mempool.js'
export { type NodeSourceOptions, type NodeSourceOptionsInput, nodeSourceOptions } from './node/options.js'
export { NodeSource, type NodeSourceHealth, type NodeSourceLogger } from './node/source.js'
// --- relay (MEV-Boost)
export type { BidTrace } from './relay/bid-trace.js'
export { parseBidTrace } from './relay/bid-trace.js'
export type {
  BidTraceEndpoint,
  RelayAnswer,
  RelayClientOptions,
  RelayEndpoint,
  RelayFailure,
  RelayStats,
} from './relay/client.js'
export { RelayClient } from './relay/client.js'
export { BEACON_GENESIS_TIMES, MevBoostExtractor, slotOf } from './relay/extractor.js'
export { mevBoost } from './relay/index.js'
export type { MevBoostOptions, MevBoostOptionsInput } from './relay/options.js'
export { mevBoostOptions } from './relay/options.js'
export { JsonFramer } from './transport/framing.js'
export {
  JsonRpcError,
  type SocketCall,
  SocketRpc,
  type SocketRpcOptions,
  type SubscriptionHandle,
} from './transport/socket.js'
