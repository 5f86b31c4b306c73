import type { BlockRef, ChainInfo, Feature, FeatureBatch, Retraction } from '@qenus/core'
import { eventFrame, featureBytes } from './proto.js'

/** One block of the feed, with its frames encoded on first use and shared by every stream. @internal */
export class FeedBlock {
  readonly chain: ChainInfo
  readonly ref: BlockRef
  readonly features: Feature[]
  readonly #frames: (Buffer | undefined)[]

  constructor(batch: FeatureBatch) {
    this.chain = batch.chain
    this.ref = batch.block
    this.features = batch.features
    this.#frames = new Array(batch.features.length)
  }

  /** The `FeatureEvent` of feature `i`. */
  frame(i: number): Buffer {
    let frame = this.#frames[i]
    if (!frame) {
      frame = eventFrame('feature', featureBytes(this.features[i] as Feature))
      this.#frames[i] = frame
    }
    return frame
  }
}

/** One entry of the live log. `before` counts the feed's messages before it, for lag. @internal */
export type LogEntry =
  | { type: 'block'; block: FeedBlock; before: number }
  | { type: 'revert'; retraction: Retraction; withdrawn: FeedBlock[]; before: number }

/**
 * One mempool batch of the pending log: `after` is the block log's end when it came, so a reader
 * sends it once it has read every block entry before that position. @internal
 */
export interface PendingEntry {
  block: FeedBlock
  after: number
  before: number
}

/** What the feed needs from a stream. @internal */
export interface FeedReader {
  /** The log position the reader reads next. */
  readonly cursor: number
  /** The pending log position the reader reads next; undefined for a reader that takes no mempool features. */
  readonly pendingCursor?: number | undefined
  /** Wakes the reader: the log grew. */
  wake(): void
  /** Ends the reader: it fell too far behind. */
  evict(lag: number): void
}

/** The replay window of one chain. @internal */
export interface ReplayWindow {
  /** Oldest block that can be replayed. */
  from: bigint
  /** Newest block of the feed. */
  head: BlockRef
}

/**
 * The stream side of the sink: per chain the retained canonical blocks (for replay), and one
 * live log of blocks and reverts that every stream reads at its own pace through a cursor.
 *
 * @remarks
 * Nothing is copied per stream: a stream's backlog is its distance from the log's end. A stream
 * more than `maxLag` messages behind is evicted on the next append, so the log never holds more
 * than that, and a slow stream costs the writer nothing but the check.
 *
 * Mempool batches go to a second log that only readers taking them register on (and that keeps
 * nothing while there are none): they never enter the replay window, and they neither wake nor
 * count against readers that do not take them, so they cannot slow or evict those.
 * @internal
 */
export class Feed {
  readonly #retain: number
  readonly #maxLag: number
  readonly #window = new Map<number, FeedBlock[]>()
  readonly #readers = new Set<FeedReader>()
  #log: LogEntry[] = []
  #base = 0
  #messages = 0
  #pending: PendingEntry[] = []
  #pendingBase = 0
  #pendingMessages = 0

  constructor(retainBlocks: number, maxLag: number) {
    this.#retain = retainBlocks
    this.#maxLag = maxLag
  }

  /** The position after the newest log entry. */
  get end(): number {
    return this.#base + this.#log.length
  }

  /** The log entry at `position`, or undefined at the end. */
  entry(position: number): LogEntry | undefined {
    return this.#log[position - this.#base]
  }

  /** The position after the newest pending log entry. */
  get pendingEnd(): number {
    return this.#pendingBase + this.#pending.length
  }

  /** The pending log entry at `position`, or undefined at the end. */
  pendingEntry(position: number): PendingEntry | undefined {
    return this.#pending[position - this.#pendingBase]
  }

  /** The retained blocks of `chainId` from `from` on, oldest first. */
  replay(chainId: number, from: bigint): FeedBlock[] {
    return (this.#window.get(chainId) ?? []).filter((block) => block.ref.number >= from)
  }

  /** The replay window of `chainId`, or undefined before its first block. */
  window(chainId: number): ReplayWindow | undefined {
    const blocks = this.#window.get(chainId)
    const first = blocks?.[0]
    const last = blocks?.at(-1)
    return first && last ? { from: first.ref.number, head: last.ref } : undefined
  }

  /** Appends a block; evicts streams that fell too far behind, then wakes the others. */
  append(batch: FeatureBatch): void {
    const block = new FeedBlock(batch)
    const blocks = this.#window.get(batch.chain.chainId) ?? []
    blocks.push(block)
    if (blocks.length > this.#retain) blocks.shift()
    this.#window.set(batch.chain.chainId, blocks)
    this.#push({ type: 'block', block, before: this.#messages }, batch.features.length)
  }

  /** Drops the withdrawn blocks from the window and logs the revert for live streams. */
  revert(retraction: Retraction): void {
    const blocks = this.#window.get(retraction.chain.chainId) ?? []
    const kept = blocks.filter((block) => block.ref.number <= retraction.to.number)
    const withdrawn = blocks.slice(kept.length)
    this.#window.set(retraction.chain.chainId, kept)
    this.#push({ type: 'revert', retraction, withdrawn, before: this.#messages }, 1)
  }

  /**
   * Logs a mempool batch for the readers that take mempool features, evicting those too far behind.
   *
   * @returns Whether any reader takes them; when none does, the batch is not kept.
   */
  appendPending(batch: FeatureBatch): boolean {
    const readers = [...this.#readers].filter((reader) => reader.pendingCursor !== undefined)
    if (readers.length === 0) return false
    this.#pending.push({ block: new FeedBlock(batch), after: this.end, before: this.#pendingMessages })
    this.#pendingMessages += batch.features.length
    this.#check(readers)
    this.#trimPending()
    return true
  }

  /** Registers a stream; it reads from its own cursor on. */
  add(reader: FeedReader): void {
    this.#readers.add(reader)
  }

  /** Unregisters a stream. */
  remove(reader: FeedReader): void {
    this.#readers.delete(reader)
  }

  #push(entry: LogEntry, messages: number): void {
    this.#log.push(entry)
    this.#messages += messages
    this.#check(this.#readers)
    this.#trim()
    this.#trimPending()
  }

  /** Evicts the readers more than `maxLag` messages behind (both logs), wakes the others. */
  #check(readers: Iterable<FeedReader>): void {
    for (const reader of readers) {
      const lag = this.#lag(reader)
      if (lag > this.#maxLag) {
        this.#readers.delete(reader)
        reader.evict(lag)
      } else reader.wake()
    }
  }

  #lag(reader: FeedReader): number {
    const blocks = this.#messages - (this.entry(reader.cursor)?.before ?? this.#messages)
    if (reader.pendingCursor === undefined) return blocks
    const pending = this.#pendingMessages - (this.pendingEntry(reader.pendingCursor)?.before ?? this.#pendingMessages)
    return blocks + pending
  }

  /** Drops log entries every stream has read. */
  #trim(): void {
    let low = this.end
    for (const reader of this.#readers) low = Math.min(low, reader.cursor)
    if (low > this.#base) {
      this.#log = this.#log.slice(low - this.#base)
      this.#base = low
    }
  }

  /** Drops pending entries every reader that takes them has read. */
  #trimPending(): void {
    let low = this.pendingEnd
    for (const reader of this.#readers)
      if (reader.pendingCursor !== undefined) low = Math.min(low, reader.pendingCursor)
    if (low > this.#pendingBase) {
      this.#pending = this.#pending.slice(low - this.#pendingBase)
      this.#pendingBase = low
    }
  }
}
