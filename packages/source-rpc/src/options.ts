import { z } from '@qenus/core'

const PROVIDER_URL = /^(https?|wss?):\/\/[^\s/?#]+/i

const providerUrl = z.string().regex(PROVIDER_URL, { error: 'expected an http(s):// or ws(s):// URL' })

/** One provider with its own limits; a bare URL string takes every default. */
export const providerOptions = z.strictObject({
  /** The http(s) or ws(s) JSON-RPC URL; a ws(s) provider also serves `newHeads` subscriptions. */
  url: providerUrl.describe('http(s) or ws(s) JSON-RPC URL; a ws(s) provider also serves newHeads'),
  /** Requests per second this provider allows; unlimited when omitted. */
  requestsPerSecond: z.number().positive().optional().describe('requests per second allowed; unlimited when omitted'),
  /**
   * Requests in flight at once.
   * @default 16
   */
  maxConcurrency: z.number().int().positive().default(16).describe('requests in flight at once'),
  /**
   * Preference among healthy providers of similar speed; higher is preferred.
   * @default 1
   */
  weight: z.number().positive().default(1).describe('preference among healthy providers of similar speed'),
  /**
   * Free-form labels shown in `/health` (e.g. `paid`, `archive`).
   * @default []
   */
  tags: z.array(z.string()).default([]).describe('free-form labels shown in /health'),
})

/**
 * Options of the `rpc` source, validated from the chain's `source` config entry.
 *
 * @example
 * ```ts
 * chains: { ethereum: { source: { use: '@qenus/source-rpc', providers: ['${ETH_RPC_A}'] } } }
 * ```
 */
export const rpcSourceOptions = z
  .strictObject({
    /**
     * JSON-RPC providers: http(s) URLs, or objects with a URL and its own rate limit, concurrency,
     * weight and tags. Requests go to the best healthy provider and fail over to the others.
     */
    providers: z
      .array(z.union([providerUrl, providerOptions]))
      .min(1, { error: 'expected at least one provider URL' })
      .describe(
        'providers: URLs, or { url, requestsPerSecond?, maxConcurrency = 16, weight = 1, tags = [] }; requests go to the best healthy one',
      ),
    /**
     * How new heads are learnt: `ws` (an `eth_subscribe newHeads` subscription on a ws provider,
     * polling only to check a silent subscription), `poll` (`eth_blockNumber`), or `both` at once
     * (whichever is first wins, duplicates are dropped). `auto` is `ws` when a ws provider exists.
     * @default 'auto'
     */
    heads: z
      .literal(['auto', 'ws', 'poll', 'both'])
      .default('auto')
      .describe("how new heads are learnt; 'auto' is 'ws' when a ws provider exists, else 'poll'"),
    /**
     * How often to poll the head, in milliseconds.
     * @default min(chain.blockTimeMs / 2, 1000)
     */
    pollIntervalMs: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('head poll interval, ms; default min(blockTimeMs / 2, 1000)'),
    /**
     * Largest block range of one `eth_getLogs` while catching up.
     * @default 1000
     */
    maxBlockRange: z.number().int().positive().default(1000).describe('largest eth_getLogs range while catching up'),
    /**
     * Timeout of one HTTP request, in milliseconds.
     * @default 10000
     */
    requestTimeoutMs: z.number().int().positive().default(10_000).describe('timeout of one request, ms'),
    /**
     * Send requests issued together as one JSON-RPC batch.
     * @default true
     */
    batch: z.boolean().default(true).describe('send requests issued together as one JSON-RPC batch'),
    /**
     * How many blocks a provider's head may trail the best head of the others before it is benched.
     * @default max(3, ceil(6000 / chain.blockTimeMs))
     */
    maxHeadLagBlocks: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe(
        'blocks a head may trail the others before its provider is benched; default max(3, ceil(6000 / blockTimeMs))',
      ),
    /**
     * How long a provider's head may stand still before another provider is asked as well, ms.
     * @default 3 * chain.blockTimeMs
     */
    headStallMs: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('a head standing still this long makes the source ask another provider, ms; default 3 × blockTimeMs'),
    /**
     * Consecutive failures that bench a provider (bad data, a wrong chain id or a lagging head bench it at once).
     * @default 3
     */
    breakerFailures: z.number().int().positive().default(3).describe('consecutive failures that bench a provider'),
    /**
     * How long a benched provider rests before a half-open probe (chain id and head) may restore it, ms.
     * @default 30000
     */
    breakerResetMs: z
      .number()
      .int()
      .positive()
      .default(30_000)
      .describe('rest before a half-open probe may restore a benched provider, ms'),
    /**
     * Fewest blocks per `eth_getLogs` while the range adapts to provider limits.
     * @default 1
     */
    minBlockRange: z
      .number()
      .int()
      .positive()
      .default(1)
      .describe('smallest eth_getLogs range the adaptive range shrinks to'),
    /**
     * Logs per `eth_getLogs` answer the adaptive range aims at: ranges grow while answers stay under half of it.
     * @default 10000
     */
    targetLogsPerRequest: z
      .number()
      .int()
      .positive()
      .default(10_000)
      .describe('logs per eth_getLogs answer the adaptive range aims at'),
  })
  .superRefine((options, ctx) => {
    const ws = options.providers.some((p) => /^wss?:/i.test(typeof p === 'string' ? p : p.url))
    if (!ws && (options.heads === 'ws' || options.heads === 'both')) {
      ctx.addIssue({ code: 'custom', path: ['heads'], message: `heads: '${options.heads}' needs a ws(s):// provider` })
    }
  })

/** The `rpc` source options as written in a config (defaults optional). */
export type RpcSourceOptionsInput = z.input<typeof rpcSourceOptions>

/** The `rpc` source options after validation (defaults applied). */
export type RpcSourceOptions = z.output<typeof rpcSourceOptions>

/**
 * The head poll interval for a chain: half its block time, at most one second.
 *
 * @param options - Validated options.
 * @param blockTimeMs - The chain's target block time.
 * @returns The poll interval in milliseconds.
 */
export function pollInterval(options: Pick<RpcSourceOptions, 'pollIntervalMs'>, blockTimeMs: number): number {
  return options.pollIntervalMs ?? Math.max(1, Math.min(Math.floor(blockTimeMs / 2), 1000))
}
