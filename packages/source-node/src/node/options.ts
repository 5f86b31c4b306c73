import { z } from '@qenus/core'

const WS_URL = /^wss?:\/\/[^\s/?#]+/i

/**
 * Options of the `node` source, validated from the chain's `source` config entry: exactly one of
 * `ipc` (the default transport) or `ws`.
 *
 * @example
 * ```ts
 * chains: { ethereum: { source: { use: '@qenus/source-node', ipc: '/data/geth/geth.ipc' } } }
 * ```
 */
export const nodeSourceOptions = z
  .strictObject({
    /** Path of the node's IPC socket (geth.ipc, reth.ipc…): the fastest way in. */
    ipc: z.string().min(1, { error: 'expected a socket path' }).optional().describe("path of the node's IPC socket"),
    /** The node's ws(s):// JSON-RPC URL, when it is not on this machine. */
    ws: z
      .string()
      .regex(WS_URL, { error: 'expected a ws(s):// URL' })
      .optional()
      .describe("the node's ws(s):// URL, instead of ipc"),
    /**
     * How new heads are learnt: `subscribe` (`eth_subscribe newHeads`, with polling only to check a
     * silent subscription) or `poll` (`eth_getBlockByNumber('latest')`).
     * @default 'subscribe'
     */
    heads: z
      .literal(['subscribe', 'poll'])
      .default('subscribe')
      .describe("how new heads are learnt: 'subscribe' (newHeads) or 'poll'"),
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
     * Blocks fetched at once while catching up (whole blocks, in batches of `blocksPerBatch`).
     * @default 100
     */
    maxBlockRange: z.number().int().positive().default(100).describe('blocks fetched at once while catching up'),
    /**
     * Blocks per JSON-RPC batch (each is its body and its receipts).
     * @default 10
     */
    blocksPerBatch: z.number().int().positive().default(10).describe('blocks per JSON-RPC batch'),
    /**
     * Timeout of one request or batch, including a wait for the connection, ms.
     * @default 30000
     */
    requestTimeoutMs: z.number().int().positive().default(30_000).describe('timeout of one request or batch, ms'),
    /**
     * A `newHeads` subscription silent this long while polling sees a newer head is renewed, ms.
     * @default 3 * chain.blockTimeMs
     */
    headStallMs: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('a silent newHeads subscription is renewed after this long, ms; default 3 × blockTimeMs'),
    /**
     * Stream pending transactions (`eth_subscribe ['newPendingTransactions', true]`) as `pending` events.
     * @default false
     */
    mempool: z.boolean().default(false).describe('stream pending transactions as pending events'),
    /**
     * Pending events kept while the pipeline is busy before the oldest are dropped.
     * @default 10000
     */
    mempoolMaxQueued: z
      .number()
      .int()
      .positive()
      .default(10_000)
      .describe('pending events queued before the oldest are dropped'),
    /**
     * How often `eth_syncing`, `net_peerCount` and the latest head are asked for `/health`, ms.
     * @default 5000
     */
    healthIntervalMs: z.number().int().positive().default(5_000).describe('node health poll interval, ms'),
    /**
     * Fewer peers than this reports the node `degraded` (nodes that do not answer `net_peerCount` are not judged).
     * @default 1
     */
    minPeers: z.number().int().nonnegative().default(1).describe('fewer peers than this reports the node degraded'),
  })
  .superRefine((options, ctx) => {
    if ((options.ipc === undefined) === (options.ws === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['ipc'],
        message: 'set exactly one of "ipc" (a socket path) or "ws" (a URL)',
      })
    }
  })

/** The `node` source options as written in a config (defaults optional). */
export type NodeSourceOptionsInput = z.input<typeof nodeSourceOptions>

/** The `node` source options after validation (defaults applied). */
export type NodeSourceOptions = z.output<typeof nodeSourceOptions>
