import { Server, status } from '@grpc/grpc-js'
import { ReflectionService } from '@grpc/reflection'
import {
  type ChainInfo,
  type ChainRegistry,
  ChainRegistryToken,
  type FeatureBatch,
  type FeatureStore,
  FeatureStoreToken,
  inject,
  type Logger,
  LoggerToken,
  type Metrics,
  MetricsToken,
  OptionsToken,
  QenusError,
  type Retraction,
  type Sink,
  type SinkStartContext,
} from '@qenus/core'
import { HealthImplementation } from 'grpc-health-check'
import { Feed } from './feed.js'
import { type GrpcMetrics, grpcMetrics } from './metrics.js'
import type { GrpcSinkOptions } from './options.js'
import { dataplaneSchema, SERVICE_NAME } from './proto.js'
import { withFileDependencies } from './reflection.js'
import { guardInterceptor, serverCredentials } from './security.js'
import { dataplaneService } from './service.js'

/** How long `close` lets calls finish before cutting connections. */
const SHUTDOWN_GRACE_MS = 2_000

/**
 * Serves `qenus.v1.Dataplane` over gRPC: block-consistent snapshots from the pipeline's
 * FeatureStore, and live feature streams fed by this sink's `write` and `revert`, plus the
 * standard health and reflection services.
 *
 * @remarks
 * `write` never waits for a client: it appends the block to a shared feed that every stream
 * reads at its own pace. A stream that falls more than `maxBufferedMessages` behind ends with
 * RESOURCE_EXHAUSTED (trailing metadata `qenus-last-block`) and can resume with `from_blocks`
 * from the retained window. Snapshots read the store the runtime applies every block to, so they
 * see every feature, whatever this sink's `select`. Mempool features (`writePending`) reach only the
 * streams whose kinds name them, live, and are never replayed, snapshotted or retracted.
 *
 * @example
 * ```ts
 * import { InMemoryFeatureStore, createLogger, Metrics, ChainRegistry } from '@qenus/core'
 * import { GrpcSink, grpcSinkOptions } from '@qenus/sink-grpc'
 * const store = new InMemoryFeatureStore()
 * const sink = new GrpcSink(grpcSinkOptions.parse({ port: 0 }), store, createLogger(), new Metrics(), new ChainRegistry())
 * await sink.start()
 * store.apply(batch)
 * await sink.write(batch)
 * ```
 */
export class GrpcSink implements Sink {
  readonly #options: GrpcSinkOptions
  readonly #store: FeatureStore
  readonly #logger: Logger
  readonly #registry: ChainRegistry
  readonly #metrics: GrpcMetrics
  readonly #feed: Feed
  readonly #chains = new Map<string, ChainInfo>()
  readonly #health = new HealthImplementation({ '': 'NOT_SERVING', [SERVICE_NAME]: 'NOT_SERVING' })
  #server: Server | undefined
  #failStreams: ((code: status, details: string) => void) | undefined
  #port = 0

  /**
   * @param options - Validated options (`grpcSinkOptions.parse(...)`).
   * @param store - The pipeline's FeatureStore, which snapshots read.
   * @param logger - Where the sink logs.
   * @param metrics - The pipeline's metrics registry; the sink adds `qenus_grpc_*` metrics to it.
   * @param registry - Resolves chain names of requests.
   */
  constructor(
    @inject(OptionsToken) options: GrpcSinkOptions,
    @inject(FeatureStoreToken) store: FeatureStore,
    @inject(LoggerToken) logger: Logger,
    @inject(MetricsToken) metrics: Metrics,
    @inject(ChainRegistryToken) registry: ChainRegistry,
  ) {
    this.#options = options
    this.#store = store
    this.#logger = logger
    this.#registry = registry
    this.#metrics = grpcMetrics(metrics.registry)
    this.#feed = new Feed(options.retainBlocks, options.maxBufferedMessages)
  }

  /** The port the server listens on (the chosen one when `port` is 0); 0 before `start`. */
  get port(): number {
    return this.#port
  }

  /** `host:port` to dial, once started. */
  get target(): string {
    const host = this.#options.host.includes(':') ? `[${this.#options.host}]` : this.#options.host
    return `${host}:${this.#port}`
  }

  /**
   * Binds the server and marks it SERVING.
   *
   * @param context - The pipeline's chains; requests may name them before their first block.
   * @throws A `SINK_GRPC_BIND_FAILED` error when the address cannot be bound, and a
   *   `SINK_GRPC_TLS_INVALID` one when a TLS file cannot be read.
   */
  async start(context?: SinkStartContext): Promise<void> {
    for (const name of context?.chains ?? []) {
      const chain = this.#registry.get(name)
      if (chain) this.#chains.set(name, chain)
    }
    const credentials = serverCredentials(this.#options.tls)
    const server = this.#createServer()
    const { host, port } = this.#options
    this.#port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`${host.includes(':') ? `[${host}]` : host}:${port}`, credentials, (error, bound) =>
        error
          ? reject(
              new QenusError(`grpc sink: cannot listen on ${host}:${port}`, {
                code: 'SINK_GRPC_BIND_FAILED',
                details: error.message,
                cause: error,
              }),
            )
          : resolve(bound),
      )
    })
    this.#server = server
    this.#health.setStatus('', 'SERVING')
    this.#health.setStatus(SERVICE_NAME, 'SERVING')
    const secured = { tls: this.#options.tls !== undefined, mtls: this.#options.tls?.ca !== undefined }
    this.#logger.info({ target: this.target, ...secured, token: this.#options.token !== undefined }, 'serving gRPC')
    if (!isLoopback(host) && !secured.tls) {
      this.#logger.warn({ host }, 'grpc sink listens beyond loopback without TLS')
    }
  }

  /** Appends the block to the stream feed; never waits for clients. */
  async write(batch: FeatureBatch): Promise<void> {
    this.#chains.set(batch.chain.name, batch.chain)
    this.#feed.append(batch)
  }

  /**
   * Feeds mempool features live to the streams that take them, after the head block's features and
   * before the next block's; never waits for clients. They are not kept for replay, never in a
   * snapshot (the store holds blocks only) and never retracted.
   */
  async writePending(batch: FeatureBatch): Promise<void> {
    this.#chains.set(batch.chain.name, batch.chain)
    const outcome = this.#feed.appendPending(batch) ? 'fed' : 'unwanted'
    this.#metrics.pending.inc({ outcome }, batch.features.length)
  }

  /** Withdraws the blocks from the replay window and sends a retraction to the streams that had them. */
  async revert(retraction: Retraction): Promise<void> {
    this.#feed.revert(retraction)
  }

  /** Nothing to make durable: the feed is live. */
  async flush(): Promise<void> {}

  /** Marks the server NOT_SERVING, ends every stream with UNAVAILABLE and shuts the server down. */
  async close(): Promise<void> {
    const server = this.#server
    if (!server) return
    this.#server = undefined
    this.#health.setStatus('', 'NOT_SERVING')
    this.#health.setStatus(SERVICE_NAME, 'NOT_SERVING')
    this.#failStreams?.(status.UNAVAILABLE, 'the server is shutting down')
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        server.forceShutdown()
        resolve()
      }, SHUTDOWN_GRACE_MS)
      server.tryShutdown(() => {
        clearTimeout(timer)
        resolve()
      })
    })
  }

  #createServer(): Server {
    const options = this.#options
    const server = new Server({
      'grpc.max_receive_message_length': options.maxRequestBytes,
      'grpc.max_send_message_length': options.maxResponseBytes,
      interceptors: [
        guardInterceptor({
          token: options.token,
          callsPerSecond: options.callsPerSecondPerClient,
          onRefuse: (reason) => this.#metrics.refused.inc({ reason }),
        }),
      ],
    })
    const { handlers, failStreams } = dataplaneService({
      store: this.#store,
      feed: this.#feed,
      chain: (name) => this.#chains.get(name) ?? this.#registry.get(name),
      chains: () => [...this.#chains.values()],
      limits: { maxStreams: options.maxStreams, maxStreamsPerClient: options.maxStreamsPerClient },
      onStream: (delta, evicted) => {
        this.#metrics.streams.inc(delta)
        if (evicted) this.#metrics.evicted.inc()
      },
    })
    this.#failStreams = failStreams
    const schema = dataplaneSchema()
    server.addService(schema.service, handlers)
    this.#health.addToServer(server)
    new ReflectionService(withFileDependencies(schema.reflectionDefinition)).addToServer(server)
    return server
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.')
}
