import type { BlockHeader } from '@qenus/core'
import type { HeadNotifier } from './block-stream.js'
import { toHeader } from './rpc.js'
import type { SubscriptionHooks } from './subscription.js'
import { checkBlock, quantity } from './validate.js'

/** Headers from notifications kept for the stream to take, at most this many blocks back. */
const KEPT_HEADERS = 64n

/**
 * A live `newHeads` subscription a {@link HeadFeed} drives: over ws providers in source-rpc, over
 * the node's socket in source-node.
 */
export interface HeadSubscription {
  /** Subscribes (once). */
  start(): void
  /** Drops the subscription and subscribes again (on the next endpoint, where there are several). */
  replace(): void
  /** Unsubscribes for good. */
  stop(): void
  /** The endpoint the subscription is on, redacted. */
  readonly current: string | undefined
  /** Connections opened so far. */
  readonly sockets: number
  /** Whether the subscription is confirmed now. */
  readonly subscribed: boolean
}

/** What a `HeadFeed` needs. */
export interface HeadFeedConfig {
  /** Polls the head. */
  rpc: { blockNumber(signal?: AbortSignal): Promise<bigint> }
  /** Makes the subscription, reporting to the hooks given. */
  subscribe: (hooks: SubscriptionHooks) => HeadSubscription
  /** `ws`: the subscription, polling only to check a silent one; `both`: the subscription and polling at once. */
  mode: 'ws' | 'both'
  /** Poll interval in `both` mode, ms. */
  pollIntervalMs: number
  /** No head for this long while polling sees a newer one: the subscription is stalled and replaced, ms. */
  stallMs: number
  /** Logs what is worth a line. */
  warn: (fields: object, message: string) => void
}

/** What `HeadFeed` reports on `/health`. */
export interface HeadFeedSnapshot {
  /** `ws` or `both`. */
  mode: 'ws' | 'both'
  /** The endpoint the subscription is on, redacted. */
  subscription?: string | undefined
  /** Sockets opened so far (reconnects and replacements included). */
  sockets: number
  /** Heads first learnt from the subscription. */
  fromWs: number
  /** Heads first learnt by polling. */
  fromPoll: number
  /** Subscriptions found stalled and replaced. */
  stalls: number
  /** Whether the subscription is confirmed now. */
  subscribed: boolean
}

/**
 * New heads from an `eth_subscribe newHeads` subscription, with polling beside it (`both`) or as
 * a watchdog (`ws`): the first report of a height wins and later ones are dropped, and a
 * subscription that stays silent for `stallMs` while polling sees a newer head is replaced.
 * Heights the subscription skipped are not lost: the stream fetches every block up to the head.
 *
 * @example
 * ```ts
 * const feed = new HeadFeed({ rpc, subscribe: (hooks) => new MySubscription(hooks), mode: 'ws',
 *   pollIntervalMs: 500, stallMs: 36_000, warn })
 * feed.start()
 * const head = await feed.next(100n, signal)
 * ```
 */
export class HeadFeed implements HeadNotifier {
  readonly #subscription: HeadSubscription
  readonly #headers = new Map<bigint, BlockHeader>()
  #latest = -1n
  #wsHead = -1n
  #wsAt = Date.now()
  #checkedAt = 0
  #wake: (() => void) | undefined
  #started = false
  #following = false
  readonly #stats = { fromWs: 0, fromPoll: 0, stalls: 0 }

  /** @param config - The subscription, the poller and the stall rules. */
  constructor(private readonly config: HeadFeedConfig) {
    this.#subscription = config.subscribe({
      onHead: (raw, endpoint) => this.#onNotification(raw, endpoint),
      onDrop: (endpoint, reason, delayMs) =>
        config.warn({ provider: endpoint, reason, delayMs }, 'newHeads subscription dropped; reconnecting'),
    })
  }

  /**
   * Waits for a head above `after`.
   *
   * @param after - The last block the stream has.
   * @param signal - Ends the wait.
   * @returns The newest known head, above `after`.
   */
  async next(after: bigint, signal: AbortSignal): Promise<bigint> {
    this.start()
    if (!this.#following) {
      this.#following = true
      this.#wsAt = Date.now()
      if (after > this.#wsHead) this.#wsHead = after
    }
    for (;;) {
      signal.throwIfAborted()
      if (this.#latest > after) return this.#latest
      if (await this.#sleep(this.#untilCheck(), signal)) continue
      await this.#check(signal)
    }
  }

  /** Opens the subscription (once), so it is live by the time the stream has caught up. */
  start(): void {
    if (this.#started) return
    this.#started = true
    this.#subscription.start()
  }

  /** The header a notification carried for block `number`, once (a later fetch asks the node). */
  take(number: bigint): BlockHeader | undefined {
    const header = this.#headers.get(number)
    this.#headers.delete(number)
    return header
  }

  /** Closes the subscription. */
  stop(): void {
    this.#subscription.stop()
    this.#wake?.()
  }

  /** For `/health`. */
  snapshot(): HeadFeedSnapshot {
    const { mode } = this.config
    const { current, sockets, subscribed } = this.#subscription
    return { mode, subscription: current, sockets, subscribed, ...this.#stats }
  }

  #untilCheck(): number {
    if (this.config.mode === 'both') return this.config.pollIntervalMs
    return Math.max(0, Math.max(this.#wsAt, this.#checkedAt) + this.config.stallMs - Date.now())
  }

  /** Polls the head; replaces the subscription when it has been silent while the chain moved on. */
  async #check(signal: AbortSignal): Promise<void> {
    const polled = await this.config.rpc.blockNumber(signal)
    this.#checkedAt = Date.now()
    if (polled > this.#latest) this.#stats.fromPoll++
    this.#offer(polled)
    if (polled > this.#wsHead && Date.now() - this.#wsAt >= this.config.stallMs) {
      this.#stats.stalls++
      this.config.warn(
        { provider: this.#subscription.current, head: `${polled}`, lastWsHead: `${this.#wsHead}` },
        'newHeads subscription stalled; replacing it',
      )
      this.#wsAt = Date.now()
      this.#wsHead = polled
      this.#subscription.replace()
    }
  }

  #onNotification(raw: unknown, endpoint: string): void {
    let header: BlockHeader
    try {
      const number = quantity((raw as { number?: unknown } | null)?.number, 'newHeads number')
      checkBlock(raw, number)
      header = toHeader(raw as never)
    } catch (error) {
      this.config.warn({ provider: endpoint, reason: (error as Error).message }, 'bad newHeads notification; ignored')
      return
    }
    this.#wsAt = Date.now()
    if (header.number > this.#wsHead) this.#wsHead = header.number
    this.#headers.set(header.number, header)
    for (const n of this.#headers.keys()) if (n + KEPT_HEADERS < header.number) this.#headers.delete(n)
    if (header.number > this.#latest) this.#stats.fromWs++
    this.#offer(header.number)
  }

  #offer(head: bigint): void {
    if (head <= this.#latest) return
    this.#latest = head
    this.#wake?.()
  }

  /** Resolves true when woken by a new head, false after `ms`. */
  #sleep(ms: number, signal: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (woken: boolean) => {
        clearTimeout(timer)
        signal.removeEventListener('abort', onAbort)
        this.#wake = undefined
        resolve(woken)
      }
      const onAbort = () => done(true)
      const timer = setTimeout(() => done(false), ms)
      signal.addEventListener('abort', onAbort, { once: true })
      this.#wake = () => done(true)
    })
  }
}
