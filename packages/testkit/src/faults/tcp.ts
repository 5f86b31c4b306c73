import { connect, createServer, type Socket } from 'node:net'

/** How {@link TcpFaultProxy.cut} breaks the path. */
export type TcpCutMode = 'reset' | 'stall'

/** A loopback TCP proxy that can cut the path to its target; see {@link startTcpProxy}. */
export interface TcpFaultProxy {
  /** `127.0.0.1:port` to connect to instead of the target. */
  readonly address: string
  /** The proxy's port. */
  readonly port: number
  /** Connections open through the proxy now. */
  readonly connections: number
  /**
   * Cuts the path. `reset` (default) resets every open connection and every new one until
   * {@link TcpFaultProxy.restore}; `stall` stops forwarding bytes both ways, holding connections
   * open, as a dead link or a hung broker would.
   */
  cut(mode?: TcpCutMode): void
  /** Ends the cut: new connections go through again, stalled ones resume. */
  restore(): void
  /** Closes the proxy and every connection. */
  stop(): Promise<void>
}

/** Rewrites the bytes of one proxied connection, per direction. */
export interface TcpConnectionTransform {
  /** Client to target. */
  up(chunk: Buffer): Buffer
  /** Target to client. */
  down(chunk: Buffer): Buffer
}

/** Options of {@link startTcpProxy}. */
export interface TcpProxyOptions {
  /** Port to listen on. @default a free port */
  port?: number | undefined
  /** Makes a transform for each new connection (a protocol-aware proxy); bytes pass as they are without. */
  transform?: (() => TcpConnectionTransform) | undefined
}

interface Pair {
  client: Socket
  upstream: Socket
}

/**
 * Starts a TCP proxy on loopback in front of `target` (`host:port`) whose path can be cut and
 * restored while clients are connected: the transport-level fault a broker or node restart, a
 * network partition or a hung peer causes.
 *
 * @param target - Where connections go, `host:port`.
 * @param options - Port and an optional per-connection transform.
 * @returns The running proxy.
 * @example
 * ```ts
 * import { startTcpProxy } from '@qenus/testkit'
 * const proxy = await startTcpProxy('127.0.0.1:8545')
 * proxy.cut()      // clients see ECONNRESET
 * proxy.restore()
 * await proxy.stop()
 * ```
 */
export async function startTcpProxy(target: string, options: TcpProxyOptions = {}): Promise<TcpFaultProxy> {
  const [host, portText] = splitAddress(target)
  const pairs = new Set<Pair>()
  let mode: TcpCutMode | undefined
  const server = createServer((client) => {
    if (mode === 'reset') return void client.resetAndDestroy()
    const upstream = connect({ host, port: portText })
    const pair = { client, upstream }
    pairs.add(pair)
    const transform = options.transform?.()
    pipe(client, upstream, transform ? (b) => transform.up(b) : undefined)
    pipe(upstream, client, transform ? (b) => transform.down(b) : undefined)
    const close = () => {
      pairs.delete(pair)
      if (!client.destroyed) client.resetAndDestroy()
      if (!upstream.destroyed) upstream.destroy()
    }
    client.on('close', close).on('error', close)
    upstream.on('close', close).on('error', close)
    if (mode === 'stall') pause(pair)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as { port: number }).port
  return {
    address: `127.0.0.1:${port}`,
    port,
    get connections() {
      return pairs.size
    },
    cut(next = 'reset') {
      mode = next
      for (const pair of [...pairs]) {
        if (next === 'reset') pair.client.resetAndDestroy()
        else pause(pair)
      }
    },
    restore() {
      mode = undefined
      for (const { client, upstream } of pairs) {
        client.resume()
        upstream.resume()
      }
    },
    stop() {
      for (const { client, upstream } of pairs) {
        client.destroy()
        upstream.destroy()
      }
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}

function pipe(from: Socket, to: Socket, transform: ((chunk: Buffer) => Buffer) | undefined): void {
  from.on('data', (chunk: Buffer) => {
    const out = transform ? transform(chunk) : chunk
    if (out.length > 0 && !to.destroyed) to.write(out)
  })
}

function pause({ client, upstream }: Pair): void {
  client.pause()
  upstream.pause()
}

function splitAddress(address: string): [string, number] {
  const i = address.lastIndexOf(':')
  const port = Number(address.slice(i + 1))
  if (i <= 0 || !Number.isInteger(port) || port <= 0) throw new Error(`expected host:port, got "${address}"`)
  return [address.slice(0, i), port]
}

/** A proxy in front of every broker of a Kafka cluster; see {@link startKafkaFaultProxy}. */
export interface KafkaFaultProxy {
  /** The proxies' addresses, in the order of the brokers given: bootstrap clients with these. */
  readonly brokers: string[]
  /** Cuts the path to every broker; see {@link TcpFaultProxy.cut}. */
  cut(mode?: TcpCutMode): void
  /** Restores every path. */
  restore(): void
  /** Closes every proxy. */
  stop(): Promise<void>
}

/**
 * Puts a {@link startTcpProxy} in front of every broker of a Kafka cluster and rewrites the broker
 * addresses in Metadata and FindCoordinator responses to the proxies', so a client reaches every
 * broker (bootstrap, partition leaders, transaction coordinator) only through them and a cut stops
 * its data path, not merely its bootstrap connection.
 *
 * @param brokers - Every broker's `host:port` (the mock cluster's bootstrap list holds them all).
 * @returns The proxies.
 * @remarks Rewrites the non-flexible versions kafkajs speaks (Metadata v0–v8, FindCoordinator
 * v0–v2); flexible versions pass unchanged, which lets such a client bypass the proxies.
 * @example
 * ```ts
 * import { startKafka, startKafkaFaultProxy } from '@qenus/testkit'
 * const kafka = await startKafka()
 * const proxy = await startKafkaFaultProxy(kafka.brokers)
 * // new Kafka({ brokers: proxy.brokers }) ... proxy.cut() ... proxy.restore()
 * ```
 */
export async function startKafkaFaultProxy(brokers: string[]): Promise<KafkaFaultProxy> {
  const map = new Map<string, [string, number]>()
  const transform = () => kafkaTransform(map)
  const proxies = await Promise.all(brokers.map((b) => startTcpProxy(b, { transform })))
  brokers.forEach((b, i) => {
    map.set(b, ['127.0.0.1', proxies[i]!.port])
  })
  return {
    brokers: proxies.map((p) => p.address),
    cut: (mode) => {
      for (const p of proxies) p.cut(mode)
    },
    restore: () => {
      for (const p of proxies) p.restore()
    },
    stop: async () => {
      await Promise.all(proxies.map((p) => p.stop()))
    },
  }
}

const METADATA = 3
const FIND_COORDINATOR = 10

/** Frames both directions; remembers each request's api key and version by correlation id. */
function kafkaTransform(map: Map<string, [string, number]>): TcpConnectionTransform {
  const requests = new Map<number, [number, number]>()
  const up = framer((frame) => {
    if (frame.length >= 8) requests.set(frame.readInt32BE(4), [frame.readInt16BE(0), frame.readInt16BE(2)])
    return frame
  })
  const down = framer((frame) => {
    const correlation = frame.readInt32BE(0)
    const request = requests.get(correlation)
    requests.delete(correlation)
    if (!request) return frame
    const [api, version] = request
    if (api === METADATA && version <= 8) return rewriteMetadata(frame, version, map)
    if (api === FIND_COORDINATOR && version <= 2) return rewriteCoordinator(frame, version, map)
    return frame
  })
  return { up, down }
}

/** Splits a stream into size-prefixed Kafka frames, hands each (without its size) to `onFrame`. */
function framer(onFrame: (frame: Buffer) => Buffer): (chunk: Buffer) => Buffer {
  let pending: Buffer = Buffer.alloc(0)
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
    const out: Buffer[] = []
    while (pending.length >= 4) {
      const size = pending.readInt32BE(0)
      if (pending.length < 4 + size) break
      const frame = onFrame(pending.subarray(4, 4 + size))
      const head = Buffer.alloc(4)
      head.writeInt32BE(frame.length)
      out.push(head, frame)
      pending = pending.subarray(4 + size)
    }
    return Buffer.concat(out)
  }
}

/** Reads a broker's host and port at `offset`, returns them rewritten and where they ended. */
function rewriteEndpoint(frame: Buffer, offset: number, map: Map<string, [string, number]>) {
  const hostLength = frame.readInt16BE(offset)
  const host = frame.toString('utf8', offset + 2, offset + 2 + hostLength)
  const port = frame.readInt32BE(offset + 2 + hostLength)
  const [newHost, newPort] = map.get(`${host}:${port}`) ?? [host, port]
  const hostBytes = Buffer.from(newHost, 'utf8')
  const encoded = Buffer.alloc(2 + hostBytes.length + 4)
  encoded.writeInt16BE(hostBytes.length, 0)
  hostBytes.copy(encoded, 2)
  encoded.writeInt32BE(newPort, 2 + hostBytes.length)
  return { encoded, end: offset + 2 + hostLength + 4 }
}

function rewriteMetadata(frame: Buffer, version: number, map: Map<string, [string, number]>): Buffer {
  let offset = 4 + (version >= 3 ? 4 : 0)
  const parts: Buffer[] = []
  const count = frame.readInt32BE(offset)
  offset += 4
  parts.push(frame.subarray(0, offset))
  for (let i = 0; i < count; i++) {
    parts.push(frame.subarray(offset, offset + 4))
    const { encoded, end } = rewriteEndpoint(frame, offset + 4, map)
    parts.push(encoded)
    offset = end
    if (version >= 1) {
      const rackLength = frame.readInt16BE(offset)
      const rackEnd = offset + 2 + Math.max(0, rackLength)
      parts.push(frame.subarray(offset, rackEnd))
      offset = rackEnd
    }
  }
  parts.push(frame.subarray(offset))
  return Buffer.concat(parts)
}

function rewriteCoordinator(frame: Buffer, version: number, map: Map<string, [string, number]>): Buffer {
  let offset = 4
  if (version >= 1) {
    offset += 4 + 2
    const messageLength = frame.readInt16BE(offset)
    offset += 2 + Math.max(0, messageLength)
  } else {
    offset += 2
  }
  offset += 4
  const { encoded, end } = rewriteEndpoint(frame, offset, map)
  return Buffer.concat([frame.subarray(0, offset), encoded, frame.subarray(end)])
}
