import { createHash, timingSafeEqual } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import {
  type Metadata,
  ServerCredentials,
  ServerInterceptingCall,
  type ServerInterceptingCallInterface,
  type ServerInterceptor,
  status,
} from '@grpc/grpc-js'
import { QenusError, RateLimiter } from '@qenus/core'
import type { GrpcTlsOptions } from './options.js'

/**
 * Server credentials from the `tls` option: plaintext without it, TLS with `cert` and `key`,
 * mutual TLS (client certificates required and checked against `ca`) when `ca` is set.
 *
 * @throws A `SINK_GRPC_TLS_INVALID` error naming the file that cannot be read.
 * @internal
 */
export function serverCredentials(tls: GrpcTlsOptions | undefined): ServerCredentials {
  if (!tls) return ServerCredentials.createInsecure()
  const read = (what: string, path: string) => {
    try {
      return readFileSync(resolve(path))
    } catch (cause) {
      throw new QenusError(`grpc sink: cannot read tls.${what} ${resolve(path)}`, {
        code: 'SINK_GRPC_TLS_INVALID',
        cause,
      })
    }
  }
  const pair = { cert_chain: read('cert', tls.cert), private_key: read('key', tls.key) }
  const ca = tls.ca === undefined ? null : read('ca', tls.ca)
  return ServerCredentials.createSsl(ca, [pair], ca !== null)
}

/** Why the guard refused a call. @internal */
export type Refusal = 'unauthenticated' | 'rate-limited'

/** What the guard checks on every call. @internal */
export interface GuardOptions {
  /** Bearer token, if any. */
  token: string | undefined
  /** Calls per second per client address. */
  callsPerSecond: number
  /** Called on every refusal, for metrics. */
  onRefuse(reason: Refusal): void
}

/** Clients tracked for rate limits before the table starts over (bounds memory under address churn). */
const MAX_TRACKED_CLIENTS = 10_000

/**
 * The server interceptor that runs before every handler, the health and reflection services
 * included: checks the bearer token in constant time, then the client's call rate.
 * @internal
 */
export function guardInterceptor(options: GuardOptions): ServerInterceptor {
  const expected = options.token === undefined ? undefined : digest(options.token)
  const limiters = new Map<string, RateLimiter>()
  const limiter = (client: string) => {
    let found = limiters.get(client)
    if (!found) {
      if (limiters.size >= MAX_TRACKED_CLIENTS) limiters.clear()
      found = new RateLimiter({ ratePerSecond: options.callsPerSecond })
      limiters.set(client, found)
    }
    return found
  }
  return (_method, call) =>
    new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, pass) => {
            const refusal = check(metadata, call)
            if (refusal) {
              options.onRefuse(refusal.reason)
              call.sendStatus({ code: refusal.code, details: refusal.details, metadata: null })
            } else pass(metadata)
          },
        }),
    })

  function check(metadata: Metadata, call: ServerInterceptingCallInterface) {
    if (expected && !authorized(metadata, expected)) {
      return {
        reason: 'unauthenticated' as const,
        code: status.UNAUTHENTICATED,
        details: 'missing or wrong bearer token: send metadata `authorization: Bearer <token>`',
      }
    }
    if (!limiter(clientOf(call.getPeer())).tryTake()) {
      return {
        reason: 'rate-limited' as const,
        code: status.RESOURCE_EXHAUSTED,
        details: `more than ${options.callsPerSecond} calls per second from this client`,
      }
    }
    return undefined
  }
}

/** The client address of a peer (`host:port`, `[v6]:port`): limits are per address, not per connection. @internal */
export function clientOf(peer: string): string {
  const colon = peer.lastIndexOf(':')
  return colon > 0 && /^\d+$/.test(peer.slice(colon + 1)) ? peer.slice(0, colon) : peer
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest()
}

/** Compares digests, so the comparison takes the same time whatever the token's length or content. */
function authorized(metadata: Metadata, expected: Buffer): boolean {
  const header = metadata.get('authorization')[0]
  if (typeof header !== 'string' || !header.startsWith('Bearer ')) return false
  return timingSafeEqual(digest(header.slice(7)), expected)
}
