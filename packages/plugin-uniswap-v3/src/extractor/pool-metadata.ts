import type { ChainReader, Hex, MulticallResult, ReadContractParameters } from '@qenus/core'
import { erc20Abi, parseAbi } from 'viem'

const poolAbi = parseAbi([
  'function token0() view returns (address)',
  'function token1() view returns (address)',
  'function fee() view returns (uint24)',
])

/** What the features need to know about a pool and its tokens. Immutable on chain, so read once. */
export interface PoolMetadata {
  /** Pool token0, lower-case hex. */
  token0: Hex
  /** Pool token1, lower-case hex. */
  token1: Hex
  /** Fee in pips. */
  fee: number
  /** Decimals of token0. */
  decimals0: number
  /** Decimals of token1. */
  decimals1: number
  /** Symbol of token0, when `symbol()` returns a string. */
  symbol0?: string | undefined
  /** Symbol of token1, when `symbol()` returns a string. */
  symbol1?: string | undefined
}

/** A pool whose metadata could not be read: why, so its swaps can be quarantined. */
export interface PoolMetadataFailure {
  /** Why. */
  reason: string
}

/** The pool's own immutable fields, as `token0()`, `token1()` and `fee()` return them. */
export type PoolFields = Pick<PoolMetadata, 'token0' | 'token1' | 'fee'>

interface TokenMetadata {
  decimals: number
  symbol?: string | undefined
}

/**
 * Reads and caches pool metadata. Reverted reads are cached as failures too: the contract at an
 * address does not change, so retrying every block would only repeat the revert.
 */
export class PoolMetadataCache {
  readonly #pools = new Map<Hex, PoolMetadata | PoolMetadataFailure>()
  readonly #tokens = new Map<Hex, TokenMetadata | PoolMetadataFailure>()
  readonly #seeded = new Map<Hex, PoolFields>()

  /** The cached entry of `pool`, if it was read before. */
  get(pool: Hex): PoolMetadata | PoolMetadataFailure | undefined {
    return this.#pools.get(pool)
  }

  /** Records a pool's fields from a trusted source (its factory's `PoolCreated`), sparing their reads. */
  seed(pool: Hex, fields: PoolFields): void {
    if (!this.#pools.has(pool)) this.#seeded.set(pool, fields)
  }

  /**
   * Reads the pools not cached yet: one multicall for token0/token1/fee of every new pool not
   * seeded, then one for decimals and symbol of every token not seen before.
   *
   * @param pools - Pools to load.
   * @param reader - Reader at the current block.
   * @param cacheFailures - Whether a pool whose reads fail is cached as failed. Off for reads made
   * ahead of need (a listed pool may not be deployed yet at the block read).
   */
  async load(pools: Iterable<Hex>, reader: ChainReader, cacheFailures = true): Promise<void> {
    const fresh = [...new Set(pools)].filter((pool) => !this.#pools.has(pool))
    if (fresh.length === 0) return
    const unseeded = fresh.filter((pool) => !this.#seeded.has(pool))
    const read = new Map(unseeded.length === 0 ? [] : zip(unseeded, await this.#readPoolFields(unseeded, reader)))
    const fields = fresh.map((pool) => this.#seeded.get(pool) ?? read.get(pool)!)
    const tokens = fields.flatMap((f) => ('token0' in f ? [f.token0, f.token1] : []))
    await this.#readTokens(tokens, reader)
    fresh.forEach((pool, i) => {
      const metadata = this.#combine(fields[i]!)
      if (cacheFailures || 'token0' in metadata) this.#pools.set(pool, metadata)
    })
  }

  async #readPoolFields(pools: Hex[], reader: ChainReader): Promise<(PoolFields | PoolMetadataFailure)[]> {
    const calls = pools.flatMap((address) =>
      (['token0', 'token1', 'fee'] as const).map((functionName) => ({ address, abi: poolAbi, functionName })),
    )
    const results = await reader.multicall(calls as ReadContractParameters[])
    return pools.map((pool, i) => {
      const [token0, token1, fee] = results.slice(i * 3, i * 3 + 3)
      if (!isSuccess(token0) || !isSuccess(token1) || !isSuccess(fee)) {
        return { reason: `pool ${pool}: token0(), token1() or fee() reverted` }
      }
      if (typeof token0.result !== 'string' || typeof token1.result !== 'string' || typeof fee.result !== 'number') {
        return { reason: `pool ${pool}: token0(), token1() or fee() returned an unexpected value` }
      }
      return {
        token0: token0.result.toLowerCase() as Hex,
        token1: token1.result.toLowerCase() as Hex,
        fee: fee.result,
      }
    })
  }

  async #readTokens(tokens: Hex[], reader: ChainReader): Promise<void> {
    const fresh = [...new Set(tokens)].filter((token) => !this.#tokens.has(token))
    if (fresh.length === 0) return
    const calls = fresh.flatMap((address) =>
      (['decimals', 'symbol'] as const).map((functionName) => ({ address, abi: erc20Abi, functionName })),
    )
    const results = await reader.multicall(calls as ReadContractParameters[])
    fresh.forEach((token, i) => {
      const [decimals, symbol] = [results[2 * i], results[2 * i + 1]]
      this.#tokens.set(
        token,
        isSuccess(decimals) && typeof decimals.result === 'number'
          ? { decimals: decimals.result, symbol: isSuccess(symbol) ? String(symbol.result) : undefined }
          : { reason: `token ${token}: decimals() reverted or returned an unexpected value` },
      )
    })
  }

  #combine(fields: PoolFields | PoolMetadataFailure): PoolMetadata | PoolMetadataFailure {
    if (!('token0' in fields)) return fields
    const token0 = this.#tokens.get(fields.token0)
    const token1 = this.#tokens.get(fields.token1)
    if (!token0 || !('decimals' in token0)) return token0 ?? { reason: `token ${fields.token0}: decimals unknown` }
    if (!token1 || !('decimals' in token1)) return token1 ?? { reason: `token ${fields.token1}: decimals unknown` }
    return {
      ...fields,
      decimals0: token0.decimals,
      decimals1: token1.decimals,
      symbol0: token0.symbol,
      symbol1: token1.symbol,
    }
  }
}

function zip<A, B>(a: A[], b: B[]): [A, B][] {
  return a.map((x, i) => [x, b[i]!])
}

function isSuccess(result: MulticallResult | undefined): result is { status: 'success'; result: unknown } {
  return result?.status === 'success'
}
