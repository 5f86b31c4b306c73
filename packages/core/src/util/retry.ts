import { isQenusError } from '../errors.js'
import { sleep } from './sleep.js'

/** How {@link retry} paces and bounds its attempts. */
export interface RetryOptions {
  /** Retries after the first attempt; `Infinity` retries until success or abort. @default 5 */
  retries?: number | undefined
  /** Delay before the first retry. @default 100 */
  minDelayMs?: number | undefined
  /** Upper bound of any delay. @default 10000 */
  maxDelayMs?: number | undefined
  /** Growth of the delay per attempt. @default 2 */
  factor?: number | undefined
  /** Fraction of each delay that is randomised (0 = none, 1 = full jitter). @default 0.2 */
  jitter?: number | undefined
  /** Stops waiting and rejects with the signal's reason. */
  signal?: AbortSignal | undefined
  /** Whether `error` may be retried. @default {@link isRetryable} */
  shouldRetry?: ((error: unknown, attempt: number) => boolean) | undefined
  /** Called before each wait, e.g. to log. */
  onRetry?: ((error: unknown, attempt: number, delayMs: number) => void) | undefined
}

/**
 * True when `error` is a `QenusError` marked retryable (a `RetryableError` from any copy of
 * `@qenus/core`).
 */
export function isRetryable(error: unknown): boolean {
  return isQenusError(error) && error.retryable
}

/**
 * The delay before retry number `attempt` (1-based): exponential, capped, with jitter.
 *
 * @param attempt - 1 for the first retry.
 * @param options - Pacing options.
 * @param random - Source of randomness in [0, 1).
 * @returns Milliseconds to wait.
 */
export function backoffDelay(attempt: number, options: RetryOptions = {}, random: () => number = Math.random): number {
  const { minDelayMs = 100, maxDelayMs = 10_000, factor = 2, jitter = 0.2 } = options
  const base = Math.min(maxDelayMs, minDelayMs * factor ** (attempt - 1))
  return Math.round(base * (1 - jitter * random()))
}

/**
 * Calls `fn` until it succeeds, retrying errors `shouldRetry` accepts with exponential backoff.
 *
 * @param fn - The operation; receives the attempt number (0 for the first call).
 * @param options - Pacing, bounds and abort signal.
 * @returns What `fn` resolved to.
 * @throws The last error when it is not retryable or the retries ran out; the signal's reason on abort.
 *
 * @example
 * ```ts
 * import { retry } from '@qenus/core'
 * const block = await retry(() => client.getBlockNumber(), { retries: 3, minDelayMs: 250 })
 * ```
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const { retries = 5, shouldRetry = isRetryable, signal } = options
  for (let attempt = 0; ; attempt++) {
    signal?.throwIfAborted()
    try {
      return await fn(attempt)
    } catch (error) {
      if (attempt >= retries || signal?.aborted || !shouldRetry(error, attempt + 1)) throw error
      const delay = backoffDelay(attempt + 1, options)
      options.onRetry?.(error, attempt + 1, delay)
      await sleep(delay, signal)
    }
  }
}
