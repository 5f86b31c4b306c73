import { z } from '@qenus/core'

const HTTP_URL = /^https?:\/\/[^\s/?#]+/i

/**
 * Options of the `rpc` source, validated from the chain's `source` config entry.
 *
 * @example
 * ```ts
 * chains: { ethereum: { source: { use: '@qenus/source-rpc', providers: ['${ETH_RPC_A}'] } } }
 * ```
 */
export const rpcSourceOptions = z.strictObject({
  /** JSON-RPC provider URLs (http or https). The first one is used; failover comes later. */
  providers: z
    .array(z.string().regex(HTTP_URL, { error: 'expected an http(s):// URL' }))
    .min(1, { error: 'expected at least one provider URL' }),
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
