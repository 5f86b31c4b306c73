import type { ServerUnaryCall, ServerWritableStream, sendUnaryData, UntypedServiceImplementation } from '@grpc/grpc-js'
import { Metadata, status } from '@grpc/grpc-js'
import {
  type BlockRef,
  type ChainInfo,
  FEATURE_KINDS,
  type Feature,
  type FeatureKind,
  type FeatureStore,
  isQenusError,
} from '@qenus/core'
import type { Feed } from './feed.js'
import { compileFilter, type FeatureMatcher, type FilterRequest } from './filter.js'
import { type HeadEntry, headsMessage, snapshotMessage } from './proto.js'
import { clientOf } from './security.js'
import { type StreamSpec, Subscription } from './subscription.js'

/** The kinds a snapshot holds when the request names none: the ones that are state, not events. */
export const STATE_KINDS: readonly FeatureKind[] = [
  'amm.pool',
  'bridge.liquidity',
  'flashloan.liquidity',
  'gas.block',
  'gas.l2fee',
  'sequencer.health',
]

/** A gRPC error status, as handlers return it. @internal */
export class CallError extends Error {
  readonly code: status
  readonly details: string
  readonly metadata = new Metadata()

  constructor(code: status, details: string) {
    super(details)
    this.code = code
    this.details = details
  }
}

/** What the handlers read and the limits they enforce. @internal */
export interface ServiceDeps {
  store: FeatureStore
  feed: Feed
  /** The chain of a name, among the chains the pipeline runs or the feed has seen. */
  chain(name: string): ChainInfo | undefined
  /** Every chain the service answers for. */
  chains(): ChainInfo[]
  limits: { maxStreams: number; maxStreamsPerClient: number }
  /** Called when a stream opens (+1) or closes (-1), and when one is evicted. */
  onStream(delta: 1 | -1, evicted: boolean): void
}

interface SnapshotRequest {
  chain?: string
  block?: string
  kinds?: string[]
}

interface StreamRequest {
  filter?: FilterRequest
  chains?: string[]
  fromBlock?: string
  fromBlocks?: Record<string, string>
  blockEnds?: boolean
}

/**
 * The `qenus.v1.Dataplane` handlers over a store and a feed.
 * @internal
 */
export function dataplaneService(deps: ServiceDeps): {
  handlers: UntypedServiceImplementation
  /** Ends every open stream with `code` (server shutdown). */
  failStreams(code: status, details: string): void
} {
  const streams = new StreamSlots(deps)
  const unary =
    <R>(answer: (request: R) => Buffer) =>
    (call: ServerUnaryCall<R, Buffer>, callback: sendUnaryData<Buffer>) => {
      try {
        callback(null, answer(call.request))
      } catch (error) {
        callback(toCallError(error))
      }
    }
  const stream = (fixed?: FilterRequest) => (call: ServerWritableStream<StreamRequest, Buffer>) => {
    try {
      const request = call.request
      const filter = fixed ? { ...fixed, chains: request.chains } : request.filter
      streams.open(call, streamSpec(deps, request, compileFilter(filter)))
    } catch (error) {
      call.emit('error', toCallError(error))
    }
  }
  const handlers = {
    GetSnapshot: unary<SnapshotRequest>((request) => snapshot(deps, request)),
    GetHeads: unary<unknown>(() => heads(deps)),
    StreamFeatures: stream(),
    StreamOpportunities: stream({ kinds: ['opportunity'] }),
  }
  return { handlers, failStreams: (code, details) => streams.failAll(code, details) }
}

function toCallError(error: unknown): CallError {
  if (error instanceof CallError) return error
  if (isQenusError(error) && error.code === 'STORE_BLOCK_OUT_OF_WINDOW') {
    return new CallError(status.OUT_OF_RANGE, error.message)
  }
  const message = error instanceof Error ? error.message : String(error)
  return new CallError(status.INTERNAL, message)
}

function knownChain(deps: ServiceDeps, name: string | undefined, where: string): ChainInfo {
  if (!name) throw new CallError(status.INVALID_ARGUMENT, `${where} is required: a chain name`)
  const chain = deps.chain(name)
  if (!chain) {
    const names = deps
      .chains()
      .map((c) => c.name)
      .join(', ')
    throw new CallError(
      status.NOT_FOUND,
      `unknown chain ${JSON.stringify(name)} in ${where}; this server has: ${names}`,
    )
  }
  return chain
}

function snapshot(deps: ServiceDeps, request: SnapshotRequest): Buffer {
  const chain = knownChain(deps, request.chain, 'chain')
  const head = deps.store.head(chain.chainId)
  if (!head) throw new CallError(status.NOT_FOUND, `chain ${chain.name} has no block yet`)
  const window = deps.store.window?.(chain.chainId)
  const at = request.block === undefined ? head.number : BigInt(request.block)
  if (window && (at < window.from || at > head.number)) {
    throw new CallError(
      status.OUT_OF_RANGE,
      `block ${at} of chain ${chain.name} is outside the retained window ${window.from}..${head.number}`,
    )
  }
  const kinds = snapshotKinds(request.kinds)
  const features: Feature[] = []
  for (const kind of kinds) features.push(...deps.store.snapshot(chain.chainId, { atBlock: at, kind }))
  const ref = blockAt(deps, chain, at, window?.blocks) ?? { number: at, hash: '0x' }
  return snapshotMessage(chain.name, chain.chainId, ref, features)
}

function snapshotKinds(requested: string[] | undefined): FeatureKind[] {
  if (!requested || requested.length === 0) return [...STATE_KINDS]
  for (const [i, kind] of requested.entries()) {
    if (!(FEATURE_KINDS as readonly string[]).includes(kind)) {
      throw new CallError(status.INVALID_ARGUMENT, `kinds[${i}] ${JSON.stringify(kind)} is not a feature kind`)
    }
  }
  // Sorted, so the snapshot stays sorted by key (`${kind}:${address}`) across kinds.
  return [...new Set(requested as FeatureKind[])].sort()
}

/** The block's hash, from the store's window, else the feed's. */
function blockAt(deps: ServiceDeps, chain: ChainInfo, number: bigint, stored?: BlockRef[]): BlockRef | undefined {
  const found = stored?.find((ref) => ref.number === number)
  if (found) return found
  return deps.feed.replay(chain.chainId, number).find((block) => block.ref.number === number)?.ref
}

function heads(deps: ServiceDeps): Buffer {
  const entries: HeadEntry[] = []
  for (const chain of deps.chains()) {
    const head = deps.store.head(chain.chainId)
    if (!head) continue
    const replay = deps.feed.window(chain.chainId)
    entries.push({
      chain: chain.name,
      chainId: chain.chainId,
      head,
      snapshotFrom: deps.store.window?.(chain.chainId)?.from ?? head.number,
      replayFrom: replay?.from,
      streamed: replay?.head,
    })
  }
  return headsMessage(entries)
}

function streamSpec(deps: ServiceDeps, request: StreamRequest, filter: FeatureMatcher): StreamSpec {
  const selected = filter.chains
    ? [...filter.chains].map((name, i) => knownChain(deps, name, `filter.chains[${i}]`))
    : deps.chains()
  for (const name of Object.keys(request.fromBlocks ?? {})) knownChain(deps, name, `from_blocks[${name}]`)
  const from = new Map<number, bigint>()
  const replay = []
  for (const chain of selected) {
    const text = request.fromBlocks?.[chain.name] ?? request.fromBlock
    if (text === undefined) continue
    const first = BigInt(text)
    const window = deps.feed.window(chain.chainId)
    if (window && first < window.from) {
      throw new CallError(
        status.OUT_OF_RANGE,
        `from block ${first} of chain ${chain.name} is below the replay window ${window.from}..${window.head.number}`,
      )
    }
    from.set(chain.chainId, first)
    replay.push(...deps.feed.replay(chain.chainId, first))
  }
  return { filter, from, blockEnds: request.blockEnds === true, replay }
}

/** Counts open streams, in total and per client address, and refuses past the limits. */
class StreamSlots {
  readonly #deps: ServiceDeps
  readonly #perClient = new Map<string, number>()
  readonly #subscriptions = new Set<Subscription>()
  #open = 0

  constructor(deps: ServiceDeps) {
    this.#deps = deps
  }

  open(call: ServerWritableStream<StreamRequest, Buffer>, spec: StreamSpec): void {
    const { maxStreams, maxStreamsPerClient } = this.#deps.limits
    const client = clientOf(call.getPeer())
    const mine = this.#perClient.get(client) ?? 0
    if (this.#open >= maxStreams) {
      throw new CallError(status.RESOURCE_EXHAUSTED, `the server has ${this.#open} streams open, its maximum`)
    }
    if (mine >= maxStreamsPerClient) {
      throw new CallError(status.RESOURCE_EXHAUSTED, `this client has ${mine} streams open, its maximum`)
    }
    this.#open++
    this.#perClient.set(client, mine + 1)
    this.#deps.onStream(1, false)
    let closed = false
    const subscription = new Subscription(this.#deps.feed, call, spec, (evicted) => {
      if (closed) return
      closed = true
      this.#open--
      const left = (this.#perClient.get(client) ?? 1) - 1
      if (left > 0) this.#perClient.set(client, left)
      else this.#perClient.delete(client)
      this.#deps.onStream(-1, evicted)
    })
    subscription.run()
    this.#subscriptions.add(subscription)
    call.on('close', () => this.#subscriptions.delete(subscription))
  }

  /** Ends every open stream with `code` (server shutdown). */
  failAll(code: status, details: string): void {
    for (const subscription of this.#subscriptions) subscription.fail(code, details)
    this.#subscriptions.clear()
  }
}
