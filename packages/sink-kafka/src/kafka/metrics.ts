import { Counter, Gauge, Histogram, type Registry } from 'prom-client'

/** What the sink reports; every method is cheap and synchronous. @internal */
export interface KafkaSinkMetrics {
  /** A chunk of `records` was acknowledged after `seconds`. */
  sent(records: number, seconds: number): void
  /** A send failed (it is retried unless fatal). */
  error(): void
  /** Retraction records queued. */
  retractions(count: number): void
  /** Records and bytes held in memory. */
  held(records: number, bytes: number): void
  /** A write had to wait for buffer space. */
  backpressure(): void
  /** How long it waited. */
  backpressureSeconds(seconds: number): void
  /** Age of the send waiting for acks, seconds (0 when none is overdue). */
  unackedSeconds(seconds: number): void
}

const SEND_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

interface Family {
  records: Counter<'sink'>
  errors: Counter<'sink'>
  retractions: Counter<'sink'>
  heldRecords: Gauge<'sink'>
  heldBytes: Gauge<'sink'>
  waits: Counter<'sink'>
  waitSeconds: Counter<'sink'>
  sendSeconds: Histogram<'sink'>
  unacked: Gauge<'sink'>
}

const families = new WeakMap<Registry, Family>()

function family(registry: Registry): Family {
  const known = families.get(registry)
  if (known) return known
  const registers = [registry]
  const labelNames = ['sink'] as const
  const counter = (name: string, help: string) => new Counter({ name, help, labelNames, registers })
  const gauge = (name: string, help: string) => new Gauge({ name, help, labelNames, registers })
  const made: Family = {
    records: counter('qenus_kafka_records_acked_total', 'Records the brokers acknowledged'),
    errors: counter('qenus_kafka_send_errors_total', 'Failed produce requests (retried unless fatal)'),
    retractions: counter('qenus_kafka_retractions_total', 'Retraction records queued'),
    heldRecords: gauge('qenus_kafka_buffered_records', 'Records held in memory, not yet acknowledged'),
    heldBytes: gauge('qenus_kafka_buffered_bytes', 'Bytes held in memory, not yet acknowledged'),
    waits: counter('qenus_kafka_backpressure_waits_total', 'Writes that waited for buffer space'),
    waitSeconds: counter('qenus_kafka_backpressure_seconds_total', 'Time writes waited for buffer space'),
    unacked: gauge('qenus_kafka_unacked_seconds', 'Age of a send still waiting for acks (0 when none is overdue)'),
    sendSeconds: new Histogram({
      name: 'qenus_kafka_send_seconds',
      help: 'Time from a produce request to its acknowledgement, retries included',
      labelNames,
      buckets: SEND_BUCKETS,
      registers,
    }),
  }
  families.set(registry, made)
  return made
}

/**
 * The sink's metrics on a pipeline's registry, labelled with the sink id; without a registry
 * (the sink used on its own) they go nowhere.
 *
 * @internal
 */
export function kafkaSinkMetrics(registry: Registry | undefined, sink: string): KafkaSinkMetrics {
  if (!registry) {
    const none = () => undefined
    return {
      sent: none,
      error: none,
      retractions: none,
      held: none,
      backpressure: none,
      backpressureSeconds: none,
      unackedSeconds: none,
    }
  }
  const f = family(registry)
  const labels = { sink }
  return {
    sent: (records, seconds) => {
      f.records.inc(labels, records)
      f.sendSeconds.observe(labels, seconds)
    },
    error: () => f.errors.inc(labels),
    retractions: (count) => f.retractions.inc(labels, count),
    held: (records, bytes) => {
      f.heldRecords.set(labels, records)
      f.heldBytes.set(labels, bytes)
    },
    backpressure: () => f.waits.inc(labels),
    backpressureSeconds: (seconds) => f.waitSeconds.inc(labels, seconds),
    unackedSeconds: (seconds) => f.unacked.set(labels, seconds),
  }
}
