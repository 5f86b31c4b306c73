/**
 * The beta chain source of Qenus Dataplane over JSON-RPC providers.
 *
 * @packageDocumentation
 */
import { createRequire } from 'node:module'
import { definePlugin, defineSource } from '@qenus/core'
import { rpcSourceOptions } from './options.js'
import { RpcSource } from './source.js'

const { version } = createRequire(import.meta.url)('../package.json') as { version: string }

/** The `rpc` source component: its options schema and implementation. */
export const rpcSource = defineSource({
  name: 'rpc',
  summary: 'Streams blocks, logs and reorgs from JSON-RPC providers; reads state with batched Multicall3.',
  stability: 'beta',
  options: rpcSourceOptions,
  component: RpcSource,
})

export {
  type BlockFetcher,
  BlockStream,
  type BlockStreamConfig,
  type FetchedBlock,
  type HeadClient,
  type HeadNotifier,
} from './block-stream.js'
export { checkAgainstBloom, inBloom } from './bloom.js'
export { classify, type Failure, type FailureClass, InvalidResponseError } from './classify.js'
export { type MergedFilter, matchesAny, mergeFilters } from './filters.js'
export { HeadFeed, type HeadFeedConfig, type HeadFeedSnapshot, type HeadSubscription } from './heads.js'
export { Lineage } from './lineage.js'
export { BREAKER_STATE_VALUE, type ProviderMetricHooks, providerMetrics } from './metrics.js'
export {
  pollInterval,
  providerOptions,
  type RpcSourceOptions,
  type RpcSourceOptionsInput,
  rpcSourceOptions,
} from './options.js'
export { LATENCY_BUCKETS_MS, type ProviderConfig, type ProviderSnapshot } from './provider.js'
export { providerConfigs } from './providers.js'
export { createRpcReader, MulticallBatcher, type ReadClient } from './reader.js'
export {
  type LogScope,
  type ProviderEvent,
  type RpcBlock,
  RpcClient,
  type RpcClientOptions,
  type Served,
  toHeader,
} from './rpc.js'
export { chained, receiptsOfBlock } from './rpc-fetcher.js'
export { RpcSource, type RpcSourceHealth, type RpcSourceLogger } from './source.js'
export type { SubscriptionHooks } from './subscription.js'
export { type BlockReceipts, checkBlock, type LogsScope, quantity, toLogs, toReceipts } from './validate.js'

/**
 * The `@qenus/source-rpc` plugin.
 *
 * @example
 * ```ts
 * chains: { ethereum: { source: { use: '@qenus/source-rpc', providers: ['${ETH_RPC_A}'] } } }
 * ```
 */
export default definePlugin({
  name: '@qenus/source-rpc',
  version,
  apiVersion: '^0.1.0',
  components: { sources: { rpc: rpcSource } },
})
