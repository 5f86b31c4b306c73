import type { Hex, Log, LogFilter } from '@qenus/core'

/** One `eth_getLogs` filter covering every declared filter (a superset: refine with {@link matchesAny}). */
export interface MergedFilter {
  /** Union of the addresses, or `undefined` when some filter takes any address. */
  address?: Hex[] | undefined
  /** Union of `topics[0]`, or `undefined` when some filter takes any event. */
  topic0?: Hex[] | undefined
}

const asList = (value: Hex | Hex[] | null | undefined): Hex[] =>
  value == null ? [] : (Array.isArray(value) ? value : [value]).map((v) => v.toLowerCase() as Hex)

const union = (lists: Hex[][]): Hex[] | undefined =>
  lists.some((list) => list.length === 0) ? undefined : [...new Set(lists.flat())].sort()

/**
 * Merges log filters into the one filter a single `eth_getLogs` can take.
 *
 * @param filters - The declared filters.
 * @returns The merged filter, or `undefined` when nothing asks for logs.
 */
export function mergeFilters(filters: readonly LogFilter[]): MergedFilter | undefined {
  if (filters.length === 0) return undefined
  return {
    address: union(filters.map((f) => asList(f.address))),
    topic0: union(filters.map((f) => asList(f.topics?.[0]))),
  }
}

function matches(log: Log, filter: LogFilter): boolean {
  const addresses = asList(filter.address)
  if (addresses.length > 0 && !addresses.includes(log.address.toLowerCase() as Hex)) return false
  return (filter.topics ?? []).every((spec, i) => {
    const wanted = asList(spec)
    const topic = log.topics[i]?.toLowerCase() as Hex | undefined
    return wanted.length === 0 || (topic !== undefined && wanted.includes(topic))
  })
}

/**
 * Whether a log matches at least one filter, with `eth_getLogs` semantics (addresses and topics
 * compared case-insensitively, `null` a wildcard, an array any of its values).
 *
 * @param log - The log.
 * @param filters - The declared filters.
 */
export function matchesAny(log: Log, filters: readonly LogFilter[]): boolean {
  return filters.some((filter) => matches(log, filter))
}

/** The JSON-RPC `eth_getLogs` filter object for a merged filter. */
export function toRpcFilter(merged: MergedFilter): { address?: Hex[]; topics?: [Hex[]] } {
  return {
    ...(merged.address ? { address: merged.address } : {}),
    ...(merged.topic0 ? { topics: [merged.topic0] } : {}),
  }
}
