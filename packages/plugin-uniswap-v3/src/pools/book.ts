import type { Hex } from '@qenus/core'
import { applyBurn, applyMint, applySwap, type PoolState } from '../math/pool.js'
import type { SwapEvent } from '../swap/decode.js'

/** An event that changes a pool's swap state, in log order. */
export type PoolStateEvent =
  | { type: 'swap'; swap: SwapEvent }
  | { type: 'mint' | 'burn'; tickLower: number; tickUpper: number; amount: bigint }

/** A pool's kept state and the last block whose events it includes. */
export interface KeptPool {
  /** Swap-relevant state: price, tick, liquidity and every initialized tick. */
  state: PoolState
  /** The state is the pool's end state of this block. */
  through: bigint
}

/**
 * The kept state of one chain's pools: snapshots read once, then moved forward by their events,
 * and dropped on a reorg so they are read again at the next block that touches them.
 */
export class PoolStateBook {
  readonly #pools = new Map<Hex, KeptPool>()
  readonly #failed = new Map<Hex, string>()

  /** The kept state of `pool`, if any. */
  get(pool: Hex): KeptPool | undefined {
    return this.#pools.get(pool)
  }

  /** Keeps `state` as `pool`'s end state of block `through`. */
  set(pool: Hex, state: PoolState, through: bigint): void {
    this.#pools.set(pool, { state, through })
  }

  /** Forgets `pool`'s state, so it is read again when next needed. */
  delete(pool: Hex): void {
    this.#pools.delete(pool)
  }

  /**
   * Moves `pool` to the end of block `block` by its events there, once: a block retried after a
   * failed read is not applied twice.
   *
   * @throws UniswapMathError when an event does not fit the kept state (the caller re-reads it).
   */
  advance(pool: Hex, block: bigint, events: readonly PoolStateEvent[]): void {
    const kept = this.#pools.get(pool)
    if (kept === undefined || kept.through >= block) return
    for (const event of events) {
      if (event.type === 'swap') applySwap(kept.state, event.swap)
      else if (event.type === 'mint') applyMint(kept.state, event.tickLower, event.tickUpper, event.amount)
      else applyBurn(kept.state, event.tickLower, event.tickUpper, event.amount)
    }
    kept.through = block
  }

  /** Drops every state that includes a block above `to` (a reorg); returns how many. */
  revertTo(to: bigint): number {
    let dropped = 0
    for (const [pool, kept] of this.#pools) {
      if (kept.through > to) {
        this.#pools.delete(pool)
        dropped++
      }
    }
    return dropped
  }

  /** Marks `pool` as unreadable: no more `amm.pool` features for it. */
  markFailed(pool: Hex, reason: string): void {
    this.#failed.set(pool, reason)
    this.#pools.delete(pool)
  }

  /** Why `pool` was marked unreadable, if it was. */
  failed(pool: Hex): string | undefined {
    return this.#failed.get(pool)
  }
}
