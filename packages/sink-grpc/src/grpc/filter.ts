import { FEATURE_KINDS, type Feature } from '@qenus/core'

/** The kinds of mempool features (`writePending`): a stream gets them only when its kinds select one. */
const MEMPOOL_KINDS = FEATURE_KINDS.filter((kind) => kind.startsWith('mempool.'))

/** A `FeatureFilter` as proto-loader reads it. @internal */
export interface FilterRequest {
  chains?: string[] | undefined
  kinds?: string[] | undefined
  protocols?: string[] | undefined
  addresses?: Uint8Array[] | undefined
}

/** A compiled filter: every non-empty list narrows. @internal */
export interface FeatureMatcher {
  /** Chain names, or undefined for all. */
  chains: ReadonlySet<string> | undefined
  /** Whether a chain name passes. */
  chain(name: string): boolean
  /** Whether a feature passes. */
  feature(feature: Feature): boolean
  /** Whether the stream takes mempool features: its kinds name one (`mempool.swap`, `mempool.*`, `*`). */
  pending: boolean
}

/**
 * Compiles a stream filter. Kinds may end with `*` to match a family (`amm.*`).
 *
 * An empty kinds list takes every block feature but no mempool feature: those are never retracted
 * nor replayed, so a client folding its stream into state must ask for them by kind.
 *
 * @throws An `Error` naming the bad entry (an address that is not 20 bytes).
 * @internal
 */
export function compileFilter(request: FilterRequest = {}): FeatureMatcher {
  const chains = nonEmpty(request.chains)
  const exactKinds = nonEmpty(request.kinds?.filter((k) => !k.endsWith('*')))
  const families = request.kinds?.filter((k) => k.endsWith('*')).map((k) => k.slice(0, -1)) ?? []
  const protocols = nonEmpty(request.protocols)
  const addresses = nonEmpty(request.addresses?.map(toAddress))
  const anyKind = exactKinds === undefined && families.length === 0
  const named = (k: string) => exactKinds?.has(k) === true || families.some((f) => k.startsWith(f))
  const kind = (k: string) => anyKind || named(k)
  return {
    pending: MEMPOOL_KINDS.some(named),
    chains,
    chain: (name) => chains === undefined || chains.has(name),
    feature: (f) =>
      (chains === undefined || chains.has(f.chain)) &&
      kind(f.kind) &&
      (protocols === undefined || protocols.has(f.protocol)) &&
      (addresses === undefined || addresses.has(f.address)),
  }
}

function nonEmpty<T>(values: T[] | undefined): ReadonlySet<T> | undefined {
  return values && values.length > 0 ? new Set(values) : undefined
}

function toAddress(bytes: Uint8Array, index: number): string {
  if (bytes.length !== 20) throw new Error(`filter.addresses[${index}] has ${bytes.length} bytes, expected 20`)
  return `0x${Buffer.from(bytes).toString('hex')}`
}
