import {
  type ComponentContext,
  ContextToken,
  type FeatureBatch,
  type FeatureCodec,
  getCodec,
  inject,
  LoggerToken,
  type Metrics,
  MetricsToken,
  OptionsToken,
  type RetractedFeature,
  type Retraction,
  type Sink,
} from '@qenus/core'
import kafkajs, { type Kafka } from 'kafkajs'
import { compressionType } from './compression.js'
import { type KafkaSinkMetrics, kafkaSinkMetrics } from './metrics.js'
import type { KafkaSinkOptions } from './options.js'
import {
  fallbackPlacement,
  featureRecord,
  type OutRecord,
  type Placement,
  PlacementIndex,
  retractionRecord,
} from './records.js'
import { Sender } from './sender.js'
import { ensureTopics, topicNames } from './topics.js'
import { type KafkaSinkLogger, kafkajsLogCreator, Transport } from './transport.js'

const silent: KafkaSinkLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
}

/**
 * Streams features to Kafka: one topic per feature family, key `chainId:address`, headers
 * `kind`, `chainId`, `blockNumber`, `codec`, acks from every in-sync replica.
 *
 * @remarks
 * `write` queues a block's records in a bounded buffer and returns; it waits only while the
 * buffer is full. `flush` resolves once the brokers acknowledged every record written before it,
 * so the runtime checkpoints a block only after Kafka holds all of it. Failed sends are retried
 * with backoff until they succeed. A revert queues one retraction record per withdrawn id on the
 * withdrawn feature's topic and key, before anything written after it.
 *
 * @example
 * ```ts
 * import { KafkaSink, kafkaSinkOptions } from '@qenus/sink-kafka'
 * const sink = new KafkaSink(kafkaSinkOptions.parse({ brokers: ['127.0.0.1:9092'] }))
 * await sink.start()
 * await sink.write(batch)
 * await sink.close()
 * ```
 */
export class KafkaSink implements Sink {
  readonly #options: KafkaSinkOptions
  readonly #logger: KafkaSinkLogger
  readonly #codec: FeatureCodec
  readonly #index: PlacementIndex
  readonly #kafka: Kafka
  readonly #metrics: Metrics | undefined
  readonly #name: string
  readonly #transactionalId: string
  #transport: Transport | undefined
  #sender: Sender | undefined
  #sinkMetrics: KafkaSinkMetrics | undefined

  /**
   * @param options - Validated options ({@link kafkaSinkOptions}).
   * @param logger - Where send failures and recoveries are logged; silent when omitted.
   * @param metrics - The pipeline's metrics; the sink's series are registered on its registry.
   * @param context - The sink's id and pipeline, for metric labels and the default transactional id.
   */
  constructor(
    @inject(OptionsToken) options: KafkaSinkOptions,
    @inject(LoggerToken) logger?: KafkaSinkLogger,
    @inject(MetricsToken) metrics?: Metrics,
    @inject(ContextToken) context?: ComponentContext,
  ) {
    this.#options = options
    this.#logger = logger ?? silent
    this.#metrics = metrics
    this.#codec = getCodec(options.codec)
    this.#index = new PlacementIndex(options.reorgWindow)
    this.#name = context?.id ?? 'kafka'
    this.#transactionalId = options.transactionalId ?? `qenus-${context?.pipeline ?? 'pipeline'}-${this.#name}`
    this.#kafka = new kafkajs.Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      logLevel: kafkajs.logLevel.INFO,
      logCreator: kafkajsLogCreator(this.#logger),
      retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1_000 },
    })
  }

  /** Every topic this sink writes to, prefixed. */
  get topics(): string[] {
    return topicNames(this.#options.topicPrefix)
  }

  /** Loads the compression codec, makes sure the topics exist and connects the producer. */
  async start(): Promise<void> {
    const compression = await compressionType(this.#options.compression)
    const admin = this.#kafka.admin()
    await admin.connect()
    try {
      const { created, creationError } = await ensureTopics(admin, this.topics, this.#options.topics)
      if (created.length > 0) this.#logger.info({ topics: created }, 'kafka sink: topics created')
      if (creationError) {
        this.#logger.warn({ err: creationError }, 'kafka sink: cannot create topics; they exist, going on')
      }
    } finally {
      await admin.disconnect()
    }
    const transport = new Transport(this.#kafka, this.#options, this.#transactionalId, compression)
    await transport.connect()
    this.#transport = transport
    const metrics = kafkaSinkMetrics(this.#metrics?.registry, this.#name)
    this.#sender = new Sender((records) => transport.send(records), this.#options, this.#logger, metrics)
    this.#sinkMetrics = metrics
  }

  /** Queues the block's records; waits only while the buffer is full. */
  async write(batch: FeatureBatch): Promise<void> {
    const sender = await this.#started()
    const prefix = this.#options.topicPrefix
    const records = batch.features.map((f) => featureRecord(f, this.#codec, prefix))
    this.#index.add(batch, records)
    await sender.enqueue(records)
  }

  /**
   * Queues mempool features (SPEC §5 `features.mempool`). They belong to no block, so they are
   * never retracted and stay out of the reorg index.
   */
  async writePending(batch: FeatureBatch): Promise<void> {
    const sender = await this.#started()
    const prefix = this.#options.topicPrefix
    await sender.enqueue(batch.features.map((f) => featureRecord(f, this.#codec, prefix)))
  }

  /** Queues one retraction record per withdrawn id, on the topic and key its feature went to. */
  async revert(retraction: Retraction): Promise<void> {
    const sender = await this.#started()
    const { chainId } = retraction.chain
    const records: OutRecord[] = []
    let unplaced = 0
    let known: Map<string, RetractedFeature> | undefined
    for (const id of retraction.ids) {
      let placement: Placement | undefined = this.#index.find(chainId, id)
      if (!placement) {
        known ??= new Map(retraction.features?.map((feature) => [feature.id, feature]))
        const fallback = fallbackPlacement(id, retraction, this.#options.topicPrefix, known.get(id))
        if (!fallback?.exact) unplaced++
        placement = fallback
      }
      if (placement) records.push(retractionRecord(retraction, id, placement, this.#codec))
    }
    if (unplaced > 0) {
      this.#logger.warn(
        { unplaced, to: retraction.to.number.toString() },
        'kafka sink: retracting ids of unknown placement (no index entry and no retraction.features); their records go to the kind topic keyed by chain id',
      )
    }
    this.#index.rewind(chainId, retraction.to.number)
    this.#sinkMetrics?.retractions(records.length)
    await sender.enqueue(records)
  }

  /** Resolves once the brokers acknowledged every record written so far. */
  async flush(): Promise<void> {
    await this.#sender?.flush()
  }

  /** Flushes everything in flight, then disconnects. */
  async close(): Promise<void> {
    try {
      await this.#sender?.close()
    } finally {
      await this.#transport?.reset()
    }
  }

  async #started(): Promise<Sender> {
    if (!this.#sender) await this.start()
    return this.#sender!
  }
}
