import type {
  BlockEvent,
  BlockHeader,
  BlockRef,
  ChainEvent,
  LogFilter,
  PendingEvent,
  RevertEvent,
} from '../contracts/chain.js'
import type { Source, StreamRequest } from '../contracts/source.js'
import { FatalError } from '../errors.js'
import type { FinalityMode } from '../schema/chains.js'
import type { FeatureStore } from '../state/types.js'
import { BoundedQueue } from '../util/queue.js'
import { backoffDelay, isRetryable } from '../util/retry.js'
import { sleep } from '../util/sleep.js'
import type { Checkpoint } from './checkpoint.js'
import { extractBlock } from './extract.js'
import { invoke } from './invoke.js'
import {
  type DetectorSlot,
  type ExtractorSlot,
  type LaneItem,
  type LaneShared,
  pushRecent,
  rewindRecent,
  type SinkSlot,
} from './lane-types.js'
import { extractPending, extractTick } from './pending.js'
import { SinkStage } from './sink-stage.js'
import { Ticker } from './tick.js'

/** The components and bounds of one lane. @internal */
export interface LaneParts {
  sourceId: string
  source: Source
  extractors: ExtractorSlot[]
  detectors: DetectorSlot[]
  sinks: SinkSlot[]
  store: FeatureStore
  from: bigint | 'head'
  to: bigint | 'head' | undefined
  /** The lane's checkpoint, loaded before the sinks started. */
  checkpoint: Checkpoint | undefined
  queueCapacity: number
  /** How often to ask the source for its head, for the lag metrics. */
  headPollMs: number
  /** The chain's finality setting, passed on to the source. */
  finality?: FinalityMode | undefined
}

/** What the source is asked for, the same on every reopening. */
interface PullOptions {
  filters: LogFilter[]
  receipts: boolean
  pending: boolean
  finality: FinalityMode | undefined
}

/**
 * One chain's lane: pulls the source one event at a time, extracts, and hands batches through a
 * bounded queue to the {@link SinkStage}. A full queue stops the pulling (backpressure).
 *
 * @internal
 */
export class Lane {
  readonly #shared: LaneShared
  readonly #parts: LaneParts
  readonly #abort = new AbortController()
  readonly #queue: BoundedQueue<LaneItem>
  /** The extracted blocks up to finality, oldest first: where to resume if the stream breaks. */
  #resume: BlockRef[] = []
  #initialized = false
  /** The last block extracted, which pending transactions are extracted on; unset after a revert. */
  #head: BlockHeader | undefined
  #headPolledAt = Number.NEGATIVE_INFINITY
  /** The lane's event loop: events and ticks run one at a time, in arrival order. */
  #serial: Promise<void> = Promise.resolve()

  constructor(shared: LaneShared, parts: LaneParts, stop: AbortSignal) {
    this.#shared = shared
    this.#parts = parts
    this.#queue = new BoundedQueue(parts.queueCapacity)
    if (stop.aborted) this.#abort.abort(stop.reason)
    else stop.addEventListener('abort', () => this.#abort.abort(stop.reason), { once: true })
    shared.status.source = parts.source.health?.bind(parts.source)
  }

  /** Runs the lane to its end: the `to` bound, a stop, or a fatal error (rejects with it). */
  async run(): Promise<void> {
    const { status, logger } = this.#shared
    try {
      await this.#run()
      status.state = 'stopped'
      logger.info({ checkpoint: status.checkpoint?.toString() }, 'lane stopped')
    } catch (error) {
      status.state = 'down'
      status.onError(error)
      logger.error({ err: error }, 'lane down')
      throw error
    } finally {
      await this.#close()
    }
  }

  async #run(): Promise<void> {
    const { checkpoint } = this.#parts
    if (checkpoint) {
      this.#resume = checkpoint.recent.map((ref) => ({ ...ref }))
      this.#shared.status.checkpoint = checkpoint.block.number
      this.#shared.logger.info({ block: checkpoint.block.number.toString() }, 'resuming from checkpoint')
    }
    const to = await this.#resolveTo()
    if (to !== undefined && checkpoint && checkpoint.block.number >= to) return
    const stage = new SinkStage(this.#shared, this.#parts.sinks, this.#queue, checkpoint)
    const produced = this.#produce(to).finally(() => this.#queue.close())
    const consumed = stage.run().catch((error: unknown) => {
      this.#abort.abort(error)
      this.#queue.close()
      throw error
    })
    const [production, consumption] = await Promise.allSettled([produced, consumed])
    if (consumption.status === 'rejected') throw consumption.reason
    if (production.status === 'rejected') throw production.reason
  }

  async #resolveTo(): Promise<bigint | undefined> {
    const { to, source } = this.#parts
    if (to !== 'head') return to
    if (!source.head) {
      throw new FatalError(`The source of ${this.#shared.chain.name} cannot report its head`, {
        code: 'SOURCE_HEAD_UNSUPPORTED',
        details: "Give `to` as a block number instead of 'head'.",
      })
    }
    return invoke(this.#shared.target('source', this.#parts.sourceId), 'head', () => source.head!())
  }

  async #produce(to: bigint | undefined): Promise<void> {
    const signal = this.#abort.signal
    const filters = this.#parts.extractors.length ? this.#filters() : []
    const receipts = this.#parts.extractors.some((slot) => slot.receipts)
    const pending = this.#parts.extractors.some((slot) => slot.extractor.onPending !== undefined)
    const { finality } = this.#parts
    // Ticks report on the present while following; a bounded backfill has no present to report on.
    const ticker = to === undefined ? new Ticker(this.#shared.chain, this.#parts.extractors, this.#tick) : undefined
    try {
      await this.#pull(to, { filters, receipts, pending, finality, signal })
    } finally {
      ticker?.stop()
      await this.#serial
    }
  }

  async #pull(
    to: bigint | undefined,
    { filters, receipts, pending, finality, signal }: PullOptions & { signal: AbortSignal },
  ): Promise<void> {
    const { source } = this.#parts
    for (let failures = 0; !signal.aborted; ) {
      const request: StreamRequest = {
        chain: this.#shared.chain,
        from: this.#parts.from,
        to,
        resume: this.#resume.length ? this.#resume.map((ref) => ({ ...ref })) : undefined,
        filters,
        ...(receipts ? { receipts } : {}),
        ...(pending ? { pending } : {}),
        ...(typeof finality === 'string' ? { finality } : {}),
        signal,
      }
      const iterator = source.stream(request)[Symbol.asyncIterator]()
      try {
        for (;;) {
          let next: IteratorResult<ChainEvent>
          try {
            next = await iterator.next()
          } catch (error) {
            if (signal.aborted) return
            failures = await this.#onStreamError(error, failures + 1)
            break
          }
          if (next.done || signal.aborted) return
          failures = 0
          const event = next.value
          await this.#exclusive(() => this.#onEvent(event))
        }
      } finally {
        await Promise.resolve(iterator.return?.()).catch(() => undefined)
      }
    }
  }

  /** Runs `work` after everything queued on the lane's event loop before it. */
  #exclusive(work: () => Promise<void>): Promise<void> {
    const run = this.#serial.then(work)
    this.#serial = run.catch(() => undefined)
    return run
  }

  /**
   * One tick of one extractor, on the lane's event loop. Best-effort like pending features: no
   * tick before the first block or after a revert until the next block, and dropped when the
   * queue is full.
   */
  readonly #tick = (slot: ExtractorSlot): Promise<void> =>
    this.#exclusive(async () => {
      const head = this.#head
      const target = this.#shared.target('extractor', slot.id)
      if (!head || this.#abort.signal.aborted) return
      if (this.#queue.depth >= this.#queue.capacity) return this.#shared.metrics.componentDropped.inc(target.labels)
      const reader = this.#parts.source.reader({ number: head.number, hash: head.hash })
      const batch = await extractTick(this.#shared, slot, head, reader)
      if (batch.features.length === 0) return
      if (this.#queue.depth >= this.#queue.capacity || this.#queue.closed) {
        this.#shared.metrics.componentDropped.inc(target.labels)
      } else await this.#queue.put({ type: 'pending', batch })
    }).catch((error: unknown) => this.#shared.logger.warn({ err: error, extractor: slot.id }, 'tick failed; skipped'))

  async #onStreamError(error: unknown, failures: number): Promise<number> {
    const { metrics, logger, retry } = this.#shared
    const target = this.#shared.target('source', this.#parts.sourceId)
    metrics.componentErrors.inc(target.labels)
    this.#shared.status.onError(error)
    const retries = retry.retries ?? Number.POSITIVE_INFINITY
    if (!isRetryable(error) || failures > retries) throw error
    const delayMs = backoffDelay(failures, retry)
    logger.warn({ err: error, attempt: failures, delayMs }, 'source stream failed; reopening')
    await sleep(delayMs, this.#abort.signal).catch(() => undefined)
    return failures
  }

  #filters(): LogFilter[] {
    return this.#parts.extractors.flatMap(({ extractor }) => extractor.logFilters(this.#shared.chain))
  }

  async #onEvent(event: ChainEvent): Promise<void> {
    const target = this.#shared.target('source', this.#parts.sourceId)
    this.#shared.metrics.componentEmitted.inc(target.labels)
    if (event.type === 'block') await this.#onBlock(event)
    else if (event.type === 'revert') await this.#onRevert(event)
    else await this.#onPending(event)
  }

  /**
   * Pending features are best-effort: dropped before the first block (extractors have no state
   * yet), after a revert until the next block, and when the queue is full, so the mempool never
   * holds blocks back.
   */
  async #onPending(event: PendingEvent): Promise<void> {
    const head = this.#head
    const target = this.#shared.target('source', this.#parts.sourceId)
    if (!head || this.#queue.depth >= this.#queue.capacity) {
      this.#shared.metrics.componentDropped.inc(target.labels)
      return
    }
    const reader = this.#parts.source.reader({ number: head.number, hash: head.hash })
    const batch = await extractPending(this.#shared, this.#parts.extractors, event, head, reader)
    if (batch.features.length === 0) return
    if (this.#queue.depth >= this.#queue.capacity) this.#shared.metrics.componentDropped.inc(target.labels)
    else await this.#queue.put({ type: 'pending', batch })
  }

  async #onBlock(event: BlockEvent): Promise<void> {
    const { header } = event
    const { source, extractors, detectors, store } = this.#parts
    const { metrics, chain, status } = this.#shared
    if (!this.#initialized) await this.#init(header)
    const reader = source.reader({ number: header.number, hash: header.hash })
    const batch = await extractBlock(this.#shared, extractors, detectors, store, event, reader)
    store.apply(batch)
    this.#head = header
    metrics.blocksProcessed.inc({ chain: chain.name })
    status.onProcessed(header.number, header.timestamp, batch.features.length)
    pushRecent(this.#resume, header, Math.max(1, chain.finalityDepth))
    this.#pollHead()
    await this.#queue.put({ type: 'batch', batch })
    metrics.queueDepth.set({ chain: chain.name }, this.#queue.depth)
  }

  async #onRevert(event: RevertEvent): Promise<void> {
    const { chain, metrics, logger, status } = this.#shared
    const ids = this.#parts.store.revert(chain.chainId, event.to)
    this.#head = undefined
    const context = { chain, to: event.to, reverted: event.reverted }
    await Promise.all(
      this.#parts.extractors.map(({ id, extractor }) =>
        invoke(this.#shared.target('extractor', id), 'onRevert', () => extractor.onRevert?.(context)),
      ),
    )
    rewindRecent(this.#resume, event.to)
    if (status.processed && status.processed.number > event.to.number) {
      status.processed = { number: event.to.number, timestamp: status.processed.timestamp }
    }
    metrics.reverts.inc({ chain: chain.name })
    metrics.revertDepth.observe({ chain: chain.name }, event.reverted.length)
    logger.warn({ to: event.to.number.toString(), depth: event.reverted.length, ids: ids.length }, 'reorg')
    await this.#queue.put({ type: 'revert', retraction: { ...context, ids } })
  }

  /** Extractors start from the state before the first block the lane extracts: its parent's. */
  async #init(header: BlockEvent['header']): Promise<void> {
    const reader = this.#parts.source.reader({ number: header.number - 1n, hash: header.parentHash })
    await Promise.all(
      this.#parts.extractors.map(({ id, extractor }) =>
        invoke(this.#shared.target('extractor', id), 'init', () => extractor.init?.(this.#shared.chain, reader)),
      ),
    )
    this.#initialized = true
  }

  #pollHead(): void {
    const { source, headPollMs } = this.#parts
    const now = this.#shared.clock.now()
    if (!source.head || now - this.#headPolledAt < headPollMs) return
    this.#headPolledAt = now
    source.head().then(
      (head) => this.#shared.status.onHead(head),
      (error: unknown) => this.#shared.logger.debug({ err: error }, 'head poll failed'),
    )
  }

  async #close(): Promise<void> {
    const closing = [...this.#parts.extractors.map((slot) => slot.extractor), this.#parts.source]
    for (const component of closing) {
      await component.close?.().catch((error: unknown) => this.#shared.logger.warn({ err: error }, 'close failed'))
    }
  }
}
