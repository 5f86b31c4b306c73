import { defineSource } from '@qenus/core'
import { nodeSourceOptions } from './options.js'
import { NodeSource } from './source.js'

/**
 * The `node` source component: its options schema and implementation.
 *
 * @example
 * ```ts
 * // qenus.config.ts
 * chains: { ethereum: { source: { use: '@qenus/source-node', ipc: '/data/geth/geth.ipc' } } }
 * ```
 */
export const nodeSource = defineSource({
  name: 'node',
  summary: 'Streams whole blocks, reorgs and pending transactions from a local node over IPC or ws.',
  stability: 'experimental',
  options: nodeSourceOptions,
  component: NodeSource,
})
