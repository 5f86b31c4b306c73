import type { ChainInfo, Hex, LogFilter } from '@qenus/core'
import { BURN_TOPIC, COLLECT_TOPIC, MINT_TOPIC, POOL_CREATED_TOPIC } from '../events/decode.js'
import { computePoolAddress, factoryFor } from '../pools/factory.js'
import { SWAP_TOPIC } from '../swap/decode.js'
import type { UniswapV3Options } from './options.js'
import type { PoolFields } from './pool-metadata.js'

/** The pools one extractor follows on one chain, resolved from its options. */
export interface PoolSelection {
  /** The log filters to declare. */
  filters: LogFilter[]
  /** The pools by address, for explicit lists and pairs; `undefined` when any pool may qualify. */
  listed: ReadonlySet<Hex> | undefined
  /** The factory whose pools qualify (`pools: 'factory'`), and whose `PoolCreated` logs are read. */
  factory: Hex | undefined
}

/** The pool event topics the emitted kinds need; `amm.pool` needs every state change and Collect (reserves). */
function poolTopics(emit: UniswapV3Options['emit']): Hex[] {
  const topics = new Set<Hex>()
  if (emit.includes('swap') || emit.includes('pool')) topics.add(SWAP_TOPIC)
  if (emit.includes('liquidity') || emit.includes('pool')) {
    for (const topic of [MINT_TOPIC, BURN_TOPIC, COLLECT_TOPIC]) topics.add(topic)
  }
  return [...topics]
}

/**
 * Resolves the `pools`, `factory` and `emit` options for `chain`.
 *
 * @throws FatalError when pairs or `'factory'` are selected on a chain with no known factory.
 */
export function selectPools(options: UniswapV3Options, chain: ChainInfo): PoolSelection {
  const topics = poolTopics(options.emit)
  const topic0 = topics.length === 1 ? topics[0]! : topics
  const { pools } = options
  if (pools === 'all')
    return { filters: [{ address: undefined, topics: [topic0] }], listed: undefined, factory: undefined }
  if (pools === 'factory') {
    const factory = factoryFor(chain, options.factory)
    return {
      filters: [
        { address: undefined, topics: [topic0] },
        { address: factory, topics: [POOL_CREATED_TOPIC] },
      ],
      listed: undefined,
      factory,
    }
  }
  const addresses = Array.isArray(pools) ? [...new Set(pools)] : pairPools(pools, factoryFor(chain, options.factory))
  return { filters: [{ address: addresses, topics: [topic0] }], listed: new Set(addresses), factory: undefined }
}

function pairPools({ pairs, fees }: { pairs: [Hex, Hex][]; fees: number[] }, factory: Hex): Hex[] {
  const addresses = pairs.flatMap(([a, b]) => fees.map((fee) => computePoolAddress(factory, a, b, fee)))
  return [...new Set(addresses)]
}

/**
 * Whether the logs of `pool` are extracted: it is listed, or any pool qualifies, or (factory
 * mode) its address is the one the factory derives from its tokens and fee.
 */
export function isSelected(selection: PoolSelection, pool: Hex, fields: PoolFields): boolean {
  if (selection.listed) return selection.listed.has(pool)
  if (selection.factory === undefined) return true
  return computePoolAddress(selection.factory, fields.token0, fields.token1, fields.fee) === pool
}
