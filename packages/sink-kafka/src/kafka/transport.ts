import { QenusError } from '@qenus/core'
import kafkajs, { type Kafka, type LogEntry, type Producer, type TopicMessages } from 'kafkajs'
import type { KafkaSinkOptions } from './options.js'
import type { OutRecord } from './records.js'

const { Partitioners } = kafkajs

/** The logger calls the sink makes; a pino logger satisfies it. */
export interface KafkaSinkLogger {
  /** Debug-level event. */
  debug(fields: object, message: string): void
  /** Info-level event. */
  info(fields: object, message: string): void
  /** Warning. */
  warn(fields: object, message: string): void
  /** Error. */
  error(fields: object, message: string): void
}

/** What kafkajs says that helps nobody: our own retries and logs cover it. */
const QUIET = [/switched default partitioner/, /Limiting retries for the idempotent producer/]

/** Routes kafkajs's own log lines to the sink's logger at debug level. @internal */
export function kafkajsLogCreator(logger: KafkaSinkLogger) {
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, timestamp: _t, logger: _l, ...fields } = log
      if (QUIET.some((re) => re.test(message))) return
      // kafkajs logs every failed attempt at error level; the sink logs the outcome instead.
      logger.debug({ ...fields, kafkajsLevel: level }, `kafkajs: ${message}`)
    }
}

/** Errors no retry can fix: the record, the topic or the credentials are wrong, or a newer producer took over. */
const FATAL_TYPES = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'INVALID_TOPIC_EXCEPTION',
  'TOPIC_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  'INVALID_REQUIRED_ACKS',
  'PRODUCER_FENCED',
  'INVALID_PRODUCER_EPOCH',
  'UNSUPPORTED_FOR_MESSAGE_FORMAT',
])

/** The Kafka error type found along an error's cause chain, if any. @internal */
export function fatalType(error: unknown): string | undefined {
  for (let e = error as { type?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.type && FATAL_TYPES.has(e.type)) return e.type
  }
  return undefined
}

/**
 * One kafkajs producer per delivery mode. A transactional chunk is one transaction; after any
 * failure the producer is replaced, whose new epoch makes the broker abort what was left open.
 *
 * @internal
 */
export class Transport {
  readonly #kafka: Kafka
  readonly #options: KafkaSinkOptions
  readonly #transactionalId: string
  readonly #compression: number
  #producer: Producer | undefined

  constructor(kafka: Kafka, options: KafkaSinkOptions, transactionalId: string, compression: number) {
    this.#kafka = kafka
    this.#options = options
    this.#transactionalId = transactionalId
    this.#compression = compression
  }

  /** Connects a producer, once; a failure leaves none, so the next call tries again. */
  async connect(): Promise<Producer> {
    if (this.#producer) return this.#producer
    const { delivery } = this.#options
    const producer = this.#kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      // Transactional sends are idempotent by themselves and get their producer id from the
      // transaction coordinator; the plain idempotent producer asks the controller for one.
      idempotent: delivery === 'idempotent',
      maxInFlightRequests: delivery === 'at-least-once' ? 1 : 5,
      ...(delivery === 'transactional' ? { transactionalId: this.#transactionalId, maxInFlightRequests: 1 } : {}),
      // kafkajs resends only to the brokers that did not answer, with the same sequence numbers:
      // retrying inside it never doubles a record the idempotent broker already holds.
      retry: {
        retries: Number.MAX_SAFE_INTEGER,
        initialRetryTime: this.#options.retry.initialMs,
        maxRetryTime: this.#options.retry.maxMs,
      },
      allowAutoTopicCreation: this.#options.topics.create === 'broker',
    })
    try {
      await producer.connect()
    } catch (error) {
      await producer.disconnect().catch(() => undefined)
      throw explainConnect(error)
    }
    this.#producer = producer
    return producer
  }

  /**
   * Sends one chunk: in one produce request, or, when transactional, whole blocks in one
   * transaction. Resolves once the broker acknowledged every record.
   */
  async send(records: OutRecord[]): Promise<void> {
    const producer = await this.connect()
    try {
      if (this.#options.delivery !== 'transactional') {
        await producer.sendBatch(this.#request(records))
        return
      }
      const tx = await producer.transaction()
      try {
        for (const slice of this.#slices(records)) await tx.sendBatch(this.#request(slice))
      } catch (error) {
        await tx.abort().catch(() => undefined)
        throw error
      }
      await tx.commit()
    } catch (error) {
      if (this.#options.delivery === 'transactional') await this.reset()
      throw error
    }
  }

  /** Drops the producer; the next send connects a new one. */
  async reset(): Promise<void> {
    const producer = this.#producer
    this.#producer = undefined
    await producer?.disconnect().catch(() => undefined)
  }

  #slices(records: OutRecord[]): OutRecord[][] {
    const { maxRecords } = this.#options.batch
    const slices: OutRecord[][] = []
    for (let i = 0; i < records.length; i += maxRecords) slices.push(records.slice(i, i + maxRecords))
    return slices
  }

  #request(records: OutRecord[]) {
    const byTopic = new Map<string, TopicMessages['messages']>()
    for (const { topic, key, value, headers } of records) {
      const list = byTopic.get(topic) ?? []
      byTopic.set(topic, list)
      list.push({ key, value, headers })
    }
    return {
      acks: -1,
      timeout: this.#options.requestTimeoutMs,
      compression: this.#compression,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    }
  }
}

function explainConnect(error: unknown): Error {
  const message = (error as Error)?.message ?? String(error)
  const noController = /Broker -?\d+ not found in the cached metadata/.test(message)
  return new QenusError('kafka sink: cannot start the producer', {
    code: 'SINK_KAFKA_CONNECT_FAILED',
    details: noController
      ? `${message}: the cluster names a controller that is not one of its brokers (librdkafka's mock cluster does), and kafkajs asks the controller for an idempotent producer id; use delivery "transactional" (its id comes from the transaction coordinator) or "at-least-once"`
      : message,
    cause: error,
  })
}
