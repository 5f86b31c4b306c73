import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ActiveRule, type FaultEffect } from './rules.js'
import type { Fault, FaultHandle, FaultRule, ProxiedCall, ProxiedReply } from './types.js'
import { startWsRelay, type WsRelay } from './ws.js'

/** A loopback JSON-RPC proxy that injects faults; see {@link startFaultProxy}. */
export interface FaultProxy {
  /** The proxy's http URL. */
  readonly url: string
  /** JSON-RPC calls received, by method (batch elements counted one by one). */
  readonly calls: ReadonlyMap<string, number>
  /** Faults applied so far, by fault type. */
  readonly applied: ReadonlyMap<Fault['type'], number>
  /** Puts a fault in force; rules apply in the order they were injected, the first match wins. */
  inject(rule: FaultRule): FaultHandle
  /** Lifts every fault. */
  clear(): void
  /** Zeroes `calls` and `applied`. */
  resetCounts(): void
  /** Closes the proxy, dropping hung connections. */
  stop(): Promise<void>
  /** The proxy's ws URL (same port): a relay to the target's ws endpoint; see {@link WsRelay}. */
  readonly wsUrl: string
  /** Faults of the ws relay: stalled subscriptions, dropped notifications, closed sockets. */
  readonly ws: WsRelay
}

/**
 * Starts an HTTP JSON-RPC proxy on loopback in front of `target` (anvil, say) that injects faults
 * per method and per request count: 429 with Retry-After, 5xx, hangs, truncated JSON, a wrong
 * chain id, a frozen or lagging head, logs with a wrong block hash, a logs answer missing one log,
 * and -32005 range or response limits. Faults travel over real HTTP, so the client under test
 * sees exactly what a misbehaving provider would send. The same port relays ws connections to the
 * target's ws endpoint, where subscriptions can be stalled, notifications dropped and sockets closed.
 *
 * @param target - The upstream JSON-RPC http URL.
 * @returns The running proxy.
 *
 * @example
 * ```ts
 * import { startFaultProxy } from '@qenus/testkit'
 * const proxy = await startFaultProxy(devnet.rpcUrl)
 * proxy.inject({ fault: { type: 'http-status', status: 429, retryAfterSeconds: 1 }, methods: ['eth_getLogs'], times: 2 })
 * // point the client under test at proxy.url
 * await proxy.stop()
 * ```
 */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const rules: ActiveRule[] = []
  const calls = new Map<string, number>()
  const applied = new Map<Fault['type'], number>()
  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' })
      res.end(`fault proxy: ${String(error)}`)
    })
  })

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req)
    const parsed = JSON.parse(body) as ProxiedCall | ProxiedCall[]
    const batch = Array.isArray(parsed) ? parsed : [parsed]
    for (const call of batch) calls.set(call.method, (calls.get(call.method) ?? 0) + 1)
    const upstream = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    const answer = (await upstream.json()) as ProxiedReply | ProxiedReply[]
    const replies = Array.isArray(answer) ? answer : [answer]
    const byId = new Map(replies.map((r) => [JSON.stringify(r.id), r]))
    let broken: Fault | undefined
    const out = await Promise.all(
      batch.map(async (call) => {
        const reply = byId.get(JSON.stringify(call.id)) ?? { id: call.id, error: { code: -32603, message: 'no reply' } }
        const effect = firstEffect(call, reply)
        if (effect && 'http' in effect) broken ??= effect.http
        if (effect && 'instead' in effect) return { ...(await ask(effect.instead)), id: call.id }
        return effect && 'reply' in effect ? { jsonrpc: '2.0', ...effect.reply } : reply
      }),
    )
    const text = JSON.stringify(Array.isArray(parsed) ? out : out[0])
    if (broken) return breakExchange(res, broken, text)
    res.writeHead(upstream.status, { 'content-type': 'application/json' })
    res.end(text)
  }

  /** The upstream's answer to a call the client did not make (a fault answering one call with another's reply). */
  async function ask(call: { method: string; params: unknown[] }): Promise<ProxiedReply> {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 0, ...call })
    const upstream = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    return (await upstream.json()) as ProxiedReply
  }

  function firstEffect(call: ProxiedCall, reply: ProxiedReply): FaultEffect | undefined {
    for (const rule of rules) {
      const effect = rule.apply(call, reply)
      if (!effect) continue
      const type = rule.rule.fault.type
      applied.set(type, (applied.get(type) ?? 0) + 1)
      return effect
    }
    return undefined
  }

  const ws = startWsRelay(server, target.replace(/^http/, 'ws'), calls)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    wsUrl: url.replace(/^http/, 'ws'),
    ws,
    calls,
    applied,
    inject(rule) {
      const active = new ActiveRule(rule)
      rules.push(active)
      return {
        get applied() {
          return active.applied
        },
        get seen() {
          return active.seen
        },
        remove: () => {
          active.removed = true
        },
      }
    },
    clear() {
      for (const rule of rules) rule.removed = true
      rules.length = 0
    },
    resetCounts() {
      calls.clear()
      applied.clear()
    },
    stop: () =>
      new Promise<void>((resolve) => {
        ws.closeAll()
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

function breakExchange(res: ServerResponse, fault: Fault, text: string): void {
  if (fault.type === 'hang') return
  if (fault.type === 'truncate') {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(text.slice(0, Math.floor(text.length / 2)))
    return
  }
  if (fault.type !== 'http-status') return
  const headers: Record<string, string> = { 'content-type': 'text/plain' }
  if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds)
  res.writeHead(fault.status, headers)
  res.end(`injected HTTP ${fault.status}`)
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks).toString()))
    req.on('error', reject)
  })
}
