import { Metadata, type ServerWritableStream, status } from '@grpc/grpc-js'
import { encodeRetractionProto, type Retraction } from '@qenus/core'
import type { Feed, FeedBlock, FeedReader, LogEntry } from './feed.js'
import type { FeatureMatcher } from './filter.js'
import { blockEndFrame, eventFrame } from './proto.js'

/** What a stream asked for, validated. @internal */
export interface StreamSpec {
  /** Which features. */
  filter: FeatureMatcher
  /** First block to send per chain id; chains not in it go live only. */
  from: ReadonlyMap<number, bigint>
  /** Whether to send a `BlockEnd` after each block. */
  blockEnds: boolean
  /** The replay: retained blocks from `from`, in order per chain. */
  replay: FeedBlock[]
}

/** Trailing metadata key naming, per chain, the last block a stream sent whole. */
export const LAST_BLOCK_METADATA = 'qenus-last-block'

/**
 * One StreamFeatures call: sends its replay, then follows the feed's log from where it joined,
 * writing only while the call's buffer has room. It never holds messages of its own, so its
 * backlog is its distance from the feed's end, which the feed bounds.
 *
 * A stream whose filter takes mempool features also follows the feed's pending log from where it
 * joined (never a replay), sending each pending batch after the block entries logged before it.
 *
 * @internal
 */
export class Subscription implements FeedReader {
  readonly #feed: Feed
  readonly #call: ServerWritableStream<unknown, Buffer>
  readonly #spec: StreamSpec
  readonly #onEnd: (evicted: boolean) => void
  /** The newest block sent whole, per chain name. */
  readonly #sent = new Map<string, bigint>()
  #cursor: number
  #pendingCursor: number | undefined
  #replayed = 0
  #wake: (() => void) | undefined
  #drained: (() => void) | undefined
  #ended = false

  constructor(
    feed: Feed,
    call: ServerWritableStream<unknown, Buffer>,
    spec: StreamSpec,
    onEnd: (evicted: boolean) => void,
  ) {
    this.#feed = feed
    this.#call = call
    this.#spec = spec
    this.#onEnd = onEnd
    this.#cursor = feed.end
    this.#pendingCursor = spec.filter.pending ? feed.pendingEnd : undefined
    call.on('cancelled', () => this.end())
    call.on('close', () => this.end())
  }

  /** {@inheritDoc FeedReader.cursor} */
  get cursor(): number {
    return this.#cursor
  }

  /** Joins the feed and pumps until the call ends. */
  run(): void {
    this.#feed.add(this)
    this.#pump().catch(() => this.end())
  }

  /** {@inheritDoc FeedReader.pendingCursor} */
  get pendingCursor(): number | undefined {
    return this.#pendingCursor
  }

  /** {@inheritDoc FeedReader.wake} */
  wake(): void {
    this.#wake?.()
  }

  /**
   * Ends the call with RESOURCE_EXHAUSTED. What was written still reaches the client first, so
   * the trailing `qenus-last-block` is the last block it received whole.
   */
  evict(lag: number): void {
    if (this.#ended) return
    const last = [...this.#sent].map(([chain, block]) => `${chain}=${block}`).join(',')
    const metadata = new Metadata()
    if (last) metadata.set(LAST_BLOCK_METADATA, last)
    const resume = last ? `last block received: ${last}; resume with from_blocks` : 'no block was sent whole'
    this.#finish(true)
    this.#call.emit('error', {
      code: status.RESOURCE_EXHAUSTED,
      details: `stream fell ${lag} messages behind the feed, more than the server buffers; ${resume}`,
      metadata,
    })
  }

  /** Stops pumping (client gone or server closing) without a status of its own. */
  end(): void {
    this.#finish(false)
  }

  /** Ends the call with `code`, e.g. UNAVAILABLE when the server shuts down. */
  fail(code: status, details: string): void {
    if (this.#ended) return
    this.#finish(false)
    this.#call.emit('error', { code, details, metadata: new Metadata() })
  }

  #finish(evicted: boolean): void {
    if (this.#ended) return
    this.#ended = true
    this.#feed.remove(this)
    this.#wake?.()
    this.#drained?.()
    this.#onEnd(evicted)
  }

  async #pump(): Promise<void> {
    while (!this.#ended) {
      const replay = this.#spec.replay[this.#replayed]
      if (replay) {
        await this.#sendBlock(replay)
        this.#replayed++
        continue
      }
      const pending = this.#nextPending()
      if (pending) {
        await this.#sendPending(pending)
        this.#pendingCursor!++
        continue
      }
      const entry = this.#feed.entry(this.#cursor)
      if (!entry) {
        await new Promise<void>((resolve) => {
          this.#wake = resolve
        })
        this.#wake = undefined
        continue
      }
      await this.#sendEntry(entry)
      this.#cursor++
    }
  }

  /** The next pending batch, once every block entry logged before it was sent. */
  #nextPending(): FeedBlock | undefined {
    if (this.#pendingCursor === undefined) return undefined
    const entry = this.#feed.pendingEntry(this.#pendingCursor)
    return entry && entry.after <= this.#cursor ? entry.block : undefined
  }

  /** Mempool features: no BlockEnd and no `qenus-last-block` update, since the block is not theirs. */
  async #sendPending(batch: FeedBlock): Promise<void> {
    const { filter } = this.#spec
    const from = this.#spec.from.get(batch.chain.chainId)
    // Seen on head N, they bid for block N + 1: a stream starting later does not want them.
    if (!filter.chain(batch.chain.name) || (from !== undefined && batch.ref.number + 1n < from)) return
    for (let i = 0; i < batch.features.length && !this.#ended; i++) {
      if (filter.feature(batch.features[i]!)) await this.#write(batch.frame(i))
    }
  }

  async #sendEntry(entry: LogEntry): Promise<void> {
    if (entry.type === 'block') {
      const from = this.#spec.from.get(entry.block.chain.chainId)
      if (from === undefined || entry.block.ref.number >= from) await this.#sendBlock(entry.block)
    } else await this.#sendRevert(entry.retraction, entry.withdrawn)
  }

  async #sendBlock(block: FeedBlock): Promise<void> {
    const { filter, blockEnds } = this.#spec
    if (!filter.chain(block.chain.name)) return
    for (let i = 0; i < block.features.length && !this.#ended; i++) {
      if (filter.feature(block.features[i]!)) await this.#write(block.frame(i))
    }
    if (blockEnds) await this.#write(blockEndFrame(block.chain.name, block.chain.chainId, block.ref))
    if (!this.#ended) this.#sent.set(block.chain.name, block.ref.number)
  }

  /** Sent only when this stream had sent a withdrawn block, with the ids of the features it sent. */
  async #sendRevert(retraction: Retraction, withdrawn: FeedBlock[]): Promise<void> {
    const chain = retraction.chain.name
    const sent = this.#sent.get(chain)
    if (sent === undefined || sent <= retraction.to.number) return
    const ids = new Set<string>()
    for (const block of withdrawn) {
      if (block.ref.number <= sent) for (const f of block.features) if (this.#spec.filter.feature(f)) ids.add(f.id)
    }
    const own = { ...retraction, ids: retraction.ids.filter((id) => ids.has(id)) }
    await this.#write(eventFrame('retraction', encodeRetractionProto(own)))
    this.#sent.set(chain, retraction.to.number)
  }

  async #write(frame: Buffer): Promise<void> {
    if (this.#ended) return
    if (this.#call.write(frame)) return
    await new Promise<void>((resolve) => {
      const done = () => {
        this.#call.off('drain', done)
        this.#drained = undefined
        resolve()
      }
      this.#call.on('drain', done)
      // An eviction or a cancel must not leave the pump waiting for a drain that never comes.
      this.#drained = done
    })
  }
}
