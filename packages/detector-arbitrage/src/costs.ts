import type { BlockHeader, Feature, FeatureKind, FeatureStoreView, Hex } from '@qenus/core'
import { parseUnits } from 'viem'
import type { ArbitrageOptions } from './options.js'

/** What gas costs on a chain at a block. @internal */
export interface GasQuote {
  /** Price per gas expected in the next block, wei. */
  perGas: bigint
  /** L1 data fee of one transaction on an L2, wei. */
  l1Fee: bigint
  /** Where the price came from. */
  source: 'gas.block' | 'header'
}

type Of<K extends FeatureKind> = Extract<Feature, { kind: K }>

/** The block's own features of a kind, else the store's latest of that kind on the chain. */
export function latest<K extends FeatureKind>(
  kind: K,
  chainId: number,
  features: readonly Feature[],
  store: FeatureStoreView,
): Of<K>[] {
  const own = features.filter((f): f is Of<K> => f.kind === kind)
  const keys = new Set(own.map((f) => f.address))
  const kept = store.snapshot(chainId, { kind }).filter((f) => !keys.has(f.address)) as Of<K>[]
  return [...kept, ...own]
}

/**
 * Gas price for a transaction in the next block: `gas.block`'s exact next base fee plus its
 * median priority fee when present; else the header's base fee × 9/8 (the most EIP-1559 lets the
 * next block's base fee rise) plus `priorityFeeGwei`. `gas.l2fee`'s L1 fee estimate is added per
 * transaction on L2s.
 *
 * @internal
 */
export function gasQuote(
  chainId: number,
  header: BlockHeader,
  features: readonly Feature[],
  store: FeatureStoreView,
  options: ArbitrageOptions,
): GasQuote {
  const block = latest('gas.block', chainId, features, store).at(-1)
  const l2 = latest('gas.l2fee', chainId, features, store).at(-1)
  const l1Fee = l2?.data.l1FeeEstimate ?? 0n
  if (block) return { perGas: block.data.nextBaseFeePerGas + block.data.priorityFeeP50, l1Fee, source: 'gas.block' }
  const priority = parseUnits(String(options.priorityFeeGwei), 9)
  return { perGas: ((header.baseFeePerGas ?? 0n) * 9n) / 8n + priority, l1Fee, source: 'header' }
}

/** Wei one transaction with `swaps` swap legs costs under a quote. @internal */
export function gasWei(quote: GasQuote, swaps: number, options: ArbitrageOptions): bigint {
  return quote.perGas * BigInt(options.gasBase + swaps * options.gasPerSwap) + quote.l1Fee
}

/** A flash loan source. @internal */
export interface FlashSource {
  /** Provider name. */
  provider: string
  /** Premium, basis points. */
  premiumBps: number
  /** Lendable amount, raw units. */
  available: bigint
}

/**
 * The cheapest `flashloan.liquidity` provider of `asset` on the chain with anything to lend,
 * else the cheapest configured provider for the chain and symbol (unbounded).
 *
 * @internal
 */
export function flashSource(
  chain: { chainId: number; name: string },
  asset: Hex,
  symbol: string,
  features: readonly Feature[],
  store: FeatureStoreView,
  options: ArbitrageOptions,
): FlashSource | undefined {
  const offers = latest('flashloan.liquidity', chain.chainId, features, store)
    .filter((f) => f.data.asset === asset && f.data.available > 0n)
    .map((f) => ({ provider: f.data.provider, premiumBps: f.data.premiumBps, available: f.data.available }))
  const configured = options.flashLoanProviders
    .filter((p) => (p.chains?.includes(chain.name) ?? true) && (p.assets?.includes(symbol) ?? true))
    .map((p) => ({ provider: p.provider, premiumBps: p.premiumBps, available: 1n << 200n }))
  const pool = offers.length > 0 ? offers : configured
  return pool.sort((a, b) => a.premiumBps - b.premiumBps)[0]
}

/** Bridge terms of a route. @internal */
export interface BridgeTerms {
  /** Fee, basis points. */
  feeBps: number
  /** Seconds from deposit to fill. */
  delaySeconds: number
}

/**
 * Bridge fee and delay from `from` to `to` for a token: the fee of the latest `bridge.transfer`
 * of that token and route in the store, the delay last observed between a deposit and its fill;
 * else the `bridges` route in config; else `defaultBridge`.
 *
 * @internal
 */
export function bridgeTerms(
  from: { chainId: number; name: string },
  to: { chainId: number; name: string },
  token: Hex,
  symbol: string,
  store: FeatureStoreView,
  observedDelay: number | undefined,
  options: ArbitrageOptions,
): BridgeTerms {
  const configured =
    options.bridges.find((b) => b.from === from.name && b.to === to.name && b.token === symbol) ??
    options.bridges.find((b) => b.from === from.name && b.to === to.name && b.token === undefined) ??
    options.defaultBridge
  const seen = store
    .snapshot(from.chainId, { kind: 'bridge.transfer' })
    .filter(
      (f): f is Of<'bridge.transfer'> =>
        f.kind === 'bridge.transfer' &&
        f.data.destinationChainId === to.chainId &&
        f.data.token === token &&
        f.data.amount > 0n,
    )
    .at(-1)
  const feeBps = seen ? Number((seen.data.fee * 10_000_000n) / seen.data.amount) / 1000 : configured.feeBps
  return { feeBps, delaySeconds: observedDelay ?? configured.delaySeconds }
}
