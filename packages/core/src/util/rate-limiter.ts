import { QenusError } from '../errors.js'
import { type Clock, systemClock } from './clock.js'
import { sleep } from './sleep.js'

/** What a {@link RateLimiter} takes. */
export interface RateLimiterOptions {
  /** Tokens added per second. */
  ratePerSecond: number
  /** Bucket size: the largest burst. @default ratePerSecond */
  burst?: number | undefined
  /** Time source. @default systemClock */
  clock?: Clock | undefined
}

/**
 * A token bucket. `take` reserves tokens at once and waits until the reservation is covered,
 * so concurrent callers are served in call order.
 *
 * @example
 * ```ts
 * import { RateLimiter } from '@qenus/core'
 * const limiter = new RateLimiter({ ratePerSecond: 25, burst: 50 })
 * await limiter.take()
 * await fetch(url)
 * ```
 */
export class RateLimiter {
  readonly #rate: number
  readonly #burst: number
  readonly #clock: Clock
  #tokens: number
  #refilledAt: number

  constructor(options: RateLimiterOptions) {
    const { ratePerSecond, burst = ratePerSecond, clock = systemClock } = options
    if (!(ratePerSecond > 0) || !(burst > 0)) {
      throw new QenusError(`RateLimiter needs ratePerSecond > 0 and burst > 0, got ${ratePerSecond} and ${burst}`, {
        code: 'RATE_LIMITER_INVALID',
      })
    }
    this.#rate = ratePerSecond
    this.#burst = burst
    this.#clock = clock
    this.#tokens = burst
    this.#refilledAt = clock.now()
  }

  /** Tokens available now (negative while callers wait on reservations). */
  get available(): number {
    this.#refill()
    return this.#tokens
  }

  /** Takes `n` tokens if they are available now. */
  tryTake(n = 1): boolean {
    this.#refill()
    if (this.#tokens < n) return false
    this.#tokens -= n
    return true
  }

  /**
   * Takes `n` tokens, waiting until they are available.
   *
   * @throws The signal's reason on abort; the reservation is then returned.
   */
  async take(n = 1, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted()
    this.#refill()
    this.#tokens -= n
    if (this.#tokens >= 0) return
    try {
      await sleep(Math.ceil((-this.#tokens / this.#rate) * 1000), signal)
    } catch (error) {
      this.#tokens += n
      throw error
    }
  }

  #refill(): void {
    const now = this.#clock.now()
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#refilledAt) / 1000) * this.#rate)
    this.#refilledAt = now
  }
}
