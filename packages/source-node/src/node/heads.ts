import type { HeadSubscription, SubscriptionHooks } from '@qenus/source-rpc'
import type { SocketRpc, SubscriptionHandle } from '../transport/socket.js'

const NEW_HEADS = ['newHeads'] as const

/**
 * `eth_subscribe newHeads` on the node's socket, as source-rpc's `HeadFeed` drives it: the
 * socket renews the subscription on every reconnect, and a stalled one is replaced by
 * subscribing again.
 */
export class NodeHeadSubscription implements HeadSubscription {
  #handle: SubscriptionHandle | undefined
  #renewals = 0

  /**
   * @param socket - The node's socket.
   * @param hooks - Where heads go; also told about each time the subscription must be renewed.
   * @param onHead - Sees every raw head too (the source's head age).
   */
  constructor(
    private readonly socket: SocketRpc,
    private readonly hooks: SubscriptionHooks,
    private readonly onHead?: (raw: unknown) => void,
  ) {}

  /** Subscribes. */
  start(): void {
    this.#handle ??= this.socket.subscribe(NEW_HEADS, (raw) => {
      this.onHead?.(raw)
      this.hooks.onHead(raw, this.socket.label)
    })
  }

  /** Subscribes again (the node may have dropped a subscription while the socket stayed up). */
  replace(): void {
    this.#handle?.unsubscribe()
    this.#handle = undefined
    this.#renewals++
    this.start()
  }

  /** Unsubscribes. */
  stop(): void {
    this.#handle?.unsubscribe()
    this.#handle = undefined
  }

  /** The node's socket. */
  get current(): string {
    return this.socket.label
  }

  /** Connections the socket opened, plus renewals. */
  get sockets(): number {
    return this.socket.connections + this.#renewals
  }

  /** Whether the node confirmed the subscription on the live connection. */
  get subscribed(): boolean {
    return this.#handle?.active === true
  }
}
