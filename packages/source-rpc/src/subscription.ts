import WebSocket from 'ws'
import type { HeadSubscription } from './heads.js'

/** Delay before the first reconnect; doubled per failed attempt up to {@link MAX_BACKOFF_MS}. */
const MIN_BACKOFF_MS = 100
const MAX_BACKOFF_MS = 5_000

/** A ws endpoint that can serve `eth_subscribe newHeads`. */
export interface WsEndpoint {
  /** The ws(s) URL (a secret: never logged). */
  url: string
  /** The redacted name. */
  name: string
}

/** What a `newHeads` subscription reports. */
export interface SubscriptionHooks {
  /** A `newHeads` notification's raw header, and the endpoint that sent it. */
  onHead(raw: unknown, endpoint: string): void
  /** The socket closed or failed; a reconnect is scheduled after `delayMs`. */
  onDrop(endpoint: string, reason: string, delayMs: number): void
}

/**
 * One `eth_subscribe newHeads` subscription over a raw ws socket, kept alive across endpoints: a
 * dropped socket reconnects with exponential backoff (reset by the first head), rotating through
 * the endpoints, and {@link NewHeadsSubscription.replace} swaps a socket that went silent.
 *
 * @internal
 */
export class NewHeadsSubscription implements HeadSubscription {
  #socket: WebSocket | undefined
  #index = 0
  #failures = 0
  #timer: NodeJS.Timeout | undefined
  #stopped = false
  /** The endpoint the live socket belongs to. */
  current: string | undefined
  /** Sockets opened so far. */
  sockets = 0
  /** Whether the live socket's subscription was confirmed. */
  subscribed = false

  constructor(
    private readonly endpoints: readonly WsEndpoint[],
    private readonly hooks: SubscriptionHooks,
  ) {}

  /** Opens the first socket. */
  start(): void {
    this.#connect()
  }

  /** Drops the current socket and subscribes on the next endpoint at once. */
  replace(): void {
    if (this.#stopped) return
    this.#discard()
    this.#index++
    this.#connect()
  }

  /** Closes the socket and cancels any reconnect. */
  stop(): void {
    this.#stopped = true
    clearTimeout(this.#timer)
    this.#discard()
  }

  #connect(): void {
    if (this.#stopped) return
    const endpoint = this.endpoints[this.#index % this.endpoints.length]!
    const socket = new WebSocket(endpoint.url)
    this.#socket = socket
    this.current = endpoint.name
    this.sockets++
    this.subscribed = false
    let subscription: string | undefined
    socket.on('open', () => {
      socket.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_subscribe', params: ['newHeads'] }))
    })
    socket.on('message', (data) => {
      const message = parse(data.toString())
      if (message?.id === 1 && typeof message.result === 'string') {
        subscription = message.result
        this.subscribed = true
      } else if (message?.method === 'eth_subscription' && message.params?.subscription === subscription) {
        this.#failures = 0
        this.hooks.onHead(message.params?.result, endpoint.name)
      }
    })
    const drop = (reason: string) => {
      if (this.#socket !== socket) return
      this.#discard()
      this.#failures++
      this.#index++
      const delayMs = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** (this.#failures - 1))
      this.hooks.onDrop(endpoint.name, reason, delayMs)
      if (!this.#stopped) this.#timer = setTimeout(() => this.#connect(), delayMs)
    }
    socket.on('close', (code) => drop(`closed (${code})`))
    socket.on('error', (error) => drop(error.message.replaceAll(endpoint.url, endpoint.name)))
  }

  #discard(): void {
    const socket = this.#socket
    this.#socket = undefined
    this.subscribed = false
    socket?.removeAllListeners()
    socket?.on('error', () => undefined)
    socket?.terminate()
  }
}

type Message = {
  id?: unknown
  result?: unknown
  method?: string
  params?: { subscription?: unknown; result?: unknown }
}

function parse(text: string): Message | undefined {
  try {
    return JSON.parse(text) as Message
  } catch {
    return undefined
  }
}
