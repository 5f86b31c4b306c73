import { CircuitBreaker, type CircuitState, type Clock, RateLimiter } from '@qenus/core'
import { createPublicClient, http, type PublicClient, webSocket } from 'viem'
import { type BatchTarget, batchTarget, postBatch, type RpcCall } from './batch.js'
import type { Failure, FailureClass } from './classify.js'
import type { ProviderMetricHooks } from './metrics.js'

/** Upper bounds (ms) of the latency histogram buckets; the last bucket is everything above. */
export const LATENCY_BUCKETS_MS = [10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000] as const

/** Failure classes that bench a provider at once instead of counting towards the breaker threshold. */
const TRIPPING: ReadonlySet<FailureClass> = new Set(['wrong-chain', 'invalid', 'lagging'])

/** What a `Provider` is built from. */
export interface ProviderConfig {
  /** The http(s) URL (a secret: never logged). */
  url: string
  /** The redacted name shown in logs, errors, metrics and `/health`. */
  name: string
  /** Requests per second; unlimited when omitted. */
  requestsPerSecond?: number | undefined
  /** Requests in flight at once. */
  maxConcurrency: number
  /** Preference among healthy providers; higher is preferred. */
  weight: number
  /** Free-form labels shown in `/health`. */
  tags: readonly string[]
  /** JSON-RPC batching and the per-request timeout. */
  batch: boolean
  /** Timeout of one HTTP request, ms. */
  timeoutMs: number
  /** Consecutive failures that open the breaker. */
  breakerFailures: number
  /** How long an open breaker waits before a half-open probe, ms. */
  breakerResetMs: number
  /** Time source. */
  clock: Clock
}

/** One provider's counters, as `/health` and the metrics show them. */
export interface ProviderSnapshot {
  /** Redacted name. */
  name: string
  /** `healthy`, `benched` (breaker open or Retry-After pending) or `probing` (half-open). */
  state: 'healthy' | 'benched' | 'probing'
  /** Breaker state. */
  breaker: CircuitState
  /** Tags from the config. */
  tags: readonly string[]
  /** The last head it reported, decimal. */
  head?: string | undefined
  /** Smoothed latency, ms. */
  latencyMs: number
  /** Requests sent. */
  requests: number
  /** Failures by class. */
  errors: Partial<Record<FailureClass, number>>
  /** Requests that waited for the rate limiter. */
  rateLimitWaits: number
  /** Latency histogram: counts per {@link LATENCY_BUCKETS_MS} bucket, then the overflow bucket. */
  latencyBuckets: number[]
  /** Why it was last benched. */
  lastFailure?: string | undefined
}

/**
 * One JSON-RPC provider: its viem client, rate limiter, concurrency gate, circuit breaker and
 * health statistics.
 *
 * @internal
 */
export class Provider {
  readonly client: PublicClient
  /** Whether requests go over a ws(s) socket. */
  readonly isWs: boolean
  readonly breaker: CircuitBreaker
  readonly #limiter: RateLimiter | undefined
  readonly #target: BatchTarget | undefined
  readonly #waiters: (() => void)[] = []
  #inFlight = 0
  #latency = 0
  #errorRate = 0
  #benchedUntil = 0
  /** The method whose failures the breaker is counting. */
  #failing: string | undefined
  #probing = false
  head: bigint | undefined
  headChangedAt = 0
  requests = 0
  rateLimitWaits = 0
  lastFailure: string | undefined
  /** Set once the provider answered that it has no `eth_getBlockReceipts`. */
  lacksBlockReceipts = false
  /** Where requests, latencies, errors and rate-limit waits are reported, when metrics are on. */
  hooks: ProviderMetricHooks | undefined
  readonly errors: Partial<Record<FailureClass, number>> = {}
  readonly buckets: number[] = new Array(LATENCY_BUCKETS_MS.length + 1).fill(0)

  constructor(readonly config: ProviderConfig) {
    this.isWs = /^wss?:/i.test(config.url)
    const transport = this.isWs
      ? webSocket(config.url, { timeout: config.timeoutMs, retryCount: 0, keepAlive: false })
      : http(config.url, {
          batch: config.batch ? { batchSize: 100, wait: 0 } : false,
          timeout: config.timeoutMs,
          retryCount: 0,
        })
    this.client = createPublicClient({ transport, cacheTime: 0 })
    this.#target = this.isWs ? undefined : batchTarget(config.url)
    this.breaker = new CircuitBreaker({
      failureThreshold: config.breakerFailures,
      resetTimeoutMs: config.breakerResetMs,
      clock: config.clock,
    })
    const rps = config.requestsPerSecond
    this.#limiter = rps
      ? new RateLimiter({ ratePerSecond: rps, burst: Math.max(1, rps), clock: config.clock })
      : undefined
  }

  /** The redacted name. */
  get name(): string {
    return this.config.name
  }

  /** Whether ordinary requests may go here now. */
  get available(): boolean {
    return this.breaker.state === 'closed' && this.config.clock.now() >= this.#benchedUntil
  }

  /** Whether a half-open probe is due (and none is running). */
  get probeDue(): boolean {
    return !this.#probing && this.breaker.state === 'half-open' && this.config.clock.now() >= this.#benchedUntil
  }

  /** Lower is better: smoothed latency, inflated by recent errors, load and a drained rate limit. */
  score(): number {
    const load = this.#inFlight / this.config.maxConcurrency
    const drained = this.#limiter && this.#limiter.available < 1 ? 4 : 1
    return ((this.#latency + 1) * (1 + 10 * this.#errorRate) * (1 + load) * drained) / this.config.weight
  }

  /**
   * Runs one request within the provider's rate limit and concurrency, timing it.
   *
   * @param signal - Aborts a wait for the limiter.
   * @param method - The JSON-RPC method, for the metrics.
   * @param calls - JSON-RPC calls `fn` sends as one batch: each takes a rate-limit token, as
   *   providers bill each call of a batch, while the batch takes one concurrency slot.
   */
  async execute<T>(
    fn: (client: PublicClient) => Promise<T>,
    signal?: AbortSignal,
    method = 'unknown',
    calls = 1,
  ): Promise<T> {
    if (this.#limiter && this.#limiter.available < calls) {
      this.rateLimitWaits++
      this.hooks?.rateLimitWait()
    }
    await this.#limiter?.take(calls, signal)
    await this.#acquire()
    const started = performance.now()
    this.requests += calls
    this.hooks?.request(method, calls)
    try {
      const result = await fn(this.client)
      this.#observe(performance.now() - started)
      return result
    } finally {
      this.#release()
    }
  }

  /**
   * Sends `calls` as one JSON-RPC batch within the rate limit (a token per call) and one
   * concurrency slot: one http POST, or each call on the ws socket. With `batch: false`, each
   * call is its own request.
   *
   * @param calls - Calls of one method.
   * @param signal - Aborts the request.
   * @returns The results, in call order.
   */
  batch(calls: readonly RpcCall[], signal?: AbortSignal): Promise<unknown[]> {
    const method = calls[0]?.method ?? 'unknown'
    const target = this.#target
    if (target && !this.config.batch && calls.length > 1) {
      return Promise.all(
        calls.map((call) =>
          this.execute(
            () => postBatch(target, [call], this.config.timeoutMs, signal).then(([result]) => result),
            signal,
            method,
          ),
        ),
      )
    }
    const send = target
      ? () => postBatch(target, calls, this.config.timeoutMs, signal)
      : (client: PublicClient) => Promise.all(calls.map((call) => client.request(call as never)))
    return this.execute(send, signal, method, calls.length)
  }

  /**
   * Records a healthy answer (also an answer about the request, like a revert).
   *
   * @param method - The method answered. Failures of one method (every `eth_getLogs` hanging)
   *   keep counting while other methods (the headers beside them) succeed: only a success of the
   *   failing method, or of an unnamed one (a probe), closes the breaker's count.
   */
  succeed(method?: string): void {
    this.#errorRate *= 0.8
    if (method !== undefined && this.#failing !== undefined && method !== this.#failing) return
    this.#failing = undefined
    this.breaker.success()
  }

  /**
   * Records a failure: opens the breaker at once for bad data, wrong chain or a lagging head,
   * and keeps the provider out until its Retry-After has passed.
   *
   * @param calls - The JSON-RPC calls of the failed request (a batch fails every call in it).
   * @param method - The method that failed.
   *
   * @returns Whether the provider just became benched.
   */
  fail(failure: Failure, calls = 1, method?: string): boolean {
    const wasAvailable = this.available
    this.#failing = method
    this.count(failure.kind)
    this.#errorRate = this.#errorRate * 0.8 + 0.2
    this.lastFailure = `${failure.kind}: ${failure.reason}`
    // Every call of a failed batch failed, as if each had been sent alone.
    const strikes = TRIPPING.has(failure.kind)
      ? this.config.breakerFailures
      : Math.min(calls, this.config.breakerFailures)
    for (let i = 0; i < strikes; i++) this.breaker.failure()
    if (failure.retryAfterMs !== undefined) {
      this.#benchedUntil = Math.max(this.#benchedUntil, this.config.clock.now() + failure.retryAfterMs)
    }
    return wasAvailable && !this.available
  }

  /** Closes the ws socket, if one was opened. */
  async close(): Promise<void> {
    if (!this.isWs) return
    const transport = this.client.transport as unknown as { getRpcClient?: () => Promise<{ close(): void }> }
    const rpc = await transport.getRpcClient?.().catch(() => undefined)
    rpc?.close()
  }

  /** Counts an error of `kind` without judging the provider (a refused range, a revert). */
  count(kind: FailureClass): void {
    this.errors[kind] = (this.errors[kind] ?? 0) + 1
    this.hooks?.error(kind)
  }

  /** Marks a half-open probe as running; returns false when another one already is. */
  startProbe(): boolean {
    if (!this.probeDue || !this.breaker.allow()) return false
    this.#probing = true
    return true
  }

  /** Ends a half-open probe. */
  endProbe(ok: boolean, failure?: Failure): void {
    this.#probing = false
    if (ok) this.succeed()
    else if (failure) this.fail(failure)
    else this.breaker.failure()
  }

  /** Records a head this provider reported. */
  sawHead(head: bigint): void {
    if (head !== this.head) this.headChangedAt = this.config.clock.now()
    this.head = head
  }

  /** Counters for `/health` and metrics. */
  snapshot(): ProviderSnapshot {
    const breaker = this.breaker.state
    const benched = breaker === 'open' || this.config.clock.now() < this.#benchedUntil
    return {
      name: this.name,
      state: benched ? 'benched' : breaker === 'half-open' ? 'probing' : 'healthy',
      breaker,
      tags: this.config.tags,
      head: this.head?.toString(),
      latencyMs: Math.round(this.#latency),
      requests: this.requests,
      errors: { ...this.errors },
      rateLimitWaits: this.rateLimitWaits,
      latencyBuckets: [...this.buckets],
      lastFailure: this.lastFailure,
    }
  }

  #observe(ms: number): void {
    this.hooks?.latency(ms / 1000)
    this.#latency = this.#latency === 0 ? ms : this.#latency * 0.8 + ms * 0.2
    const bucket = LATENCY_BUCKETS_MS.findIndex((bound) => ms <= bound)
    this.buckets[bucket === -1 ? LATENCY_BUCKETS_MS.length : bucket]++
  }

  async #acquire(): Promise<void> {
    if (this.#inFlight < this.config.maxConcurrency) {
      this.#inFlight++
      return
    }
    await new Promise<void>((resolve) => this.#waiters.push(resolve))
  }

  #release(): void {
    const next = this.#waiters.shift()
    if (next) next()
    else this.#inFlight--
  }
}
