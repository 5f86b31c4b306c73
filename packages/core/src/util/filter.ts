import type { Log, LogFilter } from '../contracts/chain.js'

/** A compiled {@link LogFilter}: true when a log matches. */
export type LogMatcher = (log: Pick<Log, 'address' | 'topics'>) => boolean

const lower = (values: string | string[]): Set<string> =>
  new Set((Array.isArray(values) ? values : [values]).map((value) => value.toLowerCase()))

/** Addresses and topics are lower-case by contract; the second lookup tolerates a checksummed one. */
const has = (set: Set<string>, value: string): boolean => set.has(value) || set.has(value.toLowerCase())

/**
 * Compiles one filter with `eth_getLogs` semantics: the address matches any listed one (none
 * listed: any); each topic position matches any listed value, `null` or `[]` is a wildcard, and a
 * log with fewer topics than a constrained position does not match.
 *
 * @param filter - The filter.
 * @returns A matcher that does only set lookups per log.
 */
export function compileFilter(filter: LogFilter): LogMatcher {
  const listed = filter.address === undefined ? undefined : lower(filter.address)
  const addresses = listed && listed.size > 0 ? listed : undefined
  const topics = (filter.topics ?? []).map((topic) => (topic === null ? undefined : lower(topic)))
  const positions = topics.flatMap((set, index) => (set && set.size > 0 ? [[index, set] as const] : []))
  return (log) => {
    if (addresses && !has(addresses, log.address)) return false
    for (const [index, set] of positions) {
      const topic = log.topics[index]
      if (topic === undefined || !has(set, topic)) return false
    }
    return true
  }
}

/**
 * Compiles a list of filters into one matcher: a log matches when any filter matches it. An
 * empty list matches nothing, since an extractor without filters wants no logs.
 *
 * @example
 * ```ts
 * import { compileFilters } from '@qenus/core'
 * const wants = compileFilters([{ address: pool, topics: [SWAP_TOPIC] }])
 * const mine = block.logs.filter(wants)
 * ```
 */
export function compileFilters(filters: readonly LogFilter[]): LogMatcher {
  const matchers = filters.map(compileFilter)
  if (matchers.length === 1) return matchers[0]
  return (log) => matchers.some((match) => match(log))
}

/**
 * True when `log` matches `filter` (see {@link compileFilter} for the rules). Compile once with
 * {@link compileFilters} when matching many logs.
 */
export function matchesFilter(log: Pick<Log, 'address' | 'topics'>, filter: LogFilter): boolean {
  return compileFilter(filter)(log)
}
