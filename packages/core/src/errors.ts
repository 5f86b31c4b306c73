/**
 * Parameters shared by every {@link QenusError}.
 */
export interface QenusErrorParameters {
  /** Stable machine-readable code, e.g. `CONFIG_INVALID`. */
  code: string
  /** Longer explanation, printed under the short message. */
  details?: string | undefined
  /** Path of the docs page that explains the error, relative to the docs root. */
  docsPath?: string | undefined
  /** The error that caused this one. */
  cause?: unknown
}

/**
 * Base class of every error the dataplane throws on purpose.
 *
 * @remarks
 * Errors carry a stable `code`, a one-line `shortMessage`, optional `details`, a `docsPath` and
 * a `cause` chain. Use {@link isQenusError} rather than `instanceof` across package boundaries.
 *
 * @example
 * ```ts
 * import { QenusError } from '@qenus/core'
 * throw new QenusError('pool reverted on read', { code: 'POOL_READ_REVERTED' })
 * ```
 */
export class QenusError extends Error {
  override name = 'QenusError'
  /** Stable machine-readable code. */
  readonly code: string
  /** The one-line message, without details. */
  readonly shortMessage: string
  /** Longer explanation, if any. */
  readonly details: string | undefined
  /** Docs page explaining the error, if any. */
  readonly docsPath: string | undefined
  /** Whether the runtime may retry the failed operation. */
  readonly retryable: boolean = false

  constructor(shortMessage: string, params: QenusErrorParameters) {
    const lines = [shortMessage]
    if (params.details) lines.push('', params.details)
    if (params.docsPath) lines.push('', `Docs: ${params.docsPath}`)
    super(lines.join('\n'), params.cause === undefined ? undefined : { cause: params.cause })
    this.code = params.code
    this.shortMessage = shortMessage
    this.details = params.details
    this.docsPath = params.docsPath
    Object.defineProperty(this, QENUS_ERROR, { value: true })
  }
}

const QENUS_ERROR = Symbol.for('qenus.error')

/** True when `error` is a {@link QenusError} from any copy of `@qenus/core`. */
export function isQenusError(error: unknown): error is QenusError {
  return typeof error === 'object' && error !== null && QENUS_ERROR in error
}

/**
 * An error the runtime may retry: a timeout, a rate limit, a provider that is briefly down.
 */
export class RetryableError extends QenusError {
  override name = 'RetryableError'
  override readonly retryable = true
}

/**
 * An error that stops the lane it happened in: retrying it cannot succeed.
 */
export class FatalError extends QenusError {
  override name = 'FatalError'
}
