import { QenusError } from '../errors.js'

/**
 * An async FIFO queue with a fixed capacity: `put` waits while the queue is full, which is how
 * a slow consumer slows its producer down (backpressure).
 *
 * @remarks
 * One producer and one consumer are the intended use. Items must not be `undefined`, which
 * `take` uses to say the queue is closed and drained.
 *
 * @example
 * ```ts
 * import { BoundedQueue } from '@qenus/core'
 * const queue = new BoundedQueue<number>(2)
 * await queue.put(1)
 * const item = await queue.take() // 1
 * ```
 */
export class BoundedQueue<T> {
  readonly #items: T[] = []
  readonly #capacity: number
  #closed = false
  #spaceWaiters: (() => void)[] = []
  #itemWaiters: (() => void)[] = []

  /**
   * @param capacity - Items held before `put` waits; at least 1.
   */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new QenusError(`BoundedQueue capacity must be a positive integer, got ${capacity}`, {
        code: 'QUEUE_CAPACITY_INVALID',
      })
    }
    this.#capacity = capacity
  }

  /** Items waiting to be taken. */
  get depth(): number {
    return this.#items.length
  }

  /** The capacity. */
  get capacity(): number {
    return this.#capacity
  }

  /** Whether {@link close} was called. */
  get closed(): boolean {
    return this.#closed
  }

  /**
   * Adds an item, waiting while the queue is full.
   *
   * @throws When the queue is closed, before or while waiting.
   */
  async put(item: T): Promise<void> {
    while (this.#items.length >= this.#capacity && !this.#closed) {
      await new Promise<void>((resolve) => this.#spaceWaiters.push(resolve))
    }
    if (this.#closed) throw new QenusError('put on a closed queue', { code: 'QUEUE_CLOSED' })
    this.#items.push(item)
    this.#wake(this.#itemWaiters)
  }

  /**
   * Takes the oldest item, waiting while the queue is empty.
   *
   * @returns The item, or `undefined` once the queue is closed and drained.
   */
  async take(): Promise<T | undefined> {
    while (this.#items.length === 0 && !this.#closed) {
      await new Promise<void>((resolve) => this.#itemWaiters.push(resolve))
    }
    const item = this.#items.shift()
    if (item !== undefined) this.#wake(this.#spaceWaiters)
    return item
  }

  /**
   * Waits until an item can be taken or the queue is closed, at most `timeoutMs`.
   *
   * @returns `false` when the time ran out first.
   */
  ready(timeoutMs: number): Promise<boolean> {
    if (this.#items.length > 0 || this.#closed) return Promise.resolve(true)
    return new Promise<boolean>((resolve) => {
      const wake = () => {
        clearTimeout(timer)
        resolve(true)
      }
      const timer = setTimeout(() => {
        this.#itemWaiters = this.#itemWaiters.filter((waiter) => waiter !== wake)
        resolve(false)
      }, timeoutMs)
      this.#itemWaiters.push(wake)
    })
  }

  /** Refuses further items; waiting `put`s reject and `take` drains what is left. */
  close(): void {
    this.#closed = true
    this.#wake(this.#itemWaiters)
    this.#wake(this.#spaceWaiters)
  }

  /** Yields items until the queue is closed and drained. */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (let item = await this.take(); item !== undefined; item = await this.take()) yield item
  }

  #wake(waiters: (() => void)[]): void {
    const woken = waiters.splice(0)
    for (const wake of woken) wake()
  }
}
