import { RetryableError } from '../errors.js'
import { type Clock, systemClock } from './clock.js'

/** The state of a {@link CircuitBreaker}. */
export type CircuitState = 'closed' | 'open' | 'half-open'

/** What a {@link CircuitBreaker} takes. */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. @default 5 */
  failureThreshold?: number | undefined
  /** How long the circuit stays open before one trial call is let through. @default 30000 */
  resetTimeoutMs?: number | undefined
  /** Time source. @default systemClock */
  clock?: Clock | undefined
}

/**
 * A circuit breaker: after `failureThreshold` consecutive failures it opens and refuses calls;
 * after `resetTimeoutMs` it lets one trial call through (half-open), which closes it on success
 * and re-opens it on failure.
 *
 * @example
 * ```ts
 * import { CircuitBreaker } from '@qenus/core'
 * const breaker = new CircuitBreaker({ failureThreshold: 3, resetTimeoutMs: 10_000 })
 * const head = await breaker.run(() => client.getBlockNumber())
 * ```
 */
export class CircuitBreaker {
  readonly #threshold: number
  readonly #resetMs: number
  readonly #clock: Clock
  #state: CircuitState = 'closed'
  #failures = 0
  #openedAt = 0
  #trialInFlight = false

  constructor(options: CircuitBreakerOptions = {}) {
    this.#threshold = options.failureThreshold ?? 5
    this.#resetMs = options.resetTimeoutMs ?? 30_000
    this.#clock = options.clock ?? systemClock
  }

  /** The current state; an open circuit past its timeout reads as half-open. */
  get state(): CircuitState {
    if (this.#state === 'open' && this.#clock.now() - this.#openedAt >= this.#resetMs) this.#state = 'half-open'
    return this.#state
  }

  /** Whether a call may go through now; in half-open, true once until its outcome is recorded. */
  allow(): boolean {
    const state = this.state
    if (state === 'closed') return true
    if (state === 'open' || this.#trialInFlight) return false
    this.#trialInFlight = true
    return true
  }

  /** Records a successful call. */
  success(): void {
    this.#failures = 0
    this.#trialInFlight = false
    this.#state = 'closed'
  }

  /** Records a failed call. */
  failure(): void {
    this.#failures++
    this.#trialInFlight = false
    if (this.#state === 'half-open' || this.#failures >= this.#threshold) {
      this.#state = 'open'
      this.#openedAt = this.#clock.now()
    }
  }

  /**
   * Runs `fn` through the breaker.
   *
   * @throws A `RetryableError` with code `CIRCUIT_OPEN` when the circuit refuses the call.
   */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.allow()) throw new RetryableError('circuit open: too many consecutive failures', { code: 'CIRCUIT_OPEN' })
    try {
      const result = await fn()
      this.success()
      return result
    } catch (error) {
      this.failure()
      throw error
    }
  }
}
