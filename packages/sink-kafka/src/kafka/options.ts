import { z } from '@qenus/core'

const positiveInt = (what: string) => z.number().int(`${what} must be an integer`).positive(`${what} must be positive`)

/** Options of the `kafka` sink. */
export const kafkaSinkOptions = z.strictObject({
  /** Bootstrap brokers, `host:port`. */
  brokers: z
    .array(z.string().regex(/^[^\s:]+:\d+$/, 'expected host:port'))
    .min(1, 'expected at least one broker')
    .describe('bootstrap brokers, host:port'),
  /**
   * Client id the brokers see in their logs and quotas.
   * @defaultValue `'qenus'`
   */
  clientId: z.string().min(1).default('qenus').describe('client id the brokers see'),
  /**
   * Prepended to every topic name: `mainnet.` gives `mainnet.features.amm`.
   * @defaultValue `''`
   */
  topicPrefix: z
    .string()
    .regex(/^[A-Za-z0-9._-]*$/, 'a topic prefix may hold only letters, digits, ".", "_" and "-"')
    .default('')
    .describe("prepended to every topic name ('mainnet.' gives 'mainnet.features.amm')"),
  /**
   * How topics come to exist: `admin` creates the missing ones with the admin API (partitions and
   * replication below) and, when the cluster refuses, checks they exist; `broker` lets the broker
   * auto-create them (`auto.create.topics.enable`) by asking for their metadata; `never` only
   * checks they exist. Every mode fails `start` with the missing topics named.
   * @defaultValue `'admin'`
   */
  topics: z
    .strictObject({
      create: z.literal(['admin', 'broker', 'never']).default('admin').describe('admin | broker | never'),
      partitions: positiveInt('partitions').default(6).describe('partitions of created topics'),
      replicationFactor: positiveInt('replicationFactor').default(3).describe('replication of created topics'),
    })
    .prefault({})
    .describe('topic creation: { create: admin | broker | never = admin, partitions = 6, replicationFactor = 3 }'),
  /**
   * Record value encoding: core's JSON codec (text) or its protobuf codec (`qenus.v1.Feature`).
   * @defaultValue `'json'`
   */
  codec: z.literal(['json', 'protobuf']).default('json').describe("record value encoding: 'json' | 'protobuf'"),
  /**
   * Batch compression. `gzip` is built in; `snappy`, `lz4` and `zstd` need `kafkajs-snappy`,
   * `kafkajs-lz4` or `@kafkajs/zstd` installed beside the sink.
   * @defaultValue `'none'`
   */
  compression: z
    .literal(['none', 'gzip', 'snappy', 'lz4', 'zstd'])
    .default('none')
    .describe('none | gzip | snappy | lz4 | zstd (the last three need their kafkajs codec package)'),
  /**
   * `idempotent`: the broker drops retried duplicates (acks from all in-sync replicas).
   * `transactional`: every flush commits the blocks written since the last one in one transaction,
   * so `read_committed` consumers see whole blocks. `at-least-once`: no producer id (for brokers
   * that cannot hand one out); retries may duplicate records, consumers dedupe by id.
   * @defaultValue `'idempotent'`
   */
  delivery: z
    .literal(['idempotent', 'transactional', 'at-least-once'])
    .default('idempotent')
    .describe('idempotent | transactional | at-least-once'),
  /**
   * Transactional id of `transactional` delivery; keep it stable across restarts so a restarted
   * pipeline fences its predecessor.
   * @defaultValue `qenus-<pipeline>-<sink id>`
   */
  transactionalId: z.string().min(1).optional().describe('transactional id (default qenus-<pipeline>-<sink id>)'),
  /**
   * Records are sent in batches of at most `maxRecords` records or `maxBytes` bytes, after waiting
   * at most `lingerMs` for a batch to fill.
   */
  batch: z
    .strictObject({
      maxRecords: positiveInt('maxRecords').default(2000).describe('records per produce request'),
      maxBytes: positiveInt('maxBytes').default(1_048_576).describe('bytes per produce request'),
      lingerMs: z.number().int().nonnegative().default(5).describe('wait for a batch to fill, ms'),
    })
    .prefault({})
    .describe('batching: { maxRecords = 2000, maxBytes = 1 MiB, lingerMs = 5 }'),
  /**
   * Records held in memory (written but not yet acknowledged by the broker). When full, `write`
   * waits: the pipeline slows down rather than dropping anything.
   */
  buffer: z
    .strictObject({
      maxRecords: positiveInt('maxRecords').default(50_000).describe('records held before write waits'),
      maxBytes: positiveInt('maxBytes')
        .default(64 * 1_048_576)
        .describe('bytes held before write waits'),
    })
    .prefault({})
    .describe('records held before write waits: { maxRecords = 50000, maxBytes = 64 MiB }'),
  /** Backoff between failed sends; retries never stop, so nothing is dropped. */
  retry: z
    .strictObject({
      initialMs: positiveInt('initialMs').default(200).describe('first backoff, ms'),
      maxMs: positiveInt('maxMs').default(5000).describe('longest backoff, ms'),
    })
    .prefault({})
    .describe('retry backoff, never giving up: { initialMs = 200, maxMs = 5000 }'),
  /**
   * Produce request timeout, milliseconds: how long the broker may take to gather acks.
   * @defaultValue `10000`
   */
  requestTimeoutMs: positiveInt('requestTimeoutMs').default(10_000).describe('produce request timeout, ms'),
})

/** The validated options of the `kafka` sink. */
export type KafkaSinkOptions = z.output<typeof kafkaSinkOptions>
