import { Counter, Gauge, type Registry } from 'prom-client'
import type { SocketRpc } from '../transport/socket.js'

/** What {@link NodeHealth} reports on `/health`. */
export interface NodeHealthSnapshot {
  /** `down` when the socket is not connected, `degraded` while the node syncs or has too few peers, else `ok`. */
  state: 'ok' | 'degraded' | 'down'
  /** The node's socket path or ws origin. */
  endpoint: string
  /** Whether the socket is connected. */
  connected: boolean
  /** Connections opened so far (1 + reconnects). */
  connections: number
  /** `eth_syncing`: `false`, or the node's progress object; `undefined` until first asked. */
  syncing?: false | Record<string, unknown> | undefined
  /** `net_peerCount`; `undefined` when the node does not answer it (anvil). */
  peers?: number | undefined
  /** The newest head the node reported. */
  head?: { number: string; timestamp: string; ageSeconds: number } | undefined
}

/**
 * The node's own health: connection, `eth_syncing` and `net_peerCount` polled every interval,
 * and the age of its newest head (wall clock minus the head's timestamp), for `/health` and as
 * `qenus_node_*` metrics.
 */
export class NodeHealth {
  #timer: NodeJS.Timeout | undefined
  #syncing: NodeHealthSnapshot['syncing']
  #peers: number | undefined
  #head: { number: bigint; timestamp: bigint } | undefined
  #release: (() => void) | undefined

  /**
   * @param socket - The node's socket.
   * @param options - Poll interval, the fewest peers that count as healthy, and where metrics go.
   */
  constructor(
    private readonly socket: SocketRpc,
    private readonly options: {
      intervalMs: number
      minPeers: number
      metrics?: { registry: Registry; chainName: string } | undefined
    },
  ) {
    if (options.metrics) this.#release = register(options.metrics.registry, options.metrics.chainName, this)
  }

  /** Polls now and then every interval, until {@link NodeHealth.stop}. */
  start(): void {
    if (this.#timer) return
    const poll = () => void this.poll()
    this.#timer = setInterval(poll, this.options.intervalMs)
    this.#timer.unref()
    poll()
  }

  /** Stops polling and reporting metrics. */
  stop(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
    this.#release?.()
  }

  /** Asks the node for its sync status, peer count and latest head. */
  async poll(): Promise<void> {
    const [syncing, peers, latest] = await Promise.allSettled([
      this.socket.request('eth_syncing'),
      this.socket.request('net_peerCount'),
      this.socket.request('eth_getBlockByNumber', ['latest', false]),
    ])
    if (syncing.status === 'fulfilled') this.#syncing = syncing.value as NodeHealthSnapshot['syncing']
    const count = peers.status === 'fulfilled' ? peers.value : undefined
    this.#peers = typeof count === 'string' && /^0x[0-9a-f]+$/i.test(count) ? Number(count) : undefined
    if (latest.status === 'fulfilled') this.sawHead(latest.value)
  }

  /** Records a head (a `newHeads` notification or a polled latest block) if it is the newest. */
  sawHead(raw: unknown): void {
    const { number, timestamp } = (raw ?? {}) as { number?: unknown; timestamp?: unknown }
    if (typeof number !== 'string' || typeof timestamp !== 'string') return
    const head = { number: BigInt(number), timestamp: BigInt(timestamp) }
    if (!this.#head || head.number >= this.#head.number) this.#head = head
  }

  /** Seconds since the newest head's timestamp. */
  headAgeSeconds(): number | undefined {
    return this.#head && Date.now() / 1000 - Number(this.#head.timestamp)
  }

  /** For `/health`. */
  snapshot(): NodeHealthSnapshot {
    const { connected, connections, label } = this.socket
    const syncing = this.#syncing
    const fewPeers = this.#peers !== undefined && this.#peers < this.options.minPeers
    const state = !connected ? 'down' : (syncing !== undefined && syncing !== false) || fewPeers ? 'degraded' : 'ok'
    const head = this.#head
    const age = this.headAgeSeconds()
    return {
      state,
      endpoint: label,
      connected,
      connections,
      syncing,
      peers: this.#peers,
      head: head && { number: `${head.number}`, timestamp: `${head.timestamp}`, ageSeconds: Math.round(age ?? 0) },
    }
  }
}

const families = new WeakMap<Registry, Map<string, NodeHealth>>()

/** Registers the `qenus_node_*` series (once per registry); values are read from each chain's monitor at scrape time. */
function register(registry: Registry, chain: string, health: NodeHealth): () => void {
  let members = families.get(registry)
  if (!members) {
    const all = new Map<string, NodeHealth>()
    members = all
    const registers = [registry]
    const labelNames = ['chain'] as const
    const gauge = (name: string, help: string, value: (s: NodeHealthSnapshot, h: NodeHealth) => number | undefined) =>
      new Gauge({
        name,
        help,
        labelNames,
        registers,
        collect() {
          this.reset()
          for (const [chain, h] of all) {
            const v = value(h.snapshot(), h)
            if (v !== undefined) this.set({ chain }, v)
          }
        },
      })
    gauge('qenus_node_connected', 'Whether the socket to the node is connected (1) or not (0)', (s) =>
      s.connected ? 1 : 0,
    )
    gauge('qenus_node_syncing', 'Whether the node reports eth_syncing progress (1) or is synced (0)', (s) =>
      s.syncing === undefined ? undefined : s.syncing === false ? 0 : 1,
    )
    gauge('qenus_node_peers', 'The node peer count (net_peerCount)', (s) => s.peers)
    gauge('qenus_node_head_age_seconds', 'Wall clock minus the timestamp of the node newest head', (_, h) =>
      h.headAgeSeconds(),
    )
    new Counter({
      name: 'qenus_node_connections_total',
      help: 'Connections opened to the node (1 + reconnects)',
      labelNames,
      registers,
      collect() {
        this.reset()
        for (const [chain, h] of all) this.inc({ chain }, h.snapshot().connections)
      },
    })
    families.set(registry, all)
  }
  const family = members
  family.set(chain, health)
  return () => {
    if (family.get(chain) === health) family.delete(chain)
  }
}
