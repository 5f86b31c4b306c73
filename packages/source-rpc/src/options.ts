import { z } from '@qenus/core'

const HTTP_URL = /^https?:\/\/[^\s/?#]+/i

const providerUrl = z.string().regex(HTTP_URL, { error: 'expected an http(s):// URL' })

/** One provider with its own limits; a bare URL string takes every default. */
export const providerOptions = z.strictObject({
  /** The http(s) JSON-RPC URL. */
  url: providerUrl,
  /** Requests per second this provider allows; unlimited when omitted. */
  requestsPerSecond: z.number().positive().optional(),
  /**
   * Requests in flight at once.
   * @default 16
   */
  maxConcurrency: z.number().int().positive().default(16),
  /**
   * Preference among healthy providers of similar speed; higher is preferred.
   * @default 1
   */
  weight: z.number().positive().default(1),
  /**
   * Free-form labels shown in `/health` (e.g. `paid`, `archive`).
   * @default []
   */
  tags: z.array(z.string()).default([]),
})

/**
 * Options of the `rpc` source, validated from the chain's `source` config entry.
 *
 * @example
 * ```ts
 * chains: { ethereum: { source: { use: '@qenus/source-rpc', providers: ['${ETH_RPC_A}'] } } }
 * ```
 */
export const rpcSourceOptions = z.strictObject({
  /**
   * JSON-RPC providers: http(s) URLs, or objects with a URL and its own rate limit, concurrency,
   * weight and tags. Requests go to the best healthy provider and fail over to the others.
   */
  providers: z.array(z.union([providerUrl, providerOptions])).min(1, { error: 'expected at least one provider URL' }),
  /**
   * How often to poll the head, in milliseconds.
   * @default min(chain.blockTimeMs / 2, 1000)
   */
  pollIntervalMs: z.number().int().positive().optional(),
  /**
   * Largest block range of one `eth_getLogs` while catching up.
   * @default 1000
   */
  maxBlockRange: z.number().int().positive().default(1000),
  /**
   * Timeout of one HTTP request, in milliseconds.
   * @default 10000
   */
  requestTimeoutMs: z.number().int().positive().default(10_000),
  /**
   * Send requests issued together as one JSON-RPC batch.
   * @default true
   */
  batch: z.boolean().default(true),
  /**
   * How many blocks a provider's head may trail the best head of the others before it is benched.
   * @default max(3, ceil(6000 / chain.blockTimeMs))
   */
  maxHeadLagBlocks: z.number().int().nonnegative().optional(),
  /**
   * How long a provider's head may stand still before another provider is asked as well, ms.
   * @default 3 * chain.blockTimeMs
   */
  headStallMs: z.number().int().positive().optional(),
  /**
   * Consecutive failures that bench a provider (bad data, a wrong chain id or a lagging head bench it at once).
   * @default 3
   */
  breakerFailures: z.number().int().positive().default(3),
  /**
   * How long a benched provider rests before a half-open probe (chain id and head) may restore it, ms.
   * @default 30000
   */
  breakerResetMs: z.number().int().positive().default(30_000),
  /**
   * Fewest blocks per `eth_getLogs` while the range adapts to provider limits.
   * @default 1
   */
  minBlockRange: z.number().int().positive().default(1),
  /**
   * Logs per `eth_getLogs` answer the adaptive range aims at: ranges grow while answers stay under half of it.
   * @default 10000
   */
  targetLogsPerRequest: z.number().int().positive().default(10_000),
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
