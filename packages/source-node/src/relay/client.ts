import { backoffDelay, CircuitBreaker, type Clock, RateLimiter, sleep, systemClock } from '@qenus/core'
import { type BidTrace, parseBidTrace } from './bid-trace.js'

/** A relay of the configured list. */
export interface RelayEndpoint {
  /** Name used in features and logs, e.g. `flashbots`. */
  name: string
  /** Base URL of the relay, e.g. `https://boost-relay.flashbots.net`. */
  url: string
}

/** The two bid trace endpoints of the relay data API. */
export type BidTraceEndpoint = 'builder_blocks_received' | 'proposer_payload_delivered'

/** Why a relay gave no usable answer. */
export type RelayFailure = 'timeout' | 'rate-limited' | 'circuit-open' | 'http' | 'malformed' | 'network'

/** One relay's answer for one slot. */
export type RelayAnswer =
  | { relay: string; ok: true; traces: BidTrace[]; malformedEntries: number }
  | { relay: string; ok: false; reason: RelayFailure; detail: string }

/** Counters of one relay, for logs and health. */
export interface RelayStats {
  /** HTTP requests sent. */
  requests: number
  /** Answers used. */
  ok: number
  /** Requests that ran out of time. */
  timeouts: number
  /** 429 answers. */
  rateLimited: number
  /** Answers or entries that were not valid bid traces. */
  malformed: number
  /** Calls refused by the open circuit breaker. */
  circuitOpen: number
  /** Other failures (network, HTTP status). */
  errors: number
}

/** How a {@link RelayClient} paces and bounds its calls. */
export interface RelayClientOptions {
  /** Time budget of one call, retries and Retry-After waits included. @default 2000 */
  timeoutMs?: number | undefined
  /** Retries after a 429, a 5xx or a network error, within the budget. @default 1 */
  retries?: number | undefined
  /** Requests per second sent to the relay. @default 4 */
  ratePerSecond?: number | undefined
  /** Consecutive failures that open the relay's circuit. @default 3 */
  failureThreshold?: number | undefined
  /** How long an open circuit waits before a trial call. @default 30000 */
  resetTimeoutMs?: number | undefined
  /** Longest Retry-After honoured; longer ones are capped. @default 60000 */
  maxRetryAfterMs?: number | undefined
  /** Time source. @default systemClock */
  clock?: Clock | undefined
}

type Attempt = { done: RelayAnswer } | { retryAfterMs: number }

/**
 * A client of one MEV-Boost relay's data API (`/relay/v1/data/bidtraces/*`) that never throws:
 * each call ends within its time budget with the traces or the reason there are none. A 429
 * pauses the relay for its Retry-After; repeated failures open a per-relay circuit breaker;
 * malformed answers and entries are counted and skipped.
 *
 * @example
 * ```ts
 * import { RelayClient } from '@qenus/source-node'
 * const relay = new RelayClient({ name: 'flashbots', url: 'https://boost-relay.flashbots.net' })
 * const answer = await relay.bidTraces('proposer_payload_delivered', 6214255n)
 * if (answer.ok) console.log(answer.traces[0]?.value)
 * ```
 */
export class RelayClient {
  /** The relay. */
  readonly relay: RelayEndpoint
  readonly #stats: RelayStats = {
    requests: 0,
    ok: 0,
    timeouts: 0,
    rateLimited: 0,
    malformed: 0,
    circuitOpen: 0,
    errors: 0,
  }
  readonly #timeoutMs: number
  readonly #retries: number
  readonly #maxRetryAfterMs: number
  readonly #clock: Clock
  readonly #limiter: RateLimiter
  readonly #breaker: CircuitBreaker
  #pausedUntil = 0

  /**
   * @param relay - The relay's name and base URL.
   * @param options - Time budget, retries, pacing and breaker settings.
   */
  constructor(relay: RelayEndpoint, options: RelayClientOptions = {}) {
    this.relay = { name: relay.name, url: relay.url.replace(/\/+$/, '') }
    this.#timeoutMs = options.timeoutMs ?? 2_000
    this.#retries = options.retries ?? 1
    this.#maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000
    this.#clock = options.clock ?? systemClock
    this.#limiter = new RateLimiter({ ratePerSecond: options.ratePerSecond ?? 4, clock: this.#clock })
    this.#breaker = new CircuitBreaker({
      failureThreshold: options.failureThreshold ?? 3,
      resetTimeoutMs: options.resetTimeoutMs ?? 30_000,
      clock: this.#clock,
    })
  }

  /** Counters since the client was made. */
  get stats(): Readonly<RelayStats> {
    return { ...this.#stats }
  }

  /**
   * The bid traces of one slot from one endpoint.
   *
   * @param endpoint - `builder_blocks_received` (every bid) or `proposer_payload_delivered` (the bid delivered).
   * @param slot - Beacon chain slot.
   * @returns The traces (malformed entries skipped and counted), or why there are none.
   */
  async bidTraces(endpoint: BidTraceEndpoint, slot: bigint): Promise<RelayAnswer> {
    const url = `${this.relay.url}/relay/v1/data/bidtraces/${endpoint}?slot=${slot}`
    const deadline = this.#clock.now() + this.#timeoutMs
    for (let attempt = 0; ; attempt++) {
      const wait = this.#pausedUntil - this.#clock.now()
      if (wait > 0) {
        if (this.#clock.now() + wait >= deadline)
          return this.#fail('rate-limited', `paused for ${wait} ms by Retry-After`)
        await sleep(wait)
      }
      if (!this.#breaker.allow()) {
        this.#stats.circuitOpen++
        return { relay: this.relay.name, ok: false, reason: 'circuit-open', detail: 'too many consecutive failures' }
      }
      const result = await this.#attempt(url, deadline)
      if ('done' in result) return result.done
      const delay = Math.max(result.retryAfterMs, 0)
      if (attempt >= this.#retries || this.#clock.now() + delay >= deadline) {
        return this.#fail('rate-limited', `gave up after ${attempt + 1} attempts`)
      }
      this.#pausedUntil = Math.max(this.#pausedUntil, this.#clock.now() + delay)
    }
  }

  async #attempt(url: string, deadline: number): Promise<Attempt> {
    await this.#limiter.take()
    const budget = deadline - this.#clock.now()
    if (budget <= 0) return { done: this.#failed('timeout', `no time left for ${url}`) }
    this.#stats.requests++
    let response: Response
    let body: string
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(budget), headers: { accept: 'application/json' } })
      body = await response.text()
    } catch (error) {
      const timedOut = (error as Error)?.name === 'TimeoutError' || (error as Error)?.name === 'AbortError'
      if (timedOut) return { done: this.#failed('timeout', `no answer within ${budget} ms`) }
      this.#breaker.failure()
      this.#stats.errors++
      return { retryAfterMs: backoffDelay(1, { minDelayMs: 100 }) }
    }
    // A 429 is the relay pacing us, not failing: honour Retry-After, leave the breaker alone.
    if (response.status === 429) {
      this.#stats.rateLimited++
      const retryAfterMs = Math.min(
        retryAfter(response.headers.get('retry-after'), this.#clock.now()),
        this.#maxRetryAfterMs,
      )
      this.#pausedUntil = this.#clock.now() + retryAfterMs
      return { retryAfterMs }
    }
    if (response.status >= 500) {
      this.#breaker.failure()
      this.#stats.errors++
      return { retryAfterMs: backoffDelay(1, { minDelayMs: 100 }) }
    }
    if (!response.ok) return { done: this.#failed('http', `HTTP ${response.status}`, 'errors') }
    return { done: this.#parse(body) }
  }

  #parse(body: string): RelayAnswer {
    let parsed: unknown
    try {
      parsed = JSON.parse(body)
    } catch (error) {
      return this.#failed('malformed', `invalid JSON: ${(error as Error).message}`, 'malformed')
    }
    if (!Array.isArray(parsed)) return this.#failed('malformed', 'expected a JSON array of bid traces', 'malformed')
    const traces: BidTrace[] = []
    let malformedEntries = 0
    for (const entry of parsed) {
      const trace = parseBidTrace(entry)
      if ('malformed' in trace) malformedEntries++
      else traces.push(trace)
    }
    this.#stats.malformed += malformedEntries
    this.#stats.ok++
    this.#breaker.success()
    return { relay: this.relay.name, ok: true, traces, malformedEntries }
  }

  #failed(
    reason: RelayFailure,
    detail: string,
    counter: 'timeouts' | 'errors' | 'malformed' = 'timeouts',
  ): RelayAnswer {
    this.#breaker.failure()
    this.#stats[counter]++
    return { relay: this.relay.name, ok: false, reason, detail }
  }

  #fail(reason: RelayFailure, detail: string): RelayAnswer {
    return { relay: this.relay.name, ok: false, reason, detail }
  }
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date; 1 s when absent or unreadable. */
function retryAfter(header: string | null, now: number): number {
  if (header === null) return 1_000
  const seconds = Number(header)
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1_000
  const date = Date.parse(header)
  return Number.isNaN(date) ? 1_000 : Math.max(0, date - now)
}
