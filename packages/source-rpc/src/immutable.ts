import type { MulticallResult, ReadContractParameters } from '@qenus/core'

/**
 * View functions whose answer never changes for a deployed contract: ERC-20 metadata and the
 * immutables of Uniswap-style pools. Their successful answers are cached across blocks and
 * extractors.
 */
export const IMMUTABLE_FUNCTIONS: ReadonlySet<string> = new Set([
  'decimals',
  'symbol',
  'name',
  'token0',
  'token1',
  'fee',
  'tickSpacing',
  'factory',
  'maxLiquidityPerTick',
])

/** Entries kept before the oldest are dropped. */
const MAX_ENTRIES = 50_000

/**
 * A cache of immutable reads shared by every reader of one source, keyed by address, function
 * and arguments (not by block: the answer is the same at every block once the contract exists).
 *
 * @internal
 */
export class ImmutableCache {
  readonly #entries = new Map<string, unknown>()
  /** Reads answered from the cache. */
  hits = 0

  /** The cache key of `call`, or `undefined` when its function is not known to be immutable. */
  key(call: ReadContractParameters): string | undefined {
    if (!IMMUTABLE_FUNCTIONS.has(call.functionName)) return undefined
    const args = JSON.stringify(call.args ?? [], (_, v) => (typeof v === 'bigint' ? `${v}n` : v))
    return `${call.address.toLowerCase()}:${call.functionName}:${args}`
  }

  /** The cached answer of `call`, as a multicall result. */
  get(call: ReadContractParameters): MulticallResult | undefined {
    const key = this.key(call)
    if (key === undefined || !this.#entries.has(key)) return undefined
    this.hits++
    return { status: 'success', result: this.#entries.get(key) }
  }

  /** Remembers a successful answer of an immutable `call`. */
  set(call: ReadContractParameters, result: MulticallResult): void {
    const key = this.key(call)
    if (key === undefined || result.status !== 'success') return
    if (this.#entries.size >= MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value as string)
    this.#entries.set(key, result.result)
  }
}
