import { QenusError } from '../errors.js'
import type { Logger } from '../observability/logger.js'
import type { ComponentLabels, Metrics } from '../observability/metrics.js'
import { isRetryable, type RetryOptions, retry } from '../util/retry.js'

/** What {@link invoke} needs to wrap one component call. */
export interface InvokeTarget {
  /** Metric labels of the component. */
  labels: ComponentLabels
  /** The component's logger. */
  logger: Logger
  /** The pipeline's metrics. */
  metrics: Metrics
  /** Retry policy for `RetryableError`s. */
  retry: RetryOptions
  /** Told about every error, retried or not, for `/health`. */
  onError(error: unknown): void
}

/**
 * Calls a component method with the wrapper every component gets: latency and error metrics,
 * retries with backoff on `RetryableError`, and a clear error naming the component otherwise.
 *
 * @internal
 */
export function invoke<T>(target: InvokeTarget, method: string, fn: () => T | Promise<T>): Promise<T> {
  const { labels, metrics, logger } = target
  return retry(
    async () => {
      const end = metrics.componentLatency.startTimer(labels)
      try {
        return await fn()
      } catch (error) {
        metrics.componentErrors.inc(labels)
        target.onError(error)
        throw error
      } finally {
        end()
      }
    },
    {
      ...target.retry,
      onRetry: (error, attempt, delayMs) =>
        logger.warn({ err: error, attempt, delayMs }, `${labels.role} ${method} failed; retrying`),
    },
  ).catch((error: unknown) => {
    throw new QenusError(`${labels.role} "${labels.component}" failed in ${method} on ${labels.chain}`, {
      code: isRetryable(error) ? 'COMPONENT_RETRIES_EXHAUSTED' : 'COMPONENT_FAILED',
      details: (error as Error)?.message,
      cause: error,
    })
  })
}
