import { HttpRequestError, RpcRequestError, TimeoutError } from 'viem'
import { InvalidResponseError } from './classify.js'

/** One JSON-RPC call. */
export interface RpcCall {
  /** The method. */
  method: string
  /** Its params. */
  params: unknown[]
}

/** Where a batch is posted: the URL without credentials, and the headers carrying them. */
export interface BatchTarget {
  url: string
  headers: Record<string, string>
}

/**
 * The batch target of a provider URL; `user:password@` moves into a Basic `Authorization` header,
 * since fetch refuses URLs with credentials.
 *
 * @internal
 */
export function batchTarget(raw: string): BatchTarget {
  const url = new URL(raw)
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (url.username) {
    const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`
    headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`
    url.username = ''
    url.password = ''
  }
  return { url: url.toString(), headers }
}

/**
 * Posts `calls` as one JSON-RPC batch over http (a single call as a plain request) and returns
 * their results in call order.
 *
 * @remarks
 * viem's http transport batches too, but every call then passes its dedupe, retry and scheduler
 * layers: for the thousands of headers of a catch-up that cost more than the node's answer. Errors
 * are viem's own classes, so they classify like any other request's: a timeout, an HTTP status
 * (with `Retry-After`), malformed JSON, or the first call's JSON-RPC error.
 *
 * @internal
 */
export async function postBatch(
  target: BatchTarget,
  calls: readonly RpcCall[],
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<unknown[]> {
  const body = calls.map((call, id) => ({ jsonrpc: '2.0', id, method: call.method, params: call.params }))
  // One call goes alone, for providers that take no batches.
  const payload = body.length === 1 ? body[0] : body
  const { url } = target
  const timeout = AbortSignal.timeout(timeoutMs)
  let response: Response
  let text: string
  try {
    const aborted = signal ? AbortSignal.any([signal, timeout]) : timeout
    response = await fetch(url, {
      method: 'POST',
      headers: target.headers,
      body: JSON.stringify(payload),
      signal: aborted,
    })
    text = await response.text()
  } catch (error) {
    if (signal?.aborted) throw signal.reason
    if (timeout.aborted) throw new TimeoutError({ body, url })
    throw new HttpRequestError({ body, url, details: (error as Error).message, cause: error as Error })
  }
  if (!response.ok) {
    throw new HttpRequestError({ body, url, status: response.status, headers: response.headers, details: text })
  }
  const answer: unknown = JSON.parse(text)
  return results(body.length === 1 && !Array.isArray(answer) ? [answer] : answer, body, url)
}

function results(answer: unknown, body: Record<string, unknown>[], url: string): unknown[] {
  if (!Array.isArray(answer)) {
    const error = (answer as { error?: { code: number; message: string } } | null)?.error
    if (error) throw new RpcRequestError({ body, error, url })
    throw new InvalidResponseError('JSON-RPC batch answer is not an array')
  }
  const out = new Array<unknown>(body.length)
  const seen = new Uint8Array(body.length)
  for (const item of answer as { id?: unknown; result?: unknown; error?: { code: number; message: string } }[]) {
    const id = item?.id
    if (!Number.isInteger(id) || (id as number) < 0 || (id as number) >= body.length || seen[id as number]) {
      throw new InvalidResponseError(`JSON-RPC batch answer has an unexpected id ${JSON.stringify(id)}`)
    }
    if (item.error) throw new RpcRequestError({ body, error: item.error, url })
    seen[id as number] = 1
    out[id as number] = item.result
  }
  if (answer.length !== body.length) {
    throw new InvalidResponseError(`JSON-RPC batch answered ${answer.length} of ${body.length} calls`)
  }
  return out
}
