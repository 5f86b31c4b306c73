import type { CircuitState } from '@qenus/core'
import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import type { FailureClass } from './classify.js'

/** Upper bounds (seconds) of the request latency histogram. */
const LATENCY_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/** The value of `qenus_rpc_breaker_state` for each breaker state. */
export const BREAKER_STATE_VALUE: Readonly<Record<CircuitState, number>> = { closed: 0, 'half-open': 1, open: 2 }

/** What one provider reports to its metrics; every method is cheap and synchronous. */
export interface ProviderMetricHooks {
  /** JSON-RPC calls sent, by method: one, or `calls` when they went as one batch. */
  request(method: string, calls?: number): void
  /** A call answered, after `seconds`. */
  latency(seconds: number): void
  /** A call failed, by failure class. */
  error(kind: FailureClass): void
  /** A call waited for the provider's rate limiter. */
  rateLimitWait(): void
}

type Labels = 'chain' | 'provider'

interface Family {
  requests: Counter<Labels | 'method'>
  errors: Counter<Labels | 'class'>
  latency: Histogram<Labels>
  waits: Counter<Labels>
  /** Breaker states are read at scrape time, since an open breaker turns half-open by the clock alone. */
  breakers: Map<string, { labels: Record<Labels, string>; state: () => CircuitState }>
}

const families = new WeakMap<Registry, Family>()

function family(registry: Registry): Family {
  const known = families.get(registry)
  if (known) return known
  const registers = [registry]
  const labelNames = ['chain', 'provider'] as const
  const breakers: Family['breakers'] = new Map()
  const made: Family = {
    requests: new Counter({
      name: 'qenus_rpc_requests_total',
      help: 'JSON-RPC calls sent to a provider',
      labelNames: [...labelNames, 'method'],
      registers,
    }),
    errors: new Counter({
      name: 'qenus_rpc_errors_total',
      help: 'Failed JSON-RPC calls, by failure class',
      labelNames: [...labelNames, 'class'],
      registers,
    }),
    latency: new Histogram({
      name: 'qenus_rpc_request_duration_seconds',
      help: 'Latency of answered JSON-RPC calls',
      labelNames,
      buckets: LATENCY_BUCKETS_S,
      registers,
    }),
    waits: new Counter({
      name: 'qenus_rpc_rate_limit_waits_total',
      help: 'JSON-RPC calls that waited for the provider rate limit',
      labelNames,
      registers,
    }),
    breakers,
  }
  new Gauge({
    name: 'qenus_rpc_breaker_state',
    help: 'Circuit breaker of a provider: 0 closed, 1 half-open, 2 open',
    labelNames,
    registers,
    collect() {
      this.reset()
      for (const { labels, state } of breakers.values()) this.set(labels, BREAKER_STATE_VALUE[state()])
    },
  })
  families.set(registry, made)
  return made
}

/**
 * Registers a provider's metrics on a pipeline's registry (once per registry, shared by every chain
 * and provider), labelled by chain and the provider's redacted name.
 *
 * @param registry - The pipeline's prom-client registry (`Metrics.registry`).
 * @param chain - The chain name.
 * @param provider - The redacted provider name.
 * @param breaker - Reads the provider's breaker state at scrape time.
 * @returns The hooks the provider calls, and a function that stops reporting its breaker state.
 *
 * @example
 * ```ts
 * import { Metrics } from '@qenus/core'
 * import { providerMetrics } from '@qenus/source-rpc'
 * const { hooks } = providerMetrics(new Metrics().registry, 'ethereum', 'https://eth.example/<redacted>', () => 'closed')
 * hooks.request('eth_blockNumber')
 * ```
 */
export function providerMetrics(
  registry: Registry,
  chain: string,
  provider: string,
  breaker: () => CircuitState,
): { hooks: ProviderMetricHooks; release: () => void } {
  const f = family(registry)
  const labels = { chain, provider }
  const key = `${chain}\u0000${provider}`
  f.breakers.set(key, { labels, state: breaker })
  return {
    hooks: {
      request: (method, calls = 1) => f.requests.inc({ ...labels, method }, calls),
      latency: (seconds) => f.latency.observe(labels, seconds),
      error: (kind) => f.errors.inc({ ...labels, class: kind }),
      rateLimitWait: () => f.waits.inc(labels),
    },
    release: () => {
      if (f.breakers.get(key)?.state === breaker) f.breakers.delete(key)
    },
  }
}
