import { redactUrl, systemClock } from '@qenus/core'
import type { RpcSourceOptions } from './options.js'
import type { ProviderConfig } from './provider.js'

/**
 * The provider configs of validated options: bare URLs take the defaults, and names that redact
 * alike (same host, different keys) get a `#n` suffix so each one stays identifiable.
 *
 * @param options - Validated source options.
 * @returns One config per provider, in config order.
 */
export function providerConfigs(options: RpcSourceOptions): ProviderConfig[] {
  const seen = new Map<string, number>()
  return options.providers.map((entry) => {
    const p = typeof entry === 'string' ? { url: entry, maxConcurrency: 16, weight: 1, tags: [] } : entry
    const base = redactUrl(p.url)
    const n = (seen.get(base) ?? 0) + 1
    seen.set(base, n)
    return {
      url: p.url,
      name: n === 1 ? base : `${base}#${n}`,
      requestsPerSecond: 'requestsPerSecond' in p ? p.requestsPerSecond : undefined,
      maxConcurrency: p.maxConcurrency,
      weight: p.weight,
      tags: p.tags,
      batch: options.batch,
      timeoutMs: options.requestTimeoutMs,
      breakerFailures: options.breakerFailures,
      breakerResetMs: options.breakerResetMs,
      clock: systemClock,
    }
  })
}
