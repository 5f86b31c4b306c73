import {
  type BlockRef,
  type ChainEvent,
  type ChainInfo,
  type ChainReader,
  ChainToken,
  inject,
  LoggerToken,
  type Metrics,
  MetricsToken,
  OptionsToken,
  type Source,
  type StreamRequest,
} from '@qenus/core'
import {
  BlockStream,
  createRpcReader,
  HeadFeed,
  type HeadFeedSnapshot,
  MulticallBatcher,
  pollInterval,
} from '@qenus/source-rpc'
import { SocketRpc } from '../transport/socket.js'
import { NodeClient } from './client.js'
import { NodeBlockFetcher } from './fetcher.js'
import { NodeHeadSubscription } from './heads.js'
import { NodeHealth, type NodeHealthSnapshot } from './health.js'
import { PendingFeed, type PendingFeedSnapshot, withPending } from './mempool.js'
import type { NodeSourceOptions } from './options.js'

/** The logger methods the source uses; a pino logger fits. */
export interface NodeSourceLogger {
  /** Logs at info level. */
  info(fields: object, message: string): void
  /** Logs at warn level. */
  warn(fields: object, message: string): void
}

/** What {@link NodeSource.health} reports. */
export interface NodeSourceHealth extends NodeHealthSnapshot {
  /** The `newHeads` feed, when heads come from the subscription. */
  heads?: HeadFeedSnapshot | undefined
  /** The mempool feed, when `mempool` is on. */
  mempool?: PendingFeedSnapshot | undefined
  [key: string]: unknown
}

/**
 * The full source over a local node's IPC socket (or ws): whole blocks taken once each (body and
 * receipts in one batch), the extractors' filters applied in process, heads from `newHeads`,
 * state reads batched into Multicall3, and, with `mempool`, pending transactions.
 *
 * @remarks
 * Heads, reorgs, checkpoints and backfill run on source-rpc's `BlockStream`, so switching
 * `use: '@qenus/source-rpc'` to `use: '@qenus/source-node'` leaves the feature stream unchanged.
 *
 * @example
 * ```ts
 * import { KNOWN_CHAINS } from '@qenus/core'
 * import { NodeSource, nodeSourceOptions } from '@qenus/source-node'
 * const source = new NodeSource(nodeSourceOptions.parse({ ipc: '/data/geth.ipc' }), KNOWN_CHAINS.ethereum, logger)
 * for await (const event of source.stream({ chain: KNOWN_CHAINS.ethereum, from: 'head', filters: [], signal })) {}
 * ```
 */
export class NodeSource implements Source {
  #client: NodeClient | undefined
  #batcher: MulticallBatcher | undefined
  #health: NodeHealth | undefined
  #heads: HeadFeed | undefined
  #pending: PendingFeed | undefined

  /**
   * @param options - Validated options ({@link nodeSourceOptions}).
   * @param chain - The lane's chain.
   * @param logger - The component's logger.
   * @param metrics - The pipeline's metrics; the `qenus_node_*` series are registered on its registry.
   */
  constructor(
    @inject(OptionsToken) private readonly options: NodeSourceOptions,
    @inject(ChainToken) private readonly chain: ChainInfo,
    @inject(LoggerToken) private readonly logger: NodeSourceLogger,
    @inject(MetricsToken) private readonly metrics?: Metrics,
  ) {}

  /**
   * Streams blocks (with the logs matching `request.filters`), reverts and, with `mempool`,
   * pending transactions.
   *
   * @param request - Where to start and stop, what to fetch, and the abort signal.
   * @returns Events until `request.to`, or forever; ends promptly once `request.signal` aborts.
   * @throws FatalError on a wrong chain id or a reorg deeper than the chain's finality depth.
   */
  async *stream(request: StreamRequest): AsyncGenerator<ChainEvent> {
    const { chain, options } = this
    const client = this.#connect()
    const warn = (fields: object, message: string) => this.logger.warn({ ...fields, chain: chain.name }, message)
    const tag = request.finality === 'safe' || request.finality === 'finalized' ? request.finality : undefined
    // A tag is learnt by polling: newHeads notifications carry the latest block only.
    const heads = tag || options.heads === 'poll' ? undefined : this.#headFeed(client, warn)
    const fetcher = new NodeBlockFetcher({
      client,
      filters: request.filters,
      receipts: !!request.receipts,
      blocksPerBatch: options.blocksPerBatch,
    })
    const stream = new BlockStream(
      {
        rpc: client,
        fetcher,
        chain,
        pollIntervalMs: pollInterval(options, chain.blockTimeMs),
        maxBlockRange: options.maxBlockRange,
        minBlockRange: 1,
        targetLogs: Number.POSITIVE_INFINITY,
        warn,
        heads,
        tag,
      },
      request,
    )
    this.logger.info({ chain: chain.name, node: client.label, from: String(request.from) }, 'node source starts')
    heads?.start()
    const pending = options.mempool && !request.to ? this.#mempool(client) : undefined
    try {
      yield* pending ? withPending(stream.run(), pending) : stream.run()
    } catch (error) {
      if (request.signal.aborted) return
      throw error
    } finally {
      heads?.stop()
      pending?.stop()
    }
  }

  /**
   * A reader bound to `block`; multicalls issued in the same tick for the same block go out as one
   * Multicall3 `aggregate3` call (source-rpc's batcher, over the node's socket).
   *
   * @param block - The block every read is made at.
   */
  reader(block: BlockRef): ChainReader {
    const client = this.#connect()
    this.#batcher ??= new MulticallBatcher(client, this.chain.multicall3)
    return createRpcReader(client, this.#batcher, block)
  }

  /** The node's head. */
  head(): Promise<bigint> {
    return this.#connect().blockNumber()
  }

  /**
   * For `/health`: `down` while the socket is disconnected (the lane then reports `down` while the
   * runtime keeps retrying), `degraded` while the node syncs or has fewer than `minPeers` peers;
   * the node's sync status, peer count and head age, and the head and mempool feeds.
   */
  health(): NodeSourceHealth {
    const snapshot = this.#health?.snapshot() ?? {
      state: 'ok' as const,
      endpoint: this.#endpoint(),
      connected: false,
      connections: 0,
    }
    return {
      ...snapshot,
      ...(this.#heads ? { heads: this.#heads.snapshot() } : {}),
      ...(this.#pending ? { mempool: this.#pending.snapshot() } : {}),
    }
  }

  /** Closes the socket and stops the health poll. */
  async close(): Promise<void> {
    this.#heads?.stop()
    this.#pending?.stop()
    this.#health?.stop()
    this.#client?.socket.close()
  }

  #endpoint(): string {
    return this.options.ipc ?? `${new URL(this.options.ws!).origin}/`
  }

  /** The node client, connecting on first use (validating a config must not open sockets). */
  #connect(): NodeClient {
    if (this.#client) return this.#client
    const { options, chain } = this
    const socket = new SocketRpc({
      endpoint: (options.ipc ?? options.ws)!,
      timeoutMs: options.requestTimeoutMs,
      onDrop: (reason, delayMs) =>
        this.logger.warn(
          { chain: chain.name, node: socket.label, reason, delayMs },
          'node socket dropped; reconnecting',
        ),
    })
    this.#client = new NodeClient(socket, chain.chainId)
    this.#health = new NodeHealth(socket, {
      intervalMs: options.healthIntervalMs,
      minPeers: options.minPeers,
      metrics: this.metrics && { registry: this.metrics.registry, chainName: chain.name },
    })
    this.#health.start()
    return this.#client
  }

  #headFeed(client: NodeClient, warn: (fields: object, message: string) => void): HeadFeed {
    const health = this.#health
    this.#heads = new HeadFeed({
      rpc: client,
      subscribe: (hooks) => new NodeHeadSubscription(client.socket, hooks, (raw) => health?.sawHead(raw)),
      mode: 'ws',
      pollIntervalMs: pollInterval(this.options, this.chain.blockTimeMs),
      stallMs: this.options.headStallMs ?? 3 * this.chain.blockTimeMs,
      warn,
    })
    return this.#heads
  }

  #mempool(client: NodeClient): PendingFeed {
    this.#pending?.stop()
    this.#pending = new PendingFeed(client.socket, this.chain, this.options.mempoolMaxQueued)
    this.#pending.start()
    return this.#pending
  }
}
