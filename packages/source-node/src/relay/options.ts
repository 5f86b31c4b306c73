import { z } from '@qenus/core'

const relay = z.union([
  z.url({ protocol: /^https?$/, error: 'expected an http(s) relay URL' }),
  z.strictObject({
    name: z.string().min(1).describe('name used in features'),
    url: z.url({ protocol: /^https?$/, error: 'expected an http(s) relay URL' }).describe('relay base URL'),
  }),
])

/**
 * Options of the `mev-boost` extractor.
 *
 * @example
 * ```ts
 * // qenus.config.ts
 * extractors: [{
 *   use: '@qenus/source-node', component: 'mev-boost',
 *   relays: ['https://boost-relay.flashbots.net', { name: 'ultrasound', url: 'https://relay.ultrasound.money' }],
 * }]
 * ```
 */
export const mevBoostOptions = z.strictObject({
  /** Relays to poll: a base URL (named after its host) or `{ name, url }`. */
  relays: z.array(relay).nonempty('expected at least one relay').describe('relay base URLs or { name, url }'),
  /**
   * Beacon chain genesis time, Unix seconds, to map a block to its slot.
   * @defaultValue the chain's own for Ethereum mainnet (1606824023), Sepolia, Holesky and Hoodi
   */
  genesisTime: z.number().int().nonnegative().optional().describe('beacon genesis time, Unix seconds'),
  /**
   * Seconds per slot.
   * @defaultValue 12
   */
  secondsPerSlot: z.number().int().positive().default(12).describe('seconds per slot, default 12'),
  /**
   * Emit every bid the relays received (`mev.bid` without `delivered`), not only the delivered one.
   * @defaultValue true
   */
  bids: z.boolean().default(true).describe('emit every received bid, default true'),
  /**
   * Time budget per relay and block, retries included, in ms.
   * @defaultValue 2000
   */
  timeoutMs: z.number().int().positive().default(2_000).describe('time budget per relay and block, ms, default 2000'),
  /**
   * Retries after a 429, a 5xx or a network error, within the time budget.
   * @defaultValue 1
   */
  retries: z.number().int().nonnegative().default(1).describe('retries within the budget, default 1'),
  /**
   * Requests per second per relay.
   * @defaultValue 4
   */
  ratePerSecond: z.number().positive().default(4).describe('requests per second per relay, default 4'),
  /**
   * Consecutive failures that open a relay's circuit breaker.
   * @defaultValue 3
   */
  failureThreshold: z.number().int().positive().default(3).describe('failures that open the breaker, default 3'),
  /**
   * How long an open breaker waits before a trial call, ms.
   * @defaultValue 30000
   */
  resetTimeoutMs: z.number().int().positive().default(30_000).describe('breaker reset time, ms, default 30000'),
})

/** The options of the `mev-boost` extractor as written in a config. */
export type MevBoostOptionsInput = z.input<typeof mevBoostOptions>

/** The validated options of the `mev-boost` extractor. */
export type MevBoostOptions = z.output<typeof mevBoostOptions>
