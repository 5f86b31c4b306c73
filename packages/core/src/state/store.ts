import type { BlockRef } from '../contracts/chain.js'
import type { FeatureBatch } from '../contracts/sink.js'
import { FatalError } from '../errors.js'
import type { Feature, FeatureKind } from '../schema/feature.js'
import type { FeatureStore, FeatureStoreWindow } from './types.js'

/** Options of {@link InMemoryFeatureStore}. */
export interface InMemoryFeatureStoreOptions {
  /**
   * How many blocks back from the head reads and reverts reach. Older versions of a key are
   * dropped, but the newest version of every key is always kept.
   * @default 128
   */
  retainBlocks?: number | undefined
}

/** One value of a key, from one block. */
interface Version {
  block: bigint
  feature: Feature
}

/** What a retained block changed, to revert or prune it. */
interface AppliedBlock {
  ref: BlockRef
  /** Keys of the block's features, in log order (repeats allowed). */
  keys: string[]
  /** Ids of the block's features, in log order. */
  ids: string[]
}

interface ChainState {
  head: BlockRef | undefined
  /** Retained blocks, oldest first. */
  blocks: AppliedBlock[]
  /** Highest block number whose history was pruned; reads and reverts reach down to it. */
  prunedThrough: bigint | undefined
  /** Versions per key, oldest first, grouped by kind for snapshots. */
  byKind: Map<string, Map<string, Version[]>>
}

/**
 * The in-memory {@link FeatureStore}: the latest feature per key (`${kind}:${address}`) per chain,
 * readable as of any block in the retained window, rolled back on revert.
 *
 * @remarks
 * Work per block is proportional to its features: applying appends one version per feature, and
 * the block that leaves the window prunes only the keys it touched.
 *
 * @example
 * ```ts
 * import { InMemoryFeatureStore } from '@qenus/core'
 * const store = new InMemoryFeatureStore({ retainBlocks: 64 })
 * store.apply(batch)
 * store.get(1, `amm.pool:${pool}`, batch.block.number - 3n)
 * ```
 */
export class InMemoryFeatureStore implements FeatureStore {
  readonly #retain: bigint
  readonly #chains = new Map<number, ChainState>()

  /** @param options - See {@link InMemoryFeatureStoreOptions}. */
  constructor(options: InMemoryFeatureStoreOptions = {}) {
    const retain = options.retainBlocks ?? 128
    if (!Number.isSafeInteger(retain) || retain < 1) {
      throw new FatalError(`retainBlocks must be a positive integer, got ${retain}`, { code: 'STORE_OPTIONS_INVALID' })
    }
    this.#retain = BigInt(retain)
  }

  /** {@inheritDoc FeatureStoreView.head} */
  head(chainId: number): BlockRef | undefined {
    return this.#chains.get(chainId)?.head
  }

  /**
   * The blocks this store can answer reads at, for a chain.
   *
   * @param chainId - EIP-155 chain id.
   * @returns `undefined` before the chain's first block. `from` is the newest pruned block once
   * blocks were pruned (its state is still readable), else the oldest retained block.
   */
  window(chainId: number): FeatureStoreWindow | undefined {
    const state = this.#chains.get(chainId)
    if (!state?.head) return undefined
    const blocks = state.blocks.map((block) => block.ref)
    return { from: this.#low(state), head: state.head, blocks }
  }

  /**
   * {@inheritDoc FeatureStoreView.get}
   * @throws A `STORE_BLOCK_OUT_OF_WINDOW` error when `atBlock` is above the head or below the window.
   */
  get(chainId: number, key: string, atBlock?: bigint): Feature | undefined {
    const state = this.#chains.get(chainId)
    if (!state?.head) return undefined
    const at = this.#checkBlock(state, atBlock)
    const versions = state.byKind.get(kindOf(key))?.get(key)
    return versions ? versionAt(versions, at)?.feature : undefined
  }

  /**
   * Every key's latest feature at `atBlock` (default: the head), optionally of one kind.
   * @returns The features, sorted by key so equal states give equal snapshots.
   */
  snapshot(chainId: number, options: { atBlock?: bigint; kind?: FeatureKind } = {}): Feature[] {
    const state = this.#chains.get(chainId)
    if (!state?.head) return []
    const at = this.#checkBlock(state, options.atBlock)
    const kinds = options.kind === undefined ? [...state.byKind.values()] : [state.byKind.get(options.kind)]
    const entries: [string, Feature][] = []
    for (const keys of kinds) {
      for (const [key, versions] of keys ?? []) {
        const version = versionAt(versions, at)
        if (version) entries.push([key, version.feature])
      }
    }
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return entries.map(([, feature]) => feature)
  }

  /**
   * {@inheritDoc FeatureStore.apply}
   * @throws A `STORE_BLOCK_OUT_OF_ORDER` error when the block is not above the head, and a
   * `STORE_FEATURE_MISMATCH` error when a feature belongs to another chain or block.
   */
  apply(batch: FeatureBatch): void {
    const chainId = batch.chain.chainId
    const state = this.#state(chainId)
    const { block } = batch
    if (state.head && block.number <= state.head.number) {
      throw new FatalError(
        `cannot apply block ${block.number} of chain ${batch.chain.name}: it is not above the head ${state.head.number}`,
        { code: 'STORE_BLOCK_OUT_OF_ORDER', details: 'Blocks must come in order; revert to an ancestor first.' },
      )
    }
    for (const feature of batch.features) checkFeature(feature, batch)
    const applied: AppliedBlock = { ref: block, keys: [], ids: [] }
    for (const feature of batch.features) {
      const key = `${feature.kind}:${feature.address}`
      const versions = keysOf(state, feature.kind).get(key)
      const last = versions?.[versions.length - 1]
      // Within one block the last feature of a key is its end-of-block state.
      if (last?.block === block.number) last.feature = feature
      else if (versions) versions.push({ block: block.number, feature })
      else keysOf(state, feature.kind).set(key, [{ block: block.number, feature }])
      applied.keys.push(key)
      applied.ids.push(feature.id)
    }
    state.blocks.push(applied)
    state.head = { number: block.number, hash: block.hash }
    this.#prune(state)
  }

  /**
   * Drops every block above `to`.
   * @returns The withdrawn ids: newest block first, in reverse log order within a block.
   * @throws A `STORE_REVERT_TOO_DEEP` error when `to` is below the retained window.
   */
  revert(chainId: number, to: BlockRef): string[] {
    const state = this.#chains.get(chainId)
    if (!state?.head || to.number >= state.head.number) return []
    if (state.prunedThrough !== undefined && to.number < state.prunedThrough) {
      throw new FatalError(
        `cannot revert chain ${chainId} to block ${to.number}: the store keeps blocks above ${state.prunedThrough} only`,
        { code: 'STORE_REVERT_TOO_DEEP', details: 'Raise retainBlocks to at least the chain finality depth.' },
      )
    }
    const withdrawn: string[] = []
    while (state.blocks.length > 0 && (state.blocks.at(-1) as AppliedBlock).ref.number > to.number) {
      const block = state.blocks.pop() as AppliedBlock
      for (let i = block.keys.length - 1; i >= 0; i--) {
        dropVersionsAbove(state, block.keys[i], to.number)
        withdrawn.push(block.ids[i])
      }
    }
    state.head = { number: to.number, hash: to.hash }
    return withdrawn
  }

  #state(chainId: number): ChainState {
    let state = this.#chains.get(chainId)
    if (!state) {
      state = { head: undefined, blocks: [], prunedThrough: undefined, byKind: new Map() }
      this.#chains.set(chainId, state)
    }
    return state
  }

  #checkBlock(state: ChainState, atBlock: bigint | undefined): bigint {
    const head = (state.head as BlockRef).number
    if (atBlock === undefined) return head
    if (atBlock > head || (state.prunedThrough !== undefined && atBlock < state.prunedThrough)) {
      const low = state.prunedThrough ?? 0n
      throw new FatalError(`block ${atBlock} is outside the retained window ${low}..${head}`, {
        code: 'STORE_BLOCK_OUT_OF_WINDOW',
      })
    }
    return atBlock
  }

  /** The oldest readable block: below the first applied block nothing is known. */
  #low(state: ChainState): bigint {
    return state.prunedThrough ?? state.blocks[0]?.ref.number ?? (state.head as BlockRef).number
  }

  /** Drops blocks that left the window and the versions of their keys no read can reach. */
  #prune(state: ChainState): void {
    const head = (state.head as BlockRef).number
    while (state.blocks.length > 0 && state.blocks[0].ref.number <= head - this.#retain) {
      const block = state.blocks.shift() as AppliedBlock
      state.prunedThrough = block.ref.number
      for (const key of block.keys) {
        const versions = state.byKind.get(kindOf(key))?.get(key)
        if (versions) dropVersionsBefore(versions, block.ref.number)
      }
    }
  }
}

function checkFeature(feature: Feature, batch: FeatureBatch): void {
  if (feature.chainId !== batch.chain.chainId || feature.blockNumber !== batch.block.number) {
    throw new FatalError(
      `feature ${feature.id} (chain ${feature.chainId}, block ${feature.blockNumber}) does not belong to block ${batch.block.number} of chain ${batch.chain.chainId}`,
      { code: 'STORE_FEATURE_MISMATCH' },
    )
  }
}

function kindOf(key: string): string {
  const colon = key.indexOf(':')
  return colon < 0 ? key : key.slice(0, colon)
}

function keysOf(state: ChainState, kind: string): Map<string, Version[]> {
  let keys = state.byKind.get(kind)
  if (!keys) {
    keys = new Map()
    state.byKind.set(kind, keys)
  }
  return keys
}

/** The newest version at or below `block`, by binary search (versions ascend by block). */
function versionAt(versions: Version[], block: bigint): Version | undefined {
  let low = 0
  let high = versions.length
  while (low < high) {
    const mid = (low + high) >>> 1
    if (versions[mid].block <= block) low = mid + 1
    else high = mid
  }
  return low === 0 ? undefined : versions[low - 1]
}

/** Keeps the newest version at or below `block` (the state there) and every later one. */
function dropVersionsBefore(versions: Version[], block: bigint): void {
  let keepFrom = 0
  while (keepFrom + 1 < versions.length && versions[keepFrom + 1].block <= block) keepFrom++
  if (keepFrom > 0) versions.splice(0, keepFrom)
}

function dropVersionsAbove(state: ChainState, key: string, block: bigint): void {
  const keys = state.byKind.get(kindOf(key))
  const versions = keys?.get(key)
  if (!keys || !versions) return
  while (versions.length > 0 && (versions.at(-1) as Version).block > block) versions.pop()
  if (versions.length === 0) keys.delete(key)
}
