import { connect, type Socket } from 'node:net'
import { RetryableError } from '@qenus/core'
import WebSocket from 'ws'
import { JsonFramer } from './framing.js'

/** Delay before the first reconnect; doubled per failed attempt up to {@link MAX_BACKOFF_MS}. */
const MIN_BACKOFF_MS = 50
const MAX_BACKOFF_MS = 5_000

/** One JSON-RPC call. */
export interface SocketCall {
  /** The method. */
  method: string
  /** Its params. */
  params: readonly unknown[]
}

/** Options of a {@link SocketRpc}. */
export interface SocketRpcOptions {
  /** An IPC socket path, or a `ws://` / `wss://` URL. */
  endpoint: string
  /** Timeout of one request (or batch), including any wait for a connection, ms. */
  timeoutMs: number
  /** Told when the connection is up (first time and after every reconnect). */
  onConnect?: (() => void) | undefined
  /** Told when the connection dropped; a reconnect follows after `delayMs`. */
  onDrop?: ((reason: string, delayMs: number) => void) | undefined
}

/**
 * An error answer of the node, with the JSON-RPC code and data viem's error mapping reads
 * (a revert's `data` is its reason).
 */
export class JsonRpcError extends Error {
  /**
   * @param code - The JSON-RPC error code.
   * @param message - The node's message.
   * @param data - The error's data, e.g. revert bytes.
   */
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message)
    this.name = 'JsonRpcError'
  }
}

/** A subscription made with {@link SocketRpc.subscribe}. */
export interface SubscriptionHandle {
  /** Whether the node confirmed it on the live connection. */
  readonly active: boolean
  /** Ends it (and stops renewing it on reconnects). */
  unsubscribe(): void
}

interface InFlight {
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
  timer: NodeJS.Timeout
}

interface Subscription {
  params: readonly unknown[]
  onData: (result: unknown) => void
  id?: string | undefined
}

type Message = {
  id?: unknown
  result?: unknown
  error?: { code: number; message: string; data?: unknown }
  method?: string
  params?: { subscription?: string; result?: unknown }
}

/**
 * A lean JSON-RPC client over one socket to a local node: an IPC socket (newline framing, see
 * {@link JsonFramer}) or a WebSocket. Requests are multiplexed by id, batches go as one JSON array,
 * subscriptions survive reconnects (re-subscribed on the new connection), and a dropped connection
 * reconnects with exponential backoff while its in-flight requests fail as retryable.
 *
 * @example
 * ```ts
 * import { SocketRpc } from '@qenus/source-node'
 * const rpc = new SocketRpc({ endpoint: '/data/geth.ipc', timeoutMs: 10_000 })
 * const [block, receipts] = await rpc.batch([
 *   { method: 'eth_getBlockByNumber', params: ['latest', true] },
 *   { method: 'eth_getBlockReceipts', params: ['latest'] },
 * ])
 * rpc.close()
 * ```
 */
export class SocketRpc {
  readonly #inFlight = new Map<number, InFlight>()
  readonly #subscriptions = new Set<Subscription>()
  readonly #bySubscriptionId = new Map<string, Subscription>()
  readonly #waiters = new Set<() => void>()
  #send: ((text: string) => void) | undefined
  #drop: (() => void) | undefined
  #nextId = 1
  #failures = 0
  #timer: NodeJS.Timeout | undefined
  #closed = false
  /** Connections opened so far. */
  connections = 0

  /** @param options - Endpoint, timeout and connection hooks. */
  constructor(private readonly options: SocketRpcOptions) {
    this.#connect()
  }

  /** The endpoint as shown in logs and `/health`: an IPC path as is, a URL without path and query. */
  get label(): string {
    const { endpoint } = this.options
    return /^wss?:/i.test(endpoint) ? `${new URL(endpoint).origin}/` : endpoint
  }

  /** Whether the connection is up. */
  get connected(): boolean {
    return this.#send !== undefined
  }

  /**
   * Sends one call.
   *
   * @returns Its result.
   * @throws JsonRpcError on an error answer; RetryableError `NODE_TIMEOUT` / `NODE_DISCONNECTED`.
   */
  async request(method: string, params: readonly unknown[] = []): Promise<unknown> {
    const id = this.#nextId++
    const message = await this.#exchange([id], JSON.stringify({ jsonrpc: '2.0', id, method, params }))
    return answer(message as Message, method)
  }

  /**
   * Sends calls as one JSON-RPC batch.
   *
   * @returns Their results, in call order.
   * @throws JsonRpcError on the first error answer; RetryableError on a timeout or dropped connection.
   */
  async batch(calls: readonly SocketCall[]): Promise<unknown[]> {
    if (calls.length === 1) return [await this.request(calls[0]!.method, calls[0]!.params)]
    const first = this.#nextId
    this.#nextId += calls.length
    let text = '['
    for (let i = 0; i < calls.length; i++) {
      const { method, params } = calls[i]!
      text += `${i ? ',' : ''}{"jsonrpc":"2.0","id":${first + i},"method":"${method}","params":${JSON.stringify(params)}}`
    }
    const ids = calls.map((_, i) => first + i)
    const messages = (await this.#exchange(ids, `${text}]`)) as Message[]
    if (messages.length !== calls.length) {
      throw new RetryableError(`node answered ${messages.length} of ${calls.length} batched calls`, {
        code: 'NODE_BAD_ANSWER',
      })
    }
    const out = new Array<unknown>(calls.length)
    for (const message of messages) {
      const i = (message.id as number) - first
      out[i] = answer(message, calls[i]!.method)
    }
    return out
  }

  /**
   * Subscribes with `eth_subscribe(...params)`; the subscription is renewed on every reconnect.
   *
   * @param params - e.g. `['newHeads']` or `['newPendingTransactions', true]`.
   * @param onData - Called with each notification's `result`.
   * @returns The subscription's handle.
   */
  subscribe(params: readonly unknown[], onData: (result: unknown) => void): SubscriptionHandle {
    const subscription: Subscription = { params, onData }
    this.#subscriptions.add(subscription)
    if (this.connected) void this.#open(subscription)
    return {
      get active() {
        return subscription.id !== undefined
      },
      unsubscribe: () => {
        this.#subscriptions.delete(subscription)
        if (subscription.id === undefined) return
        this.#bySubscriptionId.delete(subscription.id)
        this.request('eth_unsubscribe', [subscription.id]).catch(() => undefined)
        subscription.id = undefined
      },
    }
  }

  /** Drops the connection and reconnects at once (subscriptions are renewed). */
  reconnect(): void {
    this.#drop?.()
  }

  /** Closes the connection for good; in-flight requests fail. */
  close(): void {
    this.#closed = true
    clearTimeout(this.#timer)
    this.#drop?.()
    for (const wake of this.#waiters) wake()
  }

  /** Sends `text` once connected and resolves with the answer to `ids` (one message, or the batch array). */
  async #exchange(ids: number[], text: string): Promise<unknown> {
    const deadline = Date.now() + this.options.timeoutMs
    if (!this.#send) await this.#connected(deadline)
    return new Promise((resolve, reject) => {
      const id = ids[0]!
      const timer = setTimeout(() => {
        this.#inFlight.delete(id)
        reject(new RetryableError(`node did not answer within ${this.options.timeoutMs} ms`, { code: 'NODE_TIMEOUT' }))
      }, deadline - Date.now())
      this.#inFlight.set(id, { resolve, reject, timer })
      this.#send!(text)
    })
  }

  #connected(deadline: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const wake = () => {
        clearTimeout(timer)
        this.#waiters.delete(wake)
        if (this.#send) resolve()
        else reject(this.#unavailable())
      }
      const timer = setTimeout(wake, Math.max(0, deadline - Date.now()))
      this.#waiters.add(wake)
    })
  }

  #unavailable(): RetryableError {
    const why = this.#closed ? 'closed' : 'not connected'
    return new RetryableError(`node socket ${this.label} is ${why}`, { code: 'NODE_DISCONNECTED' })
  }

  #connect(): void {
    if (this.#closed) return
    this.connections++
    const { endpoint } = this.options
    if (/^wss?:/i.test(endpoint)) this.#connectWs(endpoint)
    else this.#connectIpc(endpoint)
  }

  #connectIpc(path: string): void {
    const socket: Socket = connect(path)
    const framer = new JsonFramer((text) => this.#onMessage(text))
    socket.setNoDelay?.(true)
    socket.on('connect', () => this.#up((text) => socket.write(text)))
    socket.on('data', (chunk: Buffer) => framer.push(chunk))
    this.#watch(
      (reason) => socket.once('close', () => reason('closed')).once('error', (e) => reason(e.message)),
      () => socket.destroy(),
    )
  }

  #connectWs(url: string): void {
    const socket = new WebSocket(url, { maxPayload: 1 << 30 })
    socket.on('open', () => this.#up((text) => socket.send(text)))
    socket.on('message', (data) => this.#onMessage(data.toString()))
    this.#watch(
      (reason) =>
        socket
          .once('close', (code) => reason(`closed (${code})`))
          .once('error', (e) => reason(e.message.replaceAll(url, this.label))),
      () => socket.terminate(),
    )
  }

  /** Handles the end of one connection: fail its requests, reconnect with backoff. */
  #watch(onEnd: (reason: (why: string) => void) => void, destroy: () => void): void {
    let ended = false
    const end = (why: string) => {
      if (ended) return
      ended = true
      this.#send = undefined
      this.#drop = undefined
      destroy()
      const error = new RetryableError(`node socket ${this.label} dropped: ${why}`, { code: 'NODE_DISCONNECTED' })
      for (const [id, waiting] of this.#inFlight) {
        clearTimeout(waiting.timer)
        waiting.reject(error)
        this.#inFlight.delete(id)
      }
      for (const s of this.#subscriptions) s.id = undefined
      this.#bySubscriptionId.clear()
      if (this.#closed) return
      this.#failures++
      const delayMs = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** (this.#failures - 1))
      this.options.onDrop?.(why, delayMs)
      this.#timer = setTimeout(() => this.#connect(), delayMs)
    }
    this.#drop = () => end('closed by client')
    onEnd(end)
  }

  #up(send: (text: string) => void): void {
    this.#send = send
    this.#failures = 0
    for (const wake of [...this.#waiters]) wake()
    for (const s of this.#subscriptions) void this.#open(s)
    this.options.onConnect?.()
  }

  async #open(subscription: Subscription): Promise<void> {
    try {
      const id = (await this.request('eth_subscribe', subscription.params)) as string
      if (!this.#subscriptions.has(subscription)) return
      subscription.id = id
      this.#bySubscriptionId.set(id, subscription)
    } catch {
      // A drop renews every subscription on the next connection; an error answer means the node lacks it.
    }
  }

  #onMessage(text: string): void {
    let message: Message | Message[]
    try {
      message = JSON.parse(text) as Message | Message[]
    } catch {
      return
    }
    if (Array.isArray(message)) this.#settle(message[0]?.id, message)
    else if (message.method === 'eth_subscription') {
      this.#bySubscriptionId.get(message.params?.subscription as string)?.onData(message.params?.result)
    } else this.#settle(message.id, message)
  }

  /** Resolves the request a batch answer's lowest id (or a single answer's id) belongs to. */
  #settle(id: unknown, message: Message | Message[]): void {
    let key = id as number
    if (Array.isArray(message)) for (const m of message) key = Math.min(key, m.id as number)
    const waiting = this.#inFlight.get(key)
    if (!waiting) return
    this.#inFlight.delete(key)
    clearTimeout(waiting.timer)
    waiting.resolve(message)
  }
}

function answer(message: Message, method: string): unknown {
  if (message.error) {
    const { code, message: text, data } = message.error
    throw new JsonRpcError(code, `${method}: ${text}`, data)
  }
  return message.result
}
