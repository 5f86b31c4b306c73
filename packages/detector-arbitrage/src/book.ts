import type { BlockHeader, ChainInfo, ChainReader, DepthLevel, Feature, FeatureStoreView, Hex } from '@qenus/core'
import { applyBurn, applyMint, type PoolState, readPoolSnapshots, sortedTicks } from '@qenus/plugin-uniswap-v3'

/** A Uniswap V3 pool as the detector keeps it: exact swap state plus what confidence needs. */
export interface KeptPool {
  /** Chain id. */
  chainId: number
  /** Chain name. */
  chain: string
  /** Pool address. */
  address: Hex
  /** token0, token1. */
  tokens: [Hex, Hex]
  /** Exact swap state at the end of `block`, every initialized tick included. */
  state: PoolState
  /** `sortedTicks(state)`, kept so every simulation does not sort again. */
  ticks: number[]
  /** Last block applied. */
  block: bigint
  /** Timestamp of that block. */
  timestamp: bigint
  /** Recent (timestamp, ln price) samples, oldest first. */
  history: { t: number; lnPrice: number }[]
  /** Input that moves the price 100 bps each way (from `amm.pool` depth), when known. */
  depth?: { amount0In: bigint; amount1In: bigint } | undefined
}

/** What a pool could not be read for. */
export type SnapshotWarning = (pool: Hex, reason: string) => void

const lnPrice = (sqrtPriceX96: bigint): number => 2 * Math.log(Number(sqrtPriceX96) / 2 ** 96)

/**
 * Per chain, every watched pool's exact state: read in full (bitmap and every initialized tick)
 * through the block-bound reader the first time a pool shows up in an `amm.pool` feature, then
 * kept current from `amm.liquidity` (mint, burn) and `amm.pool` (end-of-block price, tick and
 * in-range liquidity). A block whose parent is not the last one applied (a reorg, a gap) drops
 * the chain's state, which is read again at that block.
 *
 * @internal
 */
export class PoolBook {
  readonly #chains = new Map<string, { last: Hex; pools: Map<Hex, KeptPool> }>()
  readonly #window: number

  constructor(window: number) {
    this.#window = window
  }

  /** The names of the chains with kept state. */
  chains(): string[] {
    return [...this.#chains.keys()]
  }

  /** The kept pools of a chain, by chain name. */
  pools(chain: string): ReadonlyMap<Hex, KeptPool> {
    return this.#chains.get(chain)?.pools ?? new Map()
  }

  /** A kept pool, by chain name and address. */
  find(chain: string, pool: Hex): KeptPool | undefined {
    return this.#chains.get(chain)?.pools.get(pool)
  }

  /**
   * Moves a chain's state to the end of `header`'s block.
   *
   * @param watched - Whether a pool's token pair is worth keeping.
   * @returns The pools changed in this block.
   */
  async apply(
    info: ChainInfo,
    header: BlockHeader,
    features: readonly Feature[],
    store: FeatureStoreView,
    reader: ChainReader,
    watched: (tokens: readonly Hex[]) => boolean,
    warn: SnapshotWarning,
  ): Promise<Set<Hex>> {
    const chainId = info.chainId
    let chain = this.#chains.get(info.name)
    const fresh = chain === undefined || chain.last !== header.parentHash
    if (fresh) {
      chain = { last: header.hash, pools: new Map() }
      this.#chains.set(info.name, chain)
    }
    const current = chain!
    current.last = header.hash
    const poolFeatures = new Map<Hex, Extract<Feature, { kind: 'amm.pool' }>>()
    // After a reorg the store is already rolled back, so its pools are the canonical ones.
    const seen = fresh ? store.snapshot(chainId, { kind: 'amm.pool' }) : []
    for (const f of [...seen, ...features]) if (f.kind === 'amm.pool') poolFeatures.set(f.data.pool, f)
    const unknown = [...poolFeatures.values()].filter((f) => !current.pools.has(f.data.pool) && watched(f.data.tokens))
    for (const f of features) {
      const kept = f.kind === 'amm.liquidity' ? current.pools.get(f.data.pool) : undefined
      if (!kept || f.kind !== 'amm.liquidity') continue
      if (f.data.action === 'mint') applyMint(kept.state, f.data.tickLower, f.data.tickUpper, f.data.liquidity)
      else if (f.data.action === 'burn') applyBurn(kept.state, f.data.tickLower, f.data.tickUpper, f.data.liquidity)
      kept.ticks = sortedTicks(kept.state)
    }
    const changed = new Set<Hex>()
    for (const f of poolFeatures.values()) {
      const kept = current.pools.get(f.data.pool)
      if (!kept || f.blockNumber !== header.number) continue
      kept.state.sqrtPriceX96 = f.data.sqrtPriceX96 ?? kept.state.sqrtPriceX96
      kept.state.tick = f.data.tick ?? kept.state.tick
      kept.state.liquidity = f.data.liquidity ?? kept.state.liquidity
      this.#touch(kept, header, f.data.depth)
      changed.add(kept.address)
    }
    await this.#read(info, current.pools, unknown, header, reader, warn)
    for (const f of unknown) if (current.pools.has(f.data.pool)) changed.add(f.data.pool)
    return changed
  }

  async #read(
    info: ChainInfo,
    pools: Map<Hex, KeptPool>,
    features: Extract<Feature, { kind: 'amm.pool' }>[],
    header: BlockHeader,
    reader: ChainReader,
    warn: SnapshotWarning,
  ): Promise<void> {
    if (features.length === 0) return
    const snapshots = await readPoolSnapshots(
      reader,
      features.map((f) => ({ pool: f.data.pool, fee: f.data.fee })),
    )
    for (const f of features) {
      const state = snapshots.get(f.data.pool)
      if (!state || !('tick' in state)) {
        warn(f.data.pool, state?.reason ?? 'no snapshot')
        continue
      }
      const kept: KeptPool = {
        chainId: info.chainId,
        chain: info.name,
        address: f.data.pool,
        tokens: [f.data.tokens[0]!, f.data.tokens[1]!],
        state,
        ticks: sortedTicks(state),
        block: header.number,
        timestamp: header.timestamp,
        history: [],
      }
      this.#touch(kept, header, f.blockNumber === header.number ? f.data.depth : undefined)
      pools.set(f.data.pool, kept)
    }
  }

  #touch(kept: KeptPool, header: BlockHeader, levels: readonly DepthLevel[] | undefined): void {
    kept.block = header.number
    kept.timestamp = header.timestamp
    kept.history.push({ t: Number(header.timestamp), lnPrice: lnPrice(kept.state.sqrtPriceX96) })
    if (kept.history.length > this.#window) kept.history.shift()
    const widest = levels?.reduce((a, b) => (b.bps > a.bps ? b : a), levels[0]!)
    if (widest) kept.depth = { amount0In: widest.amount0In, amount1In: widest.amount1In }
  }
}

/**
 * Volatility of a pool's log price per square-root second, from its kept samples
 * (realised variance over elapsed time); 0 with fewer than two samples.
 *
 * @internal
 */
export function volatility(pool: KeptPool): number {
  let variance = 0
  let elapsed = 0
  for (let i = 1; i < pool.history.length; i++) {
    const a = pool.history[i - 1]!
    const b = pool.history[i]!
    variance += (b.lnPrice - a.lnPrice) ** 2
    elapsed += Math.max(1, b.t - a.t)
  }
  return elapsed === 0 ? 0 : Math.sqrt(variance / elapsed)
}
