import type { Server } from 'node:http'
import WebSocket, { WebSocketServer } from 'ws'

/**
 * The ws side of a {@link FaultProxy}: every client socket is relayed to its own upstream socket,
 * JSON-RPC calls are counted by method, and subscription notifications can be withheld.
 */
export interface WsRelay {
  /** Client sockets opened so far. */
  readonly connections: number
  /** `eth_subscription` notifications delivered so far. */
  readonly notifications: number
  /** Sockets open now. */
  readonly open: number
  /**
   * Stalls the subscriptions of every socket open now: they stay open and answer calls, but their
   * notifications are dropped. Sockets opened later are not stalled.
   */
  stallOpenSockets(): void
  /** Drops the next `count` subscription notifications, whichever socket they are for. */
  dropNotifications(count: number): void
  /** Closes every client socket (as a provider restart would). */
  closeAll(): void
}

interface Pair {
  client: WebSocket
  upstream: WebSocket
  stalled: boolean
}

/**
 * Relays ws upgrades of `server` to `target`.
 *
 * @param server - The proxy's http server.
 * @param target - The upstream ws URL.
 * @param calls - Where JSON-RPC calls are counted by method.
 * @internal
 */
export function startWsRelay(server: Server, target: string, calls: Map<string, number>): WsRelay {
  const wss = new WebSocketServer({ noServer: true })
  const pairs = new Set<Pair>()
  let connections = 0
  let notifications = 0
  let toDrop = 0
  server.on('upgrade', (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, (client) => {
      connections++
      const upstream = new WebSocket(target)
      const pair: Pair = { client, upstream, stalled: false }
      pairs.add(pair)
      const pending: string[] = []
      upstream.on('open', () => {
        for (const message of pending.splice(0)) upstream.send(message)
      })
      client.on('message', (data) => {
        const text = data.toString()
        countCalls(text, calls)
        if (upstream.readyState === WebSocket.OPEN) upstream.send(text)
        else pending.push(text)
      })
      upstream.on('message', (data) => {
        const text = data.toString()
        if (text.includes('"eth_subscription"')) {
          if (pair.stalled) return
          if (toDrop > 0) {
            toDrop--
            return
          }
          notifications++
        }
        if (client.readyState === WebSocket.OPEN) client.send(text)
      })
      const close = () => {
        pairs.delete(pair)
        client.terminate()
        upstream.terminate()
      }
      client.on('close', close)
      client.on('error', close)
      upstream.on('close', close)
      upstream.on('error', close)
    })
  })
  return {
    get connections() {
      return connections
    },
    get notifications() {
      return notifications
    },
    get open() {
      return pairs.size
    },
    stallOpenSockets() {
      for (const pair of pairs) pair.stalled = true
    },
    dropNotifications(count) {
      toDrop += count
    },
    closeAll() {
      for (const pair of [...pairs]) {
        pair.client.terminate()
        pair.upstream.terminate()
      }
      pairs.clear()
    },
  }
}

function countCalls(text: string, calls: Map<string, number>): void {
  try {
    const parsed = JSON.parse(text) as { method?: string } | { method?: string }[]
    for (const call of Array.isArray(parsed) ? parsed : [parsed]) {
      if (typeof call.method === 'string') calls.set(call.method, (calls.get(call.method) ?? 0) + 1)
    }
  } catch {
    // Not JSON: relayed as is, not counted.
  }
}
