import { type Hex, z } from '@qenus/core'
import { DEFAULT_DEPTH_BPS } from '../math/depth.js'

const address = (what: string) =>
  z
    .string()
    .regex(/^0x[0-9a-fA-F]{40}$/, `expected ${what}: 0x followed by 40 hex digits`)
    .transform((value) => value.toLowerCase() as Hex)

/** The Uniswap V3 fee tiers, in pips. @defaultValue [100, 500, 3000, 10000] */
export const DEFAULT_FEE_TIERS: readonly number[] = [100, 500, 3000, 10000]

const pairsSelector = z
  .strictObject({
    pairs: z
      .array(z.tuple([address('a token address'), address('a token address')]))
      .nonempty('expected at least one token pair')
      .describe('token pairs [tokenA, tokenB], in any order'),
    fees: z
      .array(z.number().int().positive().max(1_000_000))
      .nonempty('expected at least one fee tier')
      .default([...DEFAULT_FEE_TIERS] as [number, ...number[]])
      .describe('fee tiers in pips, default [100, 500, 3000, 10000]'),
  })
  .describe('every pool of these token pairs at these fee tiers (addresses derived from the factory)')

/** What the extractor emits: `swap` → `amm.swap`, `liquidity` → `amm.liquidity`, `pool` → `amm.pool`. */
export const EMIT_KINDS = ['swap', 'liquidity', 'pool'] as const

/** One of {@link EMIT_KINDS}. */
export type EmitKind = (typeof EMIT_KINDS)[number]

/**
 * Options of the `uniswap-v3` extractor.
 *
 * @example
 * ```ts
 * // qenus.config.ts: the WETH/USDC pools of every fee tier, swaps and pool state only
 * extractors: [{
 *   use: '@qenus/plugin-uniswap-v3',
 *   pools: { pairs: [['0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2', '0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48']] },
 *   emit: ['swap', 'pool'],
 * }]
 * ```
 */
export const uniswapV3Options = z.strictObject({
  /**
   * Which pools to extract:
   * - `'all'`: any contract emitting the Uniswap V3 pool events, filtered on their topics only;
   * - `'factory'`: every pool the chain's Uniswap V3 factory created (checked by its CREATE2 address);
   * - a non-empty list of pool addresses;
   * - `{ pairs, fees }`: the pools of these token pairs at these fee tiers.
   * @defaultValue `'all'`
   */
  pools: z
    .union([
      z.literal('all'),
      z.literal('factory'),
      z.array(address('a pool address')).nonempty('expected at least one pool address'),
      pairsSelector,
    ])
    .default('all')
    .describe("'all', 'factory', a non-empty list of pool addresses, or { pairs: [[tokenA, tokenB]], fees? }"),
  /**
   * The Uniswap V3 factory, overriding the chain's default (Ethereum, Arbitrum, Optimism, Base,
   * Polygon have one built in). Needed on other chains for `pools: 'factory'` and `{ pairs }`.
   */
  factory: address('a factory address')
    .optional()
    .describe("Uniswap V3 factory address; defaults to the chain's official deployment"),
  /**
   * Feature kinds to emit.
   * @defaultValue `['swap', 'liquidity', 'pool']`
   */
  emit: z
    .array(z.literal(EMIT_KINDS))
    .nonempty('expected at least one of swap, liquidity, pool')
    .default([...EMIT_KINDS])
    .describe("feature kinds to emit: 'swap' (amm.swap), 'liquidity' (amm.liquidity), 'pool' (amm.pool)"),
  /**
   * Price moves, in basis points, that `amm.pool` depth is computed for (each way).
   * @defaultValue `[10, 50, 100]`
   */
  depthBps: z
    .array(z.number().int().min(1).max(9999))
    .nonempty('expected at least one price move in bps')
    .default([...DEFAULT_DEPTH_BPS] as [number, ...number[]])
    .describe('price moves in basis points for amm.pool depth, each way, default [10, 50, 100]'),
  /**
   * Turn pending swaps (router calls and direct pool calls seen in the mempool) into `mempool.swap`
   * features with the expected outcome on the current pool state, and link each to the block
   * that includes it. Off, the extractor asks for no pending transactions and its block features
   * are unchanged.
   * @defaultValue `false`
   */
  mempool: z.boolean().default(false).describe('emit mempool.swap for pending swaps and link them to their block'),
  /**
   * Most pending transactions kept waiting for their block; the oldest are dropped first.
   * @defaultValue 10000
   */
  mempoolMaxPending: z
    .number()
    .int()
    .positive()
    .default(10_000)
    .describe('pending transactions kept for linking, default 10000'),
})

/** The options of the `uniswap-v3` extractor as written in a config. */
export type UniswapV3OptionsInput = z.input<typeof uniswapV3Options>

/** The validated options of the `uniswap-v3` extractor. */
export type UniswapV3Options = z.output<typeof uniswapV3Options>
