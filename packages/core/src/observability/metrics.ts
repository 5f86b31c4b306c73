import { Counter, Gauge, Histogram, Registry } from 'prom-client'

/** What a {@link Metrics} takes. */
export interface MetricsOptions {
  /** Pipeline name, added as the `pipeline` label of every series. */
  pipeline?: string | undefined
  /** Metric name prefix. @default 'qenus_' */
  prefix?: string | undefined
}

/** Labels of the per-component wrapper metrics. */
export interface ComponentLabels {
  /** `source`, `extractor`, `detector` or `sink`. */
  role: string
  /** The component's instance id. */
  component: string
  /** The chain lane. */
  chain: string
}

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
const DEPTH_BUCKETS = [1, 2, 3, 5, 8, 13, 21, 34, 64, 128, 256]

/**
 * The metrics of one pipeline, in a prom-client `Registry` of its own (never the global
 * one, so two pipelines in one process do not collide). Components may register their own
 * metrics on {@link Metrics.registry}.
 *
 * @example
 * ```ts
 * import { Metrics } from '@qenus/core'
 * const metrics = new Metrics({ pipeline: 'dev' })
 * metrics.blocksProcessed.inc({ chain: 'ethereum' })
 * console.log(await metrics.text())
 * ```
 */
export class Metrics {
  /** The registry every metric below is registered in. */
  readonly registry: Registry
  /** Blocks extracted, by chain. */
  readonly blocksProcessed: Counter<'chain'>
  /** Features emitted to the sinks, by chain and kind. */
  readonly featuresEmitted: Counter<'chain' | 'kind'>
  /** Blocks between the source's head and the last processed block. */
  readonly headLagBlocks: Gauge<'chain'>
  /** Seconds between now and the last processed block's timestamp. */
  readonly headLagSeconds: Gauge<'chain'>
  /** Blocks waiting between extraction and the sinks. */
  readonly queueDepth: Gauge<'chain'>
  /** Duration of `Sink.write`, by sink id. */
  readonly sinkWriteSeconds: Histogram<'sink'>
  /** Duration of `Sink.flush`, by sink id. */
  readonly sinkFlushSeconds: Histogram<'sink'>
  /** Items a component received: logs for extractors, features for detectors and sinks, events for sources. */
  readonly componentReceived: Counter<keyof ComponentLabels>
  /** Items a component emitted: features, or events for sources. */
  readonly componentEmitted: Counter<keyof ComponentLabels>
  /** Items the component's `select` did not pass. */
  readonly componentDropped: Counter<keyof ComponentLabels>
  /** Errors a component threw, retried or not. */
  readonly componentErrors: Counter<keyof ComponentLabels>
  /** Duration of each call into a component (per block, and its init, revert, flush). */
  readonly componentLatency: Histogram<keyof ComponentLabels>
  /** Reorgs seen, by chain. */
  readonly reverts: Counter<'chain'>
  /** Blocks withdrawn per reorg. */
  readonly revertDepth: Histogram<'chain'>
  /** Block number of the last committed checkpoint. */
  readonly checkpointBlock: Gauge<'chain'>

  constructor(options: MetricsOptions = {}) {
    const prefix = options.prefix ?? 'qenus_'
    const registry = new Registry()
    if (options.pipeline !== undefined) registry.setDefaultLabels({ pipeline: options.pipeline })
    this.registry = registry
    const registers = [registry]
    const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
      new Counter<L>({ name: prefix + name, help, labelNames, registers })
    const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
      new Gauge<L>({ name: prefix + name, help, labelNames, registers })
    const histogram = <L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]) =>
      new Histogram<L>({ name: prefix + name, help, labelNames, buckets, registers })
    const component = ['role', 'component', 'chain'] as const

    this.blocksProcessed = counter('blocks_processed_total', 'Blocks extracted', ['chain'])
    this.featuresEmitted = counter('features_emitted_total', 'Features emitted to the sinks', ['chain', 'kind'])
    this.headLagBlocks = gauge('head_lag_blocks', 'Blocks between the head and the last processed block', ['chain'])
    this.headLagSeconds = gauge('head_lag_seconds', 'Seconds since the last processed block was produced', ['chain'])
    this.queueDepth = gauge('queue_depth', 'Blocks waiting for the sinks', ['chain'])
    this.sinkWriteSeconds = histogram('sink_write_seconds', 'Sink write duration', ['sink'], LATENCY_BUCKETS)
    this.sinkFlushSeconds = histogram('sink_flush_seconds', 'Sink flush duration', ['sink'], LATENCY_BUCKETS)
    this.componentReceived = counter('component_received_total', 'Items a component received', component)
    this.componentEmitted = counter('component_emitted_total', 'Items a component emitted', component)
    this.componentDropped = counter('component_dropped_total', 'Items a select did not pass', component)
    this.componentErrors = counter('component_errors_total', 'Errors a component threw', component)
    this.componentLatency = histogram(
      'component_latency_seconds',
      'Duration of each call into a component',
      component,
      LATENCY_BUCKETS,
    )
    this.reverts = counter('reverts_total', 'Reorgs seen', ['chain'])
    this.revertDepth = histogram('revert_depth_blocks', 'Blocks withdrawn per reorg', ['chain'], DEPTH_BUCKETS)
    this.checkpointBlock = gauge('checkpoint_block', 'Block of the last committed checkpoint', ['chain'])
  }

  /** The Prometheus content type of {@link Metrics.text}. */
  get contentType(): string {
    return this.registry.contentType
  }

  /** Every metric in the Prometheus text exposition format. */
  text(): Promise<string> {
    return this.registry.metrics()
  }
}
