import type { ResolvedConfig } from '../config/types.js'
import type { Detector } from '../contracts/detector.js'
import type { Sink } from '../contracts/sink.js'
import {
  ChainRegistryToken,
  CheckpointStoreToken,
  ClockToken,
  FeatureStoreToken,
  LoggerToken,
  MetricsToken,
} from '../di/tokens.js'
import { FatalError } from '../errors.js'
import type { HealthReport } from '../observability/health.js'
import { createLogger, type Logger } from '../observability/logger.js'
import { Metrics } from '../observability/metrics.js'
import { type ObservabilityServer, startServer } from '../observability/server.js'
import { ChainRegistry, KNOWN_CHAINS } from '../schema/chains.js'
import { InMemoryFeatureStore } from '../state/store.js'
import type { FeatureStore } from '../state/types.js'
import { type Clock, systemClock } from '../util/clock.js'
import type { RetryOptions } from '../util/retry.js'
import { type Checkpoint, type CheckpointStore, FileCheckpointStore } from './checkpoint.js'
import { Scope } from './container.js'
import { invoke } from './invoke.js'
import type { Lane } from './lane.js'
import { LaneStatus } from './lane-status.js'
import type { DetectorSlot, SinkSlot } from './lane-types.js'
import { buildLane, type PipelineParts } from './pipeline-parts.js'
import { compileSelector } from './select.js'

/** What a {@link Pipeline} takes besides its config. Every field replaces a default. */
export interface PipelineOptions {
  /** The root logger. @default createLogger({ level: config.log.level, name: config.name }) */
  logger?: Logger | undefined
  /** The metrics registry. @default new Metrics({ pipeline: config.name }) */
  metrics?: Metrics | undefined
  /** Where checkpoints live. @default new FileCheckpointStore(config.checkpoint.dir) */
  checkpointStore?: CheckpointStore | undefined
  /** The kept state detectors and snapshots read. @default an InMemoryFeatureStore retaining at least every chain's finality depth */
  featureStore?: FeatureStore | undefined
  /** Time source. @default systemClock */
  clock?: Clock | undefined
  /** The first block when a lane has no checkpoint yet. @default 'head' */
  from?: bigint | 'head' | undefined
  /** The last block; each lane finishes after it. `'head'`: the head when the lane starts. @default follow forever */
  to?: bigint | 'head' | undefined
  /** Backoff for `RetryableError`s of components. @default { retries: Infinity, minDelayMs: 250, maxDelayMs: 30000 } */
  retry?: RetryOptions | undefined
}

/**
 * A running dataplane: one lane per chain (source → extractors → detectors → FeatureStore →
 * bounded queue → sinks → checkpoint), the `/health` and `/metrics` server, and graceful stop.
 *
 * @remarks
 * Lanes are independent: a fatal error stops its own lane (state `down`) while the others go
 * on; `done` rejects with that error once every lane has settled (an `AggregateError` when
 * several failed). Retryable component errors are retried with backoff and never stop a lane.
 *
 * @example
 * ```ts
 * import { installSignalHandlers, loadConfig, Pipeline } from '@qenus/core'
 * const pipeline = new Pipeline(await loadConfig())
 * installSignalHandlers(pipeline, pipeline.logger)
 * await pipeline.start()
 * await pipeline.done
 * ```
 */
export class Pipeline {
  /** The config the pipeline was built from. */
  readonly config: ResolvedConfig
  /** The root logger. */
  readonly logger: Logger
  /** The pipeline's metrics. */
  readonly metrics: Metrics
  /** Resolves when every lane finished (its `to` reached) or after `stop()`; rejects on a fatal lane error. */
  readonly done: Promise<void>
  readonly #options: PipelineOptions
  readonly #parts: PipelineParts
  readonly #abort = new AbortController()
  readonly #statuses = new Map<string, LaneStatus>()
  #settle!: { resolve: () => void; reject: (error: unknown) => void }
  #server: ObservabilityServer | undefined
  #sinks: SinkSlot[] = []
  #detectors: DetectorSlot[] = []
  #started = false

  /**
   * @param config - A config from `loadConfig`.
   * @param options - Replacements for the default logger, metrics, stores and clock, and the block range.
   */
  constructor(config: ResolvedConfig, options: PipelineOptions = {}) {
    this.config = config
    this.#options = options
    this.logger = options.logger ?? createLogger({ level: config.log.level, name: config.name })
    this.metrics = options.metrics ?? new Metrics({ pipeline: config.name })
    const clock = options.clock ?? systemClock
    const checkpoints = options.checkpointStore ?? new FileCheckpointStore(config.checkpoint.dir)
    // A reorg within finality must still find its blocks in the store.
    const retainBlocks = Math.max(128, ...config.chains.map((chain) => chain.info.finalityDepth))
    const store = options.featureStore ?? new InMemoryFeatureStore({ retainBlocks })
    const registry = new ChainRegistry([...Object.values(KNOWN_CHAINS), ...config.chains.map((chain) => chain.info)])
    const scope = Scope.root([
      [LoggerToken, this.logger],
      [MetricsToken, this.metrics],
      [ClockToken, clock],
      [ChainRegistryToken, registry],
      [CheckpointStoreToken, checkpoints],
      [FeatureStoreToken, store],
    ])
    const retry = { retries: Number.POSITIVE_INFINITY, minDelayMs: 250, maxDelayMs: 30_000, ...options.retry }
    this.#parts = { config, scope, logger: this.logger, metrics: this.metrics, clock, checkpoints, store, retry }
    for (const chain of config.chains) {
      this.#statuses.set(chain.info.name, new LaneStatus(chain.info, this.metrics, clock))
    }
    this.done = new Promise<void>((resolve, reject) => {
      this.#settle = { resolve, reject }
    })
    // `done` is often awaited only after stop(); a failure must not crash the process before that.
    this.done.catch(() => undefined)
  }

  /** The base URL of the `/health` and `/metrics` server, once started (undefined when disabled). */
  get url(): string | undefined {
    return this.#server?.url
  }

  /**
   * Creates every component, starts the sinks and the server, and launches the lanes.
   *
   * @throws When a component cannot be created or a sink cannot start; `done` then rejects too.
   */
  async start(): Promise<void> {
    if (this.#started) throw new Error('Pipeline.start() was already called')
    this.#started = true
    let lanes: Lane[]
    try {
      const checkpoints = await this.#loadCheckpoints()
      lanes = this.#createLanes(checkpoints)
      await this.#startSinks(checkpoints)
      const { host, port } = this.config.server
      if (port !== false) {
        this.#server = await startServer({ host, port, metrics: this.metrics, health: () => this.health() })
        this.logger.info({ url: this.#server.url }, 'serving /health and /metrics')
      }
    } catch (error) {
      await this.#shutdown()
      this.#settle.reject(error)
      throw error
    }
    this.logger.info({ chains: this.config.chains.map((chain) => chain.info.name) }, 'pipeline started')
    void Promise.allSettled(lanes.map((lane) => lane.run())).then((results) => this.#finish(results))
  }

  /**
   * Stops gracefully: aborts the sources, drains what was already extracted through the sinks,
   * flushes them, commits the final checkpoints, closes every component and the server.
   *
   * @returns When everything is closed; never rejects (watch `done` for lane failures).
   */
  async stop(): Promise<void> {
    this.#abort.abort(new Error('pipeline stopped'))
    if (!this.#started) {
      this.#started = true
      this.#settle.resolve()
    }
    await this.done.catch(() => undefined)
  }

  /** The health of every lane, as `GET /health` serves it. */
  health(): HealthReport {
    const chains = Object.fromEntries([...this.#statuses].map(([name, status]) => [name, status.health()]))
    const states = Object.values(chains).map((chain) => chain.state)
    const down = states.filter((state) => state === 'down').length
    const status = down === 0 ? 'ok' : down === states.length ? 'down' : 'degraded'
    return { status, pipeline: this.config.name, chains }
  }

  async #loadCheckpoints(): Promise<Map<string, Checkpoint>> {
    const loaded = new Map<string, Checkpoint>()
    for (const { info } of this.config.chains) {
      const checkpoint = await this.#parts.checkpoints.load(this.config.name, info.name)
      if (checkpoint && checkpoint.chainId !== info.chainId) {
        throw new FatalError(`Checkpoint of ${this.config.name}/${info.name} is for chain id ${checkpoint.chainId}`, {
          code: 'CHECKPOINT_CHAIN_MISMATCH',
          details: `The chain's id is ${info.chainId}. Point checkpoint.dir elsewhere or delete the checkpoint.`,
        })
      }
      if (checkpoint) loaded.set(info.name, checkpoint)
    }
    return loaded
  }

  #createLanes(checkpoints: Map<string, Checkpoint>): Lane[] {
    const { scope, logger } = this.#parts
    const pipeline = this.config.name
    this.#sinks = this.config.sinks.map((sink) => ({
      id: sink.id,
      sink: scope.instantiate(sink, { pipeline, role: 'sink', id: sink.id, path: sink.path }, logger) as Sink,
      select: compileSelector(sink.select),
    }))
    this.#detectors = this.config.detectors.map((detector) => ({
      id: detector.id,
      detector: scope.instantiate(
        detector,
        { pipeline, role: 'detector', id: detector.id, path: detector.path },
        logger,
      ) as Detector,
      select: compileSelector(detector.select),
    }))
    const range = { from: this.#options.from ?? 'head', to: this.#options.to }
    return this.config.chains.map((chain) =>
      buildLane(this.#parts, chain, this.#statuses.get(chain.info.name)!, {
        sinks: this.#sinks,
        detectors: this.#detectors,
        range,
        signal: this.#abort.signal,
        checkpoint: checkpoints.get(chain.info.name),
      }),
    )
  }

  async #startSinks(checkpoints: Map<string, Checkpoint>): Promise<void> {
    const resume = new Map([...checkpoints].map(([chain, checkpoint]) => [chain, checkpoint.block]))
    const chains = new Set(this.config.chains.map((chain) => chain.info.name))
    for (const { id, sink } of this.#sinks) {
      const target = this.#target('sink', id)
      await invoke(target, 'start', () => sink.start?.({ chains, resume }))
    }
  }

  #target(role: string, id: string) {
    const { logger, metrics, retry } = this.#parts
    return { labels: { role, component: id, chain: '*' }, logger, metrics, retry, onError: () => undefined }
  }

  async #finish(results: PromiseSettledResult<void>[]): Promise<void> {
    await this.#shutdown()
    const errors = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []))
    if (errors.length === 0) this.#settle.resolve()
    else this.#settle.reject(errors.length === 1 ? errors[0] : new AggregateError(errors, 'several lanes failed'))
  }

  async #shutdown(): Promise<void> {
    const components = [...this.#detectors.map((slot) => slot.detector), ...this.#sinks.map((slot) => slot.sink)]
    for (const component of components) {
      await component.close?.().catch((error: unknown) => this.logger.warn({ err: error }, 'close failed'))
    }
    await this.#server?.close()
    this.logger.info('pipeline closed')
  }
}
