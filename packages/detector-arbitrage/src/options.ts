import { type Hex, z } from '@qenus/core'

const address = (what: string) =>
  z
    .string()
    .regex(/^0x[0-9a-fA-F]{40}$/, `expected ${what}: 0x followed by 40 hex digits`)
    .transform((value) => value.toLowerCase() as Hex)

const tokenSchema = z
  .strictObject({
    symbol: z.string().min(1).describe('symbol; the same symbol on two chains is the same asset'),
    decimals: z.number().int().min(0).max(77).describe('decimals'),
    addresses: z
      .record(z.string(), address('a token address'))
      .describe('token address per chain name, e.g. { ethereum: "0x…", arbitrum: "0x…" }'),
    usd: z.number().positive().optional().describe('fixed USD price of one whole token (stablecoins)'),
    usdPool: z
      .strictObject({ chain: z.string(), pool: address('a pool address') })
      .optional()
      .describe('a Uniswap V3 reference pool pairing this token with a token that has a fixed `usd`'),
  })
  .describe('a token the detector may trade and price')

/** A token of the registry, as configured. */
export interface TokenConfig {
  /** Symbol; the same symbol on two chains is the same asset. */
  symbol: string
  /** Decimals. */
  decimals: number
  /** Token address per chain name. */
  addresses: Record<string, Hex>
  /** Fixed USD price of one whole token (stablecoins). */
  usd?: number | undefined
  /** A Uniswap V3 reference pool pairing this token with a token that has a fixed `usd`. */
  usdPool?: { chain: string; pool: Hex } | undefined
}

/** The built-in registry: WETH, USDC, USDT and DAI on Ethereum and Arbitrum. */
export const DEFAULT_TOKENS: readonly TokenConfig[] = [
  {
    symbol: 'USDC',
    decimals: 6,
    usd: 1,
    addresses: {
      ethereum: '0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48',
      arbitrum: '0xaf88d065e77c8cc2239327c5edb3a432268e5831',
    },
  },
  {
    symbol: 'USDT',
    decimals: 6,
    usd: 1,
    addresses: {
      ethereum: '0xdac17f958d2ee523a2206206994597c13d831ec7',
      arbitrum: '0xfd086bc7cd5c481dcc9c85ebe478a1c0b69fcbb9',
    },
  },
  {
    symbol: 'DAI',
    decimals: 18,
    usd: 1,
    addresses: {
      ethereum: '0x6b175474e89094c44da98b954eedeac495271d0f',
      arbitrum: '0xda10009cbd5d07dd0cecc66161fc93d7c9000da1',
    },
  },
  {
    symbol: 'WETH',
    decimals: 18,
    // Uniswap V3 USDC/WETH 0.05% on Ethereum: the deepest WETH price there is.
    usdPool: { chain: 'ethereum', pool: '0x88e6a0c2ddd26feeb64f039a2c41296fcb3f5640' },
    addresses: {
      ethereum: '0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2',
      arbitrum: '0x82af49447d8a07e3bd95bd0d56f35241523fbab1',
    },
  },
]

const flashProviderSchema = z.strictObject({
  provider: z.string().min(1).describe('provider name, e.g. aave-v3'),
  premiumBps: z.number().min(0).max(10_000).describe('premium in basis points'),
  chains: z.array(z.string()).optional().describe('chain names it lends on; all when omitted'),
  assets: z.array(z.string()).optional().describe('token symbols it lends; all when omitted'),
})

const bridgeSchema = z.strictObject({
  from: z.string().describe('origin chain name'),
  to: z.string().describe('destination chain name'),
  token: z.string().optional().describe('token symbol; every token when omitted'),
  feeBps: z.number().min(0).max(10_000).describe('fee in basis points of the amount'),
  delaySeconds: z.number().positive().describe('time from deposit to fill'),
})

/**
 * Options of the `arbitrage` detector.
 *
 * @example
 * ```ts
 * // qenus.config.ts
 * detectors: [{ use: '@qenus/detector-arbitrage', minNetProfitUsd: 25, inventory: { USDC: 50_000 } }]
 * ```
 */
export const arbitrageOptions = z.strictObject({
  /**
   * Smallest net profit, in USD, an opportunity must have to be reported.
   * @defaultValue 10
   */
  minNetProfitUsd: z.number().min(0).default(10).describe('smallest net profit in USD to report'),
  /**
   * Smallest confidence an opportunity must have to be reported.
   * @defaultValue 0
   */
  minConfidence: z.number().min(0).max(1).default(0).describe('smallest confidence (0..1) to report'),
  /**
   * Token registry: only pools whose two tokens are listed are watched; the symbol ties one asset
   * across chains, and `usd` / `usdPool` price it.
   * @defaultValue WETH, USDC, USDT, DAI on ethereum and arbitrum
   */
  tokens: z
    .array(tokenSchema)
    .default([...DEFAULT_TOKENS])
    .describe('tokens to trade and price; default WETH, USDC, USDT, DAI on ethereum and arbitrum'),
  /**
   * Symbol pairs to watch, e.g. `[['WETH', 'USDC']]`; every pair of listed tokens when omitted.
   */
  pairs: z
    .array(z.tuple([z.string(), z.string()]))
    .optional()
    .describe('symbol pairs to watch; every pair of listed tokens when omitted'),
  /**
   * Quote assets in order of preference: profits are counted in the first one a pair holds.
   * @defaultValue `['USDC', 'USDT', 'DAI', 'WETH']`
   */
  quoteAssets: z
    .array(z.string())
    .default(['USDC', 'USDT', 'DAI', 'WETH'])
    .describe('quote asset symbols in order of preference'),
  /**
   * Symbol of the token whose USD price prices gas (the wrapped native token).
   * @defaultValue `'WETH'`
   */
  nativeToken: z.string().default('WETH').describe("symbol whose USD price prices gas, default 'WETH'"),
  /**
   * Gas of one transaction without its swaps.
   * @defaultValue 21000
   */
  gasBase: z.number().int().min(0).default(21_000).describe('gas of a transaction besides its swaps'),
  /**
   * Gas of one swap leg.
   * @defaultValue 130000
   */
  gasPerSwap: z.number().int().positive().default(130_000).describe('gas of one swap leg'),
  /**
   * Priority fee per gas in gwei, used when no `gas.block` feature gives a median.
   * @defaultValue 0.01
   */
  priorityFeeGwei: z.number().min(0).default(0.01).describe('priority fee in gwei when no gas.block feature'),
  /**
   * Blocks after the current one the opportunity is expected to hold.
   * @defaultValue 1
   */
  validityBlocks: z.number().int().min(0).default(1).describe('validUntilBlock = block + validityBlocks'),
  /**
   * Whole-token inventory per symbol; a leg that needs more is flash-loan funded. Unlisted
   * symbols count as unlimited.
   * @defaultValue `{}`
   */
  inventory: z
    .record(z.string(), z.number().min(0))
    .default({})
    .describe('whole tokens held per symbol; unlisted symbols are unlimited'),
  /**
   * Flash loan providers used when no `flashloan.liquidity` feature offers the asset.
   * @defaultValue `[]`
   */
  flashLoanProviders: z
    .array(flashProviderSchema)
    .default([])
    .describe('flash loan providers when no flashloan.liquidity feature offers the asset'),
  /**
   * Look for opportunities across chains.
   * @defaultValue true
   */
  crossChain: z.boolean().default(true).describe('look for cross-chain opportunities'),
  /**
   * Bridge routes, used when no `bridge.*` feature gives the fee or delay.
   * @defaultValue `[]`
   */
  bridges: z.array(bridgeSchema).default([]).describe('bridge fee and delay per route when no bridge.* features'),
  /**
   * Bridge fee and delay for routes that neither features nor `bridges` cover.
   * @defaultValue `{ feeBps: 10, delaySeconds: 900 }`
   */
  defaultBridge: z
    .strictObject({ feeBps: z.number().min(0).max(10_000), delaySeconds: z.number().positive() })
    .default({ feeBps: 10, delaySeconds: 900 })
    .describe('bridge fee (bps) and delay (s) for routes nothing else covers'),
  /**
   * Pool price samples kept per pool for volatility.
   * @defaultValue 32
   */
  volatilityWindow: z.number().int().min(2).default(32).describe('price samples kept per pool for volatility'),
  /**
   * Seconds after which the other chain's state counts half as much in confidence.
   * @defaultValue 30
   */
  stateAgeHalfLifeSeconds: z
    .number()
    .positive()
    .default(30)
    .describe('half-life in seconds of confidence in another chain’s state'),
})

/** The options of the `arbitrage` detector as written in a config. */
export type ArbitrageOptionsInput = z.input<typeof arbitrageOptions>

/** The validated options of the `arbitrage` detector. */
export type ArbitrageOptions = z.output<typeof arbitrageOptions>
