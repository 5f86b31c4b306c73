import type { ChainInfo } from '../schema/chains.js'
import type { ExtractorSlot } from './lane-types.js'

/**
 * One interval timer per extractor that ticks on a lane's chain. A tick still queued or running
 * when the next falls due makes that one skip, so a slow tick never piles up behind the lane.
 *
 * @internal
 */
export class Ticker {
  readonly #timers: ReturnType<typeof setInterval>[] = []

  /**
   * @param chain - The lane's chain, passed to `tickIntervalMs`.
   * @param extractors - The lane's extractors; those with `onTick` and a positive interval tick.
   * @param tick - Runs one tick of an extractor; must not reject.
   */
  constructor(chain: ChainInfo, extractors: ExtractorSlot[], tick: (slot: ExtractorSlot) => Promise<void>) {
    for (const slot of extractors) {
      const every = slot.extractor.onTick ? slot.extractor.tickIntervalMs?.(chain) : undefined
      if (every === undefined || !(every > 0)) continue
      let busy = false
      const timer = setInterval(() => {
        if (busy) return
        busy = true
        void tick(slot).finally(() => {
          busy = false
        })
      }, every)
      timer.unref()
      this.#timers.push(timer)
    }
  }

  /** Stops every timer; a tick already running finishes. */
  stop(): void {
    for (const timer of this.#timers) clearInterval(timer)
    this.#timers.length = 0
  }
}
