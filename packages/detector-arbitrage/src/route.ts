import type { Hex, OpportunityLeg } from '@qenus/core'
import type { KeptPool } from './book.js'
import { inputToPrice, maximize, swapExactIn } from './search.js'

/** One swap of a route: through `pool`, `tokenIn` for `tokenOut`. @internal */
export interface Hop {
  /** The pool. */
  pool: KeptPool
  /** Whether token0 goes in. */
  zeroForOne: boolean
  /** Input token. */
  tokenIn: Hex
  /** Output token. */
  tokenOut: Hex
}

/** How a route's first leg is funded and what lies between its legs. @internal */
export interface RouteTerms {
  /** Quote held, raw units; `undefined`: unlimited. */
  inventory?: bigint | undefined
  /** Flash loan for what the inventory lacks. */
  flash?: { provider: string; premiumBps: number; available: bigint } | undefined
  /** Bridge fee on the middle asset, basis points (cross-chain). */
  bridgeFeeBps?: number | undefined
  /** Middle asset held on the sell chain, raw units (cross-chain: the sell leg runs from inventory). */
  sellInventory?: bigint | undefined
}

/** A route at its optimal size, before gas. @internal */
export interface RouteResult {
  /** The two legs, buy then sell, with exact amounts. */
  legs: [OpportunityLeg, OpportunityLeg]
  /** Quote out minus quote in (pool fees, bridge fee and flash premium already taken). */
  profit: bigint
  /** Pool fees paid, in quote units (fee tier × amounts). */
  fees: bigint
  /** Bridge fee, in quote units at the sell leg's rate. */
  bridge: bigint
  /** Flash premium, quote units. */
  flashPremium: bigint
  /** Amount borrowed by flash loan. */
  borrowed: bigint
  /** Price move of each leg's pool, basis points. */
  movesBps: [number, number]
}

const Q192 = 1n << 192n
const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b

/** The sell pool's price in the buy pool's orientation: buying past it cannot pay. */
function breakEven(buy: Hop, sell: Hop): bigint {
  const sameOrientation = buy.zeroForOne !== sell.zeroForOne
  return sameOrientation ? sell.pool.state.sqrtPriceX96 : sqrtInverse(sell.pool.state.sqrtPriceX96)
}

function sqrtInverse(sqrtPriceX96: bigint): bigint {
  return Q192 / sqrtPriceX96
}

/** ln of the marginal output per unit input of a hop, fee included (float: only to skip hopeless pairs). */
function lnRate(hop: Hop): number {
  const lnPrice = 2 * Math.log(Number(hop.pool.state.sqrtPriceX96)) - 192 * Math.LN2
  return (hop.zeroForOne ? lnPrice : -lnPrice) + Math.log(1 - hop.pool.state.fee / 1e6)
}

function moveBps(before: bigint, after: bigint): number {
  const ratio = Number((after * 1_000_000_000n) / before) / 1e9
  return Math.abs(ratio * ratio - 1) * 10_000
}

/**
 * Finds the input that maximises quote out − quote in for buy-then-sell across two pools, with
 * the pools' exact swap math over their initialized ticks: golden-section search on the input,
 * bracketed by the input that moves the buy pool to the sell pool's price.
 *
 * @returns The route at its optimum, or `undefined` when no input is profitable.
 * @internal
 */
export function optimiseRoute(buy: Hop, sell: Hop, terms: RouteTerms): RouteResult | undefined {
  // At the margin the first unit already loses (fees and bridge included): by concavity, so does every size.
  const bridgeKeep = Math.log(1 - (terms.bridgeFeeBps ?? 0) / 10_000)
  if (lnRate(buy) + lnRate(sell) + bridgeKeep <= 0) return undefined
  let hi = inputToPrice(buy.pool, buy.zeroForOne, breakEven(buy, sell))
  const held = terms.inventory
  if (held !== undefined) hi = minBig(hi, terms.flash ? held + terms.flash.available : held)
  if (hi <= 0n) return undefined
  const run = (x: bigint) => {
    const first = swapExactIn(buy.pool, buy.zeroForOne, x)
    if (!first) return undefined
    const bridged = terms.bridgeFeeBps
      ? first.amountOut - ceilDiv(first.amountOut * bps(terms.bridgeFeeBps), 10_000_000n)
      : first.amountOut
    if (terms.sellInventory !== undefined && bridged > terms.sellInventory) return undefined
    const second = swapExactIn(sell.pool, sell.zeroForOne, bridged)
    if (!second) return undefined
    const borrowed = held !== undefined && x > held ? x - held : 0n
    const premium = terms.flash && borrowed > 0n ? ceilDiv(borrowed * bps(terms.flash.premiumBps), 10_000_000n) : 0n
    return { x, first, bridged, second, borrowed, premium, profit: second.amountOut - x - premium }
  }
  const probe = hi / 10_000n
  if (probe >= 1_000_000n && !((run(probe)?.profit ?? -1n) > 0n)) return undefined
  const best = maximize((x) => run(x)?.profit, 1n, hi)
  if (!best || best.value <= 0n) return undefined
  const r = run(best.x)!
  const feeBuy = (r.x * BigInt(buy.pool.state.fee)) / 1_000_000n
  const feeSell = (r.second.amountOut * BigInt(sell.pool.state.fee)) / BigInt(1_000_000 - sell.pool.state.fee)
  const bridge = r.bridged > 0n ? ((r.first.amountOut - r.bridged) * r.second.amountOut) / r.bridged : 0n
  return {
    legs: [leg(buy, r.x, r.first.amountOut), leg(sell, r.bridged, r.second.amountOut)],
    profit: r.profit,
    fees: feeBuy + feeSell,
    bridge,
    flashPremium: r.premium,
    borrowed: r.borrowed,
    movesBps: [
      moveBps(buy.pool.state.sqrtPriceX96, r.first.sqrtPriceX96),
      moveBps(sell.pool.state.sqrtPriceX96, r.second.sqrtPriceX96),
    ],
  }
}

/** Basis points as tenths of a thousandth, so fractional bps stay exact to 0.001. */
function bps(value: number): bigint {
  return BigInt(Math.round(value * 1000))
}

function leg(hop: Hop, amountIn: bigint, amountOut: bigint): OpportunityLeg {
  return {
    chainId: hop.pool.chainId,
    protocol: 'uniswap-v3',
    address: hop.pool.address,
    tokenIn: hop.tokenIn,
    tokenOut: hop.tokenOut,
    amountIn,
    amountOut,
  }
}

function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b
}
