import type { ChainReader, Hex, MulticallResult, ReadContractParameters } from '@qenus/core'
import { erc20Abi, parseAbi } from 'viem'

const poolAbi = parseAbi([
  'function token0() view returns (address)',
  'function token1() view returns (address)',
  'function fee() view returns (uint24)',
])

/** What a swap feature needs to know about its pool. Immutable on chain, so read once. */
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
}

/** A pool whose metadata could not be read: why, so its swaps can be quarantined. */
export interface PoolMetadataFailure {
  /** Why. */
  reason: string
}

type PoolFields = Pick<PoolMetadata, 'token0' | 'token1' | 'fee'>

/**
 * Reads and caches pool metadata. Reverted reads are cached as failures too: the contract at an
 * address does not change, so retrying every block would only repeat the revert.
 */
export class PoolMetadataCache {
  readonly #pools = new Map<Hex, PoolMetadata | PoolMetadataFailure>()
  readonly #decimals = new Map<Hex, number | PoolMetadataFailure>()

  /** The cached entry of `pool`, if it was read before. */
  get(pool: Hex): PoolMetadata | PoolMetadataFailure | undefined {
    return this.#pools.get(pool)
  }

  /**
   * Reads the pools not cached yet: one multicall for token0/token1/fee of every new pool, then
   * one for decimals of every token not seen before (their addresses come from the first).
   */
  async load(pools: Iterable<Hex>, reader: ChainReader): Promise<void> {
    const fresh = [...new Set(pools)].filter((pool) => !this.#pools.has(pool))
    if (fresh.length === 0) return
    const fields = await this.#readPoolFields(fresh, reader)
    const tokens = fields.flatMap((f) => ('token0' in f ? [f.token0, f.token1] : []))
    await this.#readDecimals(tokens, reader)
    fresh.forEach((pool, i) => {
      this.#pools.set(pool, this.#combine(fields[i]))
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

  async #readDecimals(tokens: Hex[], reader: ChainReader): Promise<void> {
    const fresh = [...new Set(tokens)].filter((token) => !this.#decimals.has(token))
    if (fresh.length === 0) return
    const calls = fresh.map((address) => ({ address, abi: erc20Abi, functionName: 'decimals' as const }))
    const results = await reader.multicall(calls as ReadContractParameters[])
    fresh.forEach((token, i) => {
      const result = results[i]
      this.#decimals.set(
        token,
        isSuccess(result) && typeof result.result === 'number'
          ? result.result
          : { reason: `token ${token}: decimals() reverted or returned an unexpected value` },
      )
    })
  }

  #combine(fields: PoolFields | PoolMetadataFailure): PoolMetadata | PoolMetadataFailure {
    if (!('token0' in fields)) return fields
    const decimals0 = this.#decimals.get(fields.token0)
    const decimals1 = this.#decimals.get(fields.token1)
    if (typeof decimals0 !== 'number') return decimals0 ?? { reason: `token ${fields.token0}: decimals unknown` }
    if (typeof decimals1 !== 'number') return decimals1 ?? { reason: `token ${fields.token1}: decimals unknown` }
    return { ...fields, decimals0, decimals1 }
  }
}

function isSuccess(result: MulticallResult | undefined): result is { status: 'success'; result: unknown } {
  return result?.status === 'success'
}
