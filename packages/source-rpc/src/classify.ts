import { RetryableError } from '@qenus/core'

/**
 * Why a provider call failed. `range` and `rpc` are answers about the request, not the
 * provider's health; every other class counts against the provider.
 */
export type FailureClass =
  | 'rate-limited'
  | 'server'
  | 'timeout'
  | 'malformed'
  | 'network'
  | 'invalid'
  | 'wrong-chain'
  | 'lagging'
  | 'range'
  | 'rpc'

/** A classified failure: its class and, for `rate-limited`, how long the provider asked us to wait. */
export interface Failure {
  /** The class. */
  kind: FailureClass
  /** From a `Retry-After` header, milliseconds. */
  retryAfterMs?: number | undefined
  /** A short description for logs (never holds a URL). */
  reason: string
}

/** A response that parsed but broke the JSON-RPC contract; the provider is blamed. */
export class InvalidResponseError extends Error {
  /**
   * @param reason - What was wrong, e.g. `log 3 has a malformed blockHash`.
   * @param kind - `invalid`, or `wrong-chain` / `lagging` for the checks with their own class.
   */
  constructor(
    readonly reason: string,
    readonly kind: 'invalid' | 'wrong-chain' | 'lagging' = 'invalid',
  ) {
    super(reason)
    this.name = 'InvalidResponseError'
  }
}

/** An `eth_getLogs` the provider refused or could not finish for its size: the range must shrink. */
export class LogsRangeError extends RetryableError {
  /** @param message - What happened, with the redacted provider. */
  constructor(message: string, cause?: Error) {
    super(message, { code: 'RPC_LOGS_RANGE', cause })
  }
}

const RANGE_MESSAGE =
  /more than \d+ results|too many (results|logs)|response size|block range|range (is )?too (large|wide)|exceeds? (the )?max|limit exceeded.*(range|result)|query timeout|returned more than/i
const RATE_MESSAGE = /rate limit|too many requests|capacity|throttl/i

interface ErrorLike {
  name?: string
  code?: number
  status?: number
  headers?: Headers
  message?: string
  details?: string
  shortMessage?: string
  cause?: unknown
}

function chain(error: unknown): ErrorLike[] {
  const out: ErrorLike[] = []
  for (let e = error as ErrorLike | undefined; e && typeof e === 'object' && out.length < 8; e = e.cause as ErrorLike) {
    out.push(e)
  }
  return out
}

/**
 * Classifies an error thrown by a viem request (or by a response check).
 *
 * @param error - The error.
 * @param method - The JSON-RPC method, since a size complaint means something only for `eth_getLogs`.
 * @returns Its class, with the provider's Retry-After when it sent one.
 */
export function classify(error: unknown, method: string): Failure {
  const links = chain(error)
  const invalid = links.find((e): e is InvalidResponseError => e instanceof InvalidResponseError)
  if (invalid) return { kind: invalid.kind, reason: invalid.reason }
  const text = links.map((e) => `${e.details ?? ''} ${e.message ?? ''}`).join(' ')
  const status = links.find((e) => typeof e.status === 'number')?.status
  if (links.some((e) => e.name === 'TimeoutError')) {
    return { kind: 'timeout', reason: 'timed out' }
  }
  if (links.some((e) => e.name === 'SyntaxError')) return { kind: 'malformed', reason: 'malformed JSON' }
  if (status === 429) {
    return { kind: 'rate-limited', retryAfterMs: retryAfter(links), reason: 'HTTP 429' }
  }
  if (status !== undefined && status >= 500) return { kind: 'server', reason: `HTTP ${status}` }
  if (status !== undefined && status >= 400) return { kind: 'server', reason: `HTTP ${status}` }
  const code = links.find((e) => typeof e.code === 'number' && e.code < 0)?.code
  if (method === 'eth_getLogs' && (code === -32005 || RANGE_MESSAGE.test(text))) {
    return { kind: 'range', reason: `too large (${code ?? 'no code'})` }
  }
  if (code === -32005 || code === -32016 || RATE_MESSAGE.test(text)) {
    return { kind: 'rate-limited', retryAfterMs: retryAfter(links), reason: `rate limited (${code ?? 'no code'})` }
  }
  if (code === 3 || /revert/i.test(text)) return { kind: 'rpc', reason: 'execution reverted' }
  if (code === -32602 || code === -32601) return { kind: 'rpc', reason: `rejected (${code})` }
  if (code !== undefined) return { kind: 'server', reason: `JSON-RPC error ${code}` }
  if (links.some((e) => e.name === 'HttpRequestError')) return { kind: 'network', reason: 'request failed' }
  return { kind: 'server', reason: links[0]?.name ?? 'error' }
}

function retryAfter(links: ErrorLike[]): number | undefined {
  const header = links.find((e) => e.headers instanceof Headers)?.headers?.get('retry-after')
  if (!header) return undefined
  const seconds = Number(header)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const at = Date.parse(header)
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now())
}
