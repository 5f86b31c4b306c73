import type { ChainEvent, ChainInfo, Hex, PendingEvent } from '@qenus/core'
import type { SocketRpc, SubscriptionHandle } from '../transport/socket.js'

const FULL_PENDING = ['newPendingTransactions', true] as const
const HASH = /^0x[0-9a-f]{64}$/i

/** What {@link PendingFeed} reports on `/health`. */
export interface PendingFeedSnapshot {
  /** Whether the node confirmed the subscription. */
  subscribed: boolean
  /** Pending transactions received. */
  received: number
  /** Dropped because the queue was full (the pipeline fell behind the mempool). */
  dropped: number
  /** Waiting to be streamed. */
  queued: number
}

/**
 * Pending transactions from `eth_subscribe ['newPendingTransactions', true]` (full bodies, as
 * geth, reth and anvil send them), queued as core's `PendingEvent`s; a node that sends only hashes
 * has each body fetched with `eth_getTransactionByHash`. The queue is bounded: when the pipeline
 * falls behind, the oldest pending transactions are dropped (they are likely mined by then).
 */
export class PendingFeed {
  readonly #queue: PendingEvent[] = []
  #handle: SubscriptionHandle | undefined
  #wake: (() => void) | undefined
  #received = 0
  #dropped = 0

  /**
   * @param socket - The node's socket.
   * @param chain - The lane's chain, set on every event.
   * @param maxQueued - Pending events kept before the oldest are dropped.
   */
  constructor(
    private readonly socket: SocketRpc,
    private readonly chain: ChainInfo,
    private readonly maxQueued: number,
  ) {}

  /** Subscribes. */
  start(): void {
    this.#handle ??= this.socket.subscribe(FULL_PENDING, (result) => this.#onPending(result))
  }

  /** Unsubscribes and wakes a waiter. */
  stop(): void {
    this.#handle?.unsubscribe()
    this.#handle = undefined
    this.#wake?.()
  }

  /** The oldest queued event, if any. */
  shift(): PendingEvent | undefined {
    return this.#queue.shift()
  }

  /** Resolves when an event is queued (or the feed stops). */
  wait(): Promise<void> {
    if (this.#queue.length) return Promise.resolve()
    return new Promise((resolve) => {
      this.#wake = () => {
        this.#wake = undefined
        resolve()
      }
    })
  }

  /** For `/health`. */
  snapshot(): PendingFeedSnapshot {
    return {
      subscribed: this.#handle?.active === true,
      received: this.#received,
      dropped: this.#dropped,
      queued: this.#queue.length,
    }
  }

  #onPending(result: unknown): void {
    if (typeof result === 'string') {
      if (HASH.test(result)) void this.#fetch(result as Hex)
      return
    }
    const hash = (result as { hash?: unknown } | null)?.hash
    if (typeof hash !== 'string' || !HASH.test(hash)) return
    this.#push(result as Record<string, unknown>, hash)
  }

  async #fetch(hash: Hex): Promise<void> {
    const body = await this.socket.request('eth_getTransactionByHash', [hash]).catch(() => null)
    if (body && typeof body === 'object') this.#push(body as Record<string, unknown>, hash)
  }

  #push(transaction: Record<string, unknown>, hash: string): void {
    this.#received++
    if (this.#queue.length >= this.maxQueued) {
      this.#queue.shift()
      this.#dropped++
    }
    this.#queue.push({ type: 'pending', chain: this.chain, hash: hash.toLowerCase() as Hex, transaction })
    this.#wake?.()
  }
}

/**
 * The block stream with pending events interleaved as they arrive: blocks and reverts keep their
 * order, and a pending transaction is yielded between them as soon as the consumer pulls.
 *
 * @param blocks - The block stream.
 * @param pending - The mempool feed.
 */
export async function* withPending(
  blocks: AsyncGenerator<ChainEvent>,
  pending: PendingFeed,
): AsyncGenerator<ChainEvent> {
  let next = blocks.next()
  // The race may leave `next` unawaited when the stream ends on a pending turn.
  next.catch(() => undefined)
  try {
    for (;;) {
      for (let event = pending.shift(); event; event = pending.shift()) yield event
      const won = await Promise.race([next, pending.wait().then(() => undefined)])
      if (!won) continue
      if (won.done) return
      yield won.value
      next = blocks.next()
      next.catch(() => undefined)
    }
  } finally {
    void blocks.return(undefined).catch(() => undefined)
  }
}
