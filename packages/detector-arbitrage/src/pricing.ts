import type { Hex } from '@qenus/core'
import { parseUnits } from 'viem'
import type { PoolBook } from './book.js'
import type { ArbitrageOptions, TokenConfig } from './options.js'

/** USD amounts are kept as integers scaled by 10^18. */
export const USD_SCALE = 10n ** 18n
const Q192 = 1n << 192n

/**
 * The token registry: symbols per chain and address, and USD prices from fixed values or
 * reference pools kept by the detector.
 *
 * @internal
 */
export class Pricing {
  readonly #byAddress = new Map<string, TokenConfig>()
  readonly #bySymbol = new Map<string, TokenConfig>()
  readonly #book: PoolBook

  constructor(options: ArbitrageOptions, book: PoolBook) {
    this.#book = book
    for (const token of options.tokens) {
      this.#bySymbol.set(token.symbol, token)
      for (const [chain, address] of Object.entries(token.addresses)) this.#byAddress.set(`${chain}:${address}`, token)
    }
  }

  /** The registry entry of a token on a chain. */
  token(chain: string, address: Hex): TokenConfig | undefined {
    return this.#byAddress.get(`${chain}:${address}`)
  }

  /** The registry entry of a symbol. */
  symbol(symbol: string): TokenConfig | undefined {
    return this.#bySymbol.get(symbol)
  }

  /** USD price of one whole token, scaled by {@link USD_SCALE}; `undefined` when unknown. */
  usd(symbol: string): bigint | undefined {
    const token = this.#bySymbol.get(symbol)
    if (!token) return undefined
    if (token.usd !== undefined) return fixed(token.usd)
    if (!token.usdPool) return undefined
    const pool = this.#book.find(token.usdPool.chain, token.usdPool.pool)
    const self = token.addresses[token.usdPool.chain]
    if (!pool || !self) return undefined
    const isToken0 = pool.tokens[0] === self
    const other = this.token(token.usdPool.chain, pool.tokens[isToken0 ? 1 : 0])
    if (!other || other.usd === undefined) return undefined
    const sq = pool.state.sqrtPriceX96 * pool.state.sqrtPriceX96
    const scale = 10n ** BigInt(token.decimals) * fixed(other.usd)
    const otherUnit = 10n ** BigInt(other.decimals)
    // raw1 per raw0 is sqrtPrice² / 2^192; the whole-token price rescales by the decimals.
    return isToken0 ? (sq * scale) / (Q192 * otherUnit) : (Q192 * scale) / (sq * otherUnit)
  }

  /** USD value (scaled) of a raw amount of `symbol`. */
  usdValue(symbol: string, raw: bigint): bigint | undefined {
    const price = this.usd(symbol)
    const token = this.#bySymbol.get(symbol)
    return price === undefined || !token ? undefined : (raw * price) / 10n ** BigInt(token.decimals)
  }

  /** Converts wei of the native token (priced as `nativeToken`) to raw units of `symbol`. */
  nativeIn(symbol: string, nativeSymbol: string, wei: bigint): bigint | undefined {
    const native = this.usd(nativeSymbol)
    const quote = this.usd(symbol)
    const token = this.#bySymbol.get(symbol)
    if (native === undefined || quote === undefined || quote === 0n || !token) return undefined
    return (wei * native * 10n ** BigInt(token.decimals)) / (quote * 10n ** 18n)
  }

  /** Whole-token inventory of a symbol in raw units; `undefined` when unlimited. */
  inventory(options: ArbitrageOptions, symbol: string): bigint | undefined {
    const whole = options.inventory[symbol]
    const token = this.#bySymbol.get(symbol)
    return whole === undefined || !token ? undefined : parseUnits(String(whole), token.decimals)
  }
}

/** A USD float from the config as a scaled integer (micro-dollar precision). */
export function fixed(usd: number): bigint {
  return BigInt(Math.round(usd * 1e6)) * 10n ** 12n
}

/** Formats a scaled USD integer as a decimal string. */
export function formatUsd(scaled: bigint): string {
  const negative = scaled < 0n
  const abs = negative ? -scaled : scaled
  const frac = (abs % USD_SCALE).toString().padStart(18, '0').replace(/0+$/, '')
  return `${negative ? '-' : ''}${abs / USD_SCALE}${frac ? `.${frac}` : ''}`
}
