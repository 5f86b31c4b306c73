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
import { BlockStream } from './block-stream.js'
import { HeadFeed, type HeadFeedSnapshot } from './heads.js'
import { pollInterval, type RpcSourceOptions } from './options.js'
import type { ProviderSnapshot } from './provider.js'
import { providerConfigs } from './providers.js'
import { createRpcReader, MulticallBatcher } from './reader.js'
import { type ProviderEvent, RpcClient } from './rpc.js'
import { RpcBlockFetcher } from './rpc-fetcher.js'
import { NewHeadsSubscription } from './subscription.js'

/** The logger methods the source uses; a pino logger fits. */
export interface RpcSourceLogger {
  /** Logs at debug level. */
  debug(fields: object, message: string): void
  /** Logs at info level. */
  info(fields: object, message: string): void
  /** Logs at warn level. */
  warn(fields: object, message: string): void
}

/** What {@link RpcSource.health} reports. */
export interface RpcSourceHealth {
  /** `down` when no provider is healthy, `degraded` when some are not, else `ok`. */
  state: 'ok' | 'degraded' | 'down'
  /** Each provider, by redacted name. */
  providers: ProviderSnapshot[]
  /** The ws head feed, when heads come from a subscription. */
  heads?: HeadFeedSnapshot | undefined
  [key: string]: unknown
}

/**
 * The beta JSON-RPC source: catches up with one `eth_getLogs` per block range for every filter,
 * then follows the head by polling, reverting to the common ancestor on a reorg.
 *
 * @remarks
 * Requests go to the best healthy provider of {@link RpcClient}'s pool and fail over to the
 * others; provider URLs only appear redacted in logs, errors and `health()`.
 *
 * @example
 * ```ts
 * import { KNOWN_CHAINS } from '@qenus/core'
 * import { RpcSource, rpcSourceOptions } from '@qenus/source-rpc'
 * const source = new RpcSource(rpcSourceOptions.parse({ providers: ['http://127.0.0.1:8545'] }),
 *   KNOWN_CHAINS.devnet, logger)
 * for await (const event of source.stream({ chain: KNOWN_CHAINS.devnet, from: 0n, filters: [], signal })) {}
 * ```
 */
export class RpcSource implements Source {
  readonly #rpc: RpcClient
  readonly #batcher: MulticallBatcher
  #heads: HeadFeed | undefined

  /**
   * @param options - Validated options ({@link rpcSourceOptions}).
   * @param chain - The lane's chain.
   * @param logger - The component's logger.
   * @param metrics - The pipeline's metrics; per-provider series are registered on its registry.
   */
  constructor(
    @inject(OptionsToken) private readonly options: RpcSourceOptions,
    @inject(ChainToken) private readonly chain: ChainInfo,
    @inject(LoggerToken) private readonly logger: RpcSourceLogger,
    @inject(MetricsToken) metrics?: Metrics,
  ) {
    this.#rpc = new RpcClient(providerConfigs(options), {
      chainId: chain.chainId,
      maxHeadLagBlocks: options.maxHeadLagBlocks ?? Math.max(3, Math.ceil(6000 / chain.blockTimeMs)),
      headStallMs: options.headStallMs ?? 3 * chain.blockTimeMs,
      waitForProviderMs: options.requestTimeoutMs,
      onEvent: (event) => this.#onProviderEvent(event),
      metrics: metrics && { registry: metrics.registry, chainName: chain.name },
    })
    this.#batcher = new MulticallBatcher(this.#rpc, chain.multicall3)
  }

  /**
   * Streams blocks (with the logs matching `request.filters`) and reverts, in canonical order.
   *
   * @param request - Where to start and stop, what to fetch, and the abort signal.
   * @returns Events until `request.to`, or forever; ends promptly once `request.signal` aborts.
   * @throws FatalError on a wrong chain id or a reorg deeper than the chain's finality depth.
   */
  async *stream(request: StreamRequest): AsyncGenerator<ChainEvent> {
    const { chain, options } = this
    const warn = (fields: object, message: string) => this.logger.warn({ ...fields, chain: chain.name }, message)
    const tag = request.finality === 'safe' || request.finality === 'finalized' ? request.finality : undefined
    // A tag is learnt by polling: newHeads notifications carry the latest block only.
    const heads = tag ? undefined : this.#headFeed(warn)
    const stream = new BlockStream(
      {
        rpc: this.#rpc,
        fetcher: new RpcBlockFetcher({ rpc: this.#rpc, filters: request.filters, receipts: !!request.receipts, warn }),
        chain,
        pollIntervalMs: pollInterval(options, chain.blockTimeMs),
        maxBlockRange: options.maxBlockRange,
        minBlockRange: Math.min(options.minBlockRange, options.maxBlockRange),
        targetLogs: options.targetLogsPerRequest,
        warn,
        heads,
        tag,
      },
      request,
    )
    this.logger.info({ chain: chain.name, provider: this.#rpc.label, from: String(request.from) }, 'rpc source starts')
    heads?.start()
    try {
      yield* stream.run()
    } catch (error) {
      if (request.signal.aborted) return
      throw error
    } finally {
      heads?.stop()
    }
  }

  /** The ws head feed the options ask for, or `undefined` to poll. */
  #headFeed(warn: (fields: object, message: string) => void): HeadFeed | undefined {
    const endpoints = this.#rpc.wsEndpoints
    const mode = this.options.heads === 'auto' ? (endpoints.length ? 'ws' : 'poll') : this.options.heads
    if (mode === 'poll') return undefined
    this.#heads = new HeadFeed({
      rpc: this.#rpc,
      subscribe: (hooks) => new NewHeadsSubscription(endpoints, hooks),
      mode,
      pollIntervalMs: pollInterval(this.options, this.chain.blockTimeMs),
      stallMs: this.options.headStallMs ?? 3 * this.chain.blockTimeMs,
      warn,
    })
    return this.#heads
  }

  /**
   * A reader bound to `block`. Multicalls issued in the same tick for the same block are sent
   * as one Multicall3 `aggregate3` call.
   *
   * @param block - The block every read is made at.
   */
  reader(block: BlockRef): ChainReader {
    return createRpcReader(this.#rpc, this.#batcher, block)
  }

  /** The best healthy provider's current head. */
  head(): Promise<bigint> {
    return this.#rpc.blockNumber()
  }

  /**
   * For `/health`: `state` is `down` when no provider is healthy (the lane then reports `down`
   * while the runtime keeps retrying), `degraded` when some are not, else `ok`; then each
   * provider's state (healthy, benched, probing), head, latency, requests and errors by class.
   */
  health(): RpcSourceHealth {
    const providers = this.#rpc.snapshot()
    const healthy = providers.filter((p) => p.state === 'healthy').length
    const state = healthy === 0 ? 'down' : healthy < providers.length ? 'degraded' : 'ok'
    return { state, providers, ...(this.#heads ? { heads: this.#heads.snapshot() } : {}) }
  }

  /** Stops reporting the providers' breaker states. */
  async close(): Promise<void> {
    this.#heads?.stop()
    await this.#rpc.close()
  }

  #onProviderEvent(event: ProviderEvent): void {
    const fields = { chain: this.chain.name, provider: event.provider, reason: event.reason }
    if (event.type === 'benched') this.logger.warn(fields, 'provider benched')
    else this.logger.info(fields, 'provider restored')
  }
}
