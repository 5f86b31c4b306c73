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
  type Retraction,
  type Sink,
} from '@qenus/core'
import kafkajs, { type Kafka } from 'kafkajs'
import { compressionType } from './compression.js'
import { type KafkaSinkMetrics, kafkaSinkMetrics } from './metrics.js'
import type { KafkaSinkOptions } from './options.js'
import { featureRecord, type OutRecord, placementOf, retractionRecord } from './records.js'
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
    await sender.enqueue(batch.features.map((f) => featureRecord(f, this.#codec, prefix)))
  }

  /**
   * Queues out-of-block features (mempool features on SPEC §5 `features.mempool`, extractor
   * ticks). They belong to no block, so they are never retracted.
   */
  async writePending(batch: FeatureBatch): Promise<void> {
    const sender = await this.#started()
    const prefix = this.#options.topicPrefix
    await sender.enqueue(batch.features.map((f) => featureRecord(f, this.#codec, prefix)))
  }

  /** Queues one retraction record per withdrawn id, on the topic and key its feature went to. */
  async revert(retraction: Retraction): Promise<void> {
    const sender = await this.#started()
    const known = new Map(retraction.features?.map((feature) => [feature.id, feature]))
    const records: OutRecord[] = []
    let unplaced = 0
    for (const id of retraction.ids) {
      const placement = placementOf(id, retraction, this.#options.topicPrefix, known.get(id))
      if (!placement?.exact) unplaced++
      if (placement) records.push(retractionRecord(retraction, id, placement, this.#codec))
    }
    if (unplaced > 0) {
      this.#logger.warn(
        { unplaced, to: retraction.to.number.toString() },
        'kafka sink: retracting ids the retraction does not describe (no retraction.features entry); their records go to the kind topic keyed by chain id',
      )
    }
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
