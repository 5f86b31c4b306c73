import { backoffDelay, FatalError } from '@qenus/core'
import type { KafkaSinkMetrics } from './metrics.js'
import type { KafkaSinkOptions } from './options.js'
import type { OutRecord } from './records.js'
import { fatalType, type KafkaSinkLogger } from './transport.js'

/** How long a send may wait for acks before the sink warns, and how often it warns again. */
const OVERDUE_MS = 3_000

/** Sends one chunk and resolves once the broker acknowledged it. @internal */
export type SendChunk = (records: OutRecord[]) => Promise<void>

interface Queued {
  record: OutRecord
  bytes: number
  /** Sequence number of the write (block or retraction) the record belongs to. */
  seq: number
  /** True on the last record of its write: transactional chunks end only there. */
  last: boolean
}

/**
 * The sink's bounded buffer and its one send loop. Records leave in the order they were queued,
 * one produce request at a time, so per-partition order holds through retries. A failed send is
 * retried with backoff until it succeeds: nothing is dropped, and while the broker is away the
 * buffer fills and `enqueue` waits (backpressure). Only errors no retry can fix stop the loop.
 *
 * @internal
 */
export class Sender {
  readonly #send: SendChunk
  readonly #options: KafkaSinkOptions
  readonly #logger: KafkaSinkLogger
  readonly #metrics: KafkaSinkMetrics
  readonly #wholeWrites: boolean
  #queue: Queued[] = []
  #head = 0
  #heldRecords = 0
  #heldBytes = 0
  #seq = 0
  #acked = 0
  #flushTo = 0
  #closing = false
  #failure: Error | undefined
  #wake: (() => void) | undefined
  #spaceWaiters: (() => void)[] = []
  #ackWaiters: { seq: number; resolve: () => void; reject: (e: Error) => void }[] = []
  readonly #loop: Promise<void>

  constructor(send: SendChunk, options: KafkaSinkOptions, logger: KafkaSinkLogger, metrics: KafkaSinkMetrics) {
    this.#send = send
    this.#options = options
    this.#logger = logger
    this.#metrics = metrics
    this.#wholeWrites = options.delivery === 'transactional'
    this.#loop = this.#run()
  }

  /** Records held: queued or in flight, not yet acknowledged. */
  get held(): { records: number; bytes: number } {
    return { records: this.#heldRecords, bytes: this.#heldBytes }
  }

  /** Queues the records of one write, waiting first while the buffer is full. */
  async enqueue(records: OutRecord[]): Promise<void> {
    this.#throwIfFailed()
    const { maxRecords, maxBytes } = this.#options.buffer
    if (this.#heldRecords > 0 && (this.#heldRecords >= maxRecords || this.#heldBytes >= maxBytes)) {
      this.#metrics.backpressure()
      const started = performance.now()
      while (this.#heldRecords > 0 && (this.#heldRecords >= maxRecords || this.#heldBytes >= maxBytes)) {
        this.#wakeLoop()
        await new Promise<void>((resolve) => this.#spaceWaiters.push(resolve))
        this.#throwIfFailed()
      }
      this.#metrics.backpressureSeconds((performance.now() - started) / 1000)
    }
    if (records.length === 0) return
    const seq = ++this.#seq
    records.forEach((record, i) => {
      const bytes = record.value.length + record.key.length + 64
      this.#queue.push({ record, bytes, seq, last: i === records.length - 1 })
      this.#heldBytes += bytes
    })
    this.#heldRecords += records.length
    this.#metrics.held(this.#heldRecords, this.#heldBytes)
    this.#wakeLoop()
  }

  /** Resolves once every record queued so far was acknowledged by the broker. */
  flush(): Promise<void> {
    this.#throwIfFailed()
    const seq = this.#seq
    if (this.#acked >= seq) return Promise.resolve()
    this.#flushTo = Math.max(this.#flushTo, seq)
    this.#wakeLoop()
    return new Promise((resolve, reject) => this.#ackWaiters.push({ seq, resolve, reject }))
  }

  /** Flushes, then ends the loop. */
  async close(): Promise<void> {
    try {
      await this.flush()
    } finally {
      this.#closing = true
      this.#wakeLoop()
      await this.#loop
    }
  }

  async #run(): Promise<void> {
    for (;;) {
      if (this.#head === this.#queue.length) {
        if (this.#closing || this.#failure) return
        await new Promise<void>((resolve) => {
          this.#wake = resolve
        })
        continue
      }
      if (!this.#ready()) await this.#linger()
      const chunk = this.#take()
      if (!(await this.#deliver(chunk))) return
      this.#release(chunk)
    }
  }

  /** Whether a chunk should go now rather than wait for more records. */
  #ready(): boolean {
    const pending = this.#queue.length - this.#head
    return (
      this.#closing ||
      pending >= this.#options.batch.maxRecords ||
      this.#queue[this.#head]!.seq <= this.#flushTo ||
      this.#spaceWaiters.length > 0
    )
  }

  #linger(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, this.#options.batch.lingerMs)
      this.#wake = () => {
        clearTimeout(timer)
        resolve()
      }
    })
  }

  #take(): Queued[] {
    const { maxRecords, maxBytes } = this.#options.batch
    let end = this.#head
    let bytes = 0
    let cut = this.#head
    while (end < this.#queue.length) {
      const item = this.#queue[end]!
      if (end > this.#head && (end - this.#head >= maxRecords || bytes + item.bytes > maxBytes)) break
      bytes += item.bytes
      end++
      if (item.last) cut = end
    }
    // Transactional chunks hold whole writes; a write larger than a batch travels alone, in slices.
    if (this.#wholeWrites) {
      if (cut === this.#head) {
        while (!this.#queue[cut]!.last) cut++
        cut++
      }
      end = cut
    }
    const chunk = this.#queue.slice(this.#head, end)
    this.#head = end
    return chunk
  }

  /**
   * Sends until acknowledged; false when an error no retry can fix stopped the sink. kafkajs
   * retries inside the send (it resends only to the brokers that did not answer, keeping the
   * idempotent sequence numbers), so this loop mostly watches: it logs while acks are overdue.
   */
  async #deliver(chunk: Queued[]): Promise<boolean> {
    const records = chunk.map((q) => q.record)
    const started = performance.now()
    const overdue = this.#watch(started, records.length)
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          await this.#send(records)
          this.#metrics.sent(records.length, (performance.now() - started) / 1000)
          return true
        } catch (error) {
          this.#metrics.error()
          const fatal = fatalType(error)
          if (fatal) {
            this.#fail(error as Error, fatal)
            return false
          }
          const { initialMs, maxMs } = this.#options.retry
          const delayMs = backoffDelay(attempt, { minDelayMs: initialMs, maxDelayMs: maxMs })
          this.#logger.warn(
            { err: error, attempt, delayMs, held: this.#heldRecords, chunk: records.length },
            'kafka sink: send failed; retrying',
          )
          await new Promise((resolve) => setTimeout(resolve, delayMs))
        }
      }
    } finally {
      overdue()
    }
  }

  /** Warns every few seconds while a send waits for its acks; returns the stop function. */
  #watch(started: number, chunk: number): () => void {
    let warned = false
    const timer = setInterval(() => {
      warned = true
      const seconds = Math.round((performance.now() - started) / 1000)
      this.#metrics.unackedSeconds(seconds)
      this.#logger.warn(
        { seconds, chunk, held: this.#heldRecords, heldBytes: this.#heldBytes },
        'kafka sink: brokers have not acknowledged; kafkajs keeps retrying, writes wait once the buffer is full',
      )
    }, OVERDUE_MS)
    return () => {
      clearInterval(timer)
      this.#metrics.unackedSeconds(0)
      if (warned) {
        const seconds = Math.round((performance.now() - started) / 100) / 10
        this.#logger.info({ seconds }, 'kafka sink: brokers acknowledging again, sending resumed')
      }
    }
  }

  #release(chunk: Queued[]): void {
    let bytes = 0
    for (const q of chunk) bytes += q.bytes
    this.#heldRecords -= chunk.length
    this.#heldBytes -= bytes
    this.#metrics.held(this.#heldRecords, this.#heldBytes)
    const lastDone = chunk.at(-1)!
    this.#acked = lastDone.last ? lastDone.seq : lastDone.seq - 1
    if (this.#head > 4096 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head)
      this.#head = 0
    }
    for (const resolve of this.#spaceWaiters.splice(0)) resolve()
    this.#ackWaiters = this.#ackWaiters.filter((w) => {
      if (w.seq > this.#acked) return true
      w.resolve()
      return false
    })
  }

  #fail(error: Error, type: string): void {
    this.#failure = new FatalError(`kafka sink: the broker refused records (${type}); stopping`, {
      code: 'SINK_KAFKA_SEND_FAILED',
      details: error.message,
      cause: error,
    })
    this.#logger.error({ err: error, type }, 'kafka sink: send failed for good')
    for (const resolve of this.#spaceWaiters.splice(0)) resolve()
    for (const w of this.#ackWaiters.splice(0)) w.reject(this.#failure)
  }

  #throwIfFailed(): void {
    if (this.#failure) throw this.#failure
  }

  #wakeLoop(): void {
    const wake = this.#wake
    this.#wake = undefined
    wake?.()
  }
}
