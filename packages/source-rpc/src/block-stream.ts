import { setTimeout as sleep } from 'node:timers/promises'
import {
  type BlockEvent,
  type BlockHeader,
  type BlockRef,
  type ChainEvent,
  type ChainInfo,
  compileFilters,
  FatalError,
  type Log,
  type LogMatcher,
  type Receipt,
  RetryableError,
  type RevertEvent,
  type StreamRequest,
} from '@qenus/core'
import { Lineage } from './lineage.js'
import { PollPacer } from './pacer.js'

/**
 * The head-side calls of a {@link BlockStream}: `RpcClient` over providers, or a node client over
 * one socket.
 */
export interface HeadClient {
  /** The endpoints' redacted names, for messages. */
  readonly label: string
  /**
   * Checks that the endpoint serves the chain.
   *
   * @param chainName - Names the chain in the error.
   * @throws FatalError `SOURCE_WRONG_CHAIN` on another chain id.
   */
  checkChainIds(chainName: string): Promise<void>
  /** The latest block number. */
  blockNumber(signal?: AbortSignal): Promise<bigint>
  /** The latest block number with the header of the block the endpoint called latest. */
  latest(signal?: AbortSignal): Promise<{ head: bigint; header: BlockHeader }>
  /** The number of the block tagged `safe` or `finalized`. */
  taggedHead(tag: 'safe' | 'finalized', signal?: AbortSignal): Promise<bigint>
  /** The header of block `number`; `undefined` when the endpoint does not have it yet. */
  header(number: bigint): Promise<BlockHeader | undefined>
}

/** One block as a {@link BlockFetcher} fetched it, before the stream keeps only the logs some filter matches. */
export interface FetchedBlock {
  /** The header. */
  header: BlockHeader
  /** The block's logs: at least every one a declared filter matches, all of this block. */
  logs: Log[]
  /** Every transaction's receipt, when the request asked for receipts. */
  receipts?: Receipt[] | undefined
}

/**
 * How a {@link BlockStream} gets blocks: by `eth_getLogs` ranges from RPC providers, or whole
 * blocks from a node. The stream owns lineage, reorgs and retries; the fetcher only fetches.
 */
export interface BlockFetcher {
  /**
   * Blocks `from..to`, each with its logs (and receipts when asked).
   *
   * @returns The blocks in order, or `undefined` when they changed while fetched (a reorg): the stream refetches.
   */
  range(from: bigint, to: bigint): Promise<FetchedBlock[] | undefined>
  /**
   * One block at the head.
   *
   * @param number - The block number.
   * @param header - Its header, when a notification or head poll already brought it.
   * @returns The block, or `undefined` when the endpoint does not have it (yet) or it changed while fetched.
   */
  block(number: bigint, header: BlockHeader | undefined): Promise<FetchedBlock | undefined>
}

/** New heads from a subscription, as a {@link BlockStream} consumes them. */
export interface HeadNotifier {
  /** Waits for a head above `after` and returns the newest known head. */
  next(after: bigint, signal: AbortSignal): Promise<bigint>
  /** The header a notification carried for block `number`, once. */
  take(number: bigint): BlockHeader | undefined
}

/** What a {@link BlockStream} needs besides the request. */
export interface BlockStreamConfig {
  /** Heads, chain id and single headers. */
  rpc: HeadClient
  /** Fetches blocks with their logs. */
  fetcher: BlockFetcher
  /** The lane's chain. */
  chain: ChainInfo
  /** Head poll interval, ms. */
  pollIntervalMs: number
  /** Largest block range fetched at once while catching up. */
  maxBlockRange: number
  /** Smallest block range the adaptive range shrinks to. */
  minBlockRange: number
  /** Logs per range the adaptive range aims at (`Infinity`: always the largest range). */
  targetLogs: number
  /** Called when the stream skips or notices something worth a log line. */
  warn: (fields: object, message: string) => void
  /** New heads from a subscription; without it the head is polled every `pollIntervalMs`. */
  heads?: HeadNotifier | undefined
  /** Follow the block the node tags `safe` or `finalized` instead of the latest (polled). */
  tag?: 'safe' | 'finalized' | undefined
}

/** Gaps up to this size are followed block by block (logs by hash); larger ones are caught up by range. */
const FOLLOW_BY_BLOCK_MAX_GAP = 8n
/** Ranges fetched ahead of the one being consumed while catching up. */
const RANGES_AHEAD = 2
/** Attempts at fetching a range whose headers and logs agree before giving up. */
const RANGE_ATTEMPTS = 5

/**
 * One run of a source's `stream()`: resume from the checkpoint (reverting what is no longer
 * canonical), catch up by ranges with the next ranges in flight, then follow the head, detecting
 * reorgs by parent hash against the blocks it emitted and reverting to the common ancestor.
 *
 * @remarks
 * Shared by `@qenus/source-rpc` and `@qenus/source-node`, which differ only in their
 * {@link HeadClient}, {@link BlockFetcher} and {@link HeadNotifier}, so both emit the same events.
 *
 * @example
 * ```ts
 * const stream = new BlockStream({ rpc, fetcher, chain, pollIntervalMs: 500, maxBlockRange: 100,
 *   minBlockRange: 1, targetLogs: Infinity, warn }, request)
 * for await (const event of stream.run()) console.log(event.type)
 * ```
 */
export class BlockStream {
  readonly #match: LogMatcher
  readonly #lineage: Lineage
  readonly #pacer: PollPacer
  #next = 0n
  #span: number
  /** The header the last head poll brought, for the stream to take instead of fetching it. */
  #polled: BlockHeader | undefined

  /**
   * @param config - The clients and pacing.
   * @param request - The runtime's stream request.
   */
  constructor(
    private readonly config: BlockStreamConfig,
    private readonly request: StreamRequest,
  ) {
    this.#match = compileFilters(request.filters)
    this.#lineage = new Lineage(config.chain.finalityDepth + 1, request.resume ?? [])
    this.#span = config.maxBlockRange
    this.#pacer = new PollPacer(config.pollIntervalMs, config.chain.blockTimeMs)
  }

  /** Streams events until `to`, or forever. Rejects with an `AbortError` once the signal aborts. */
  async *run(): AsyncGenerator<ChainEvent> {
    await this.#io(this.config.rpc.checkChainIds(this.config.chain.name))
    const head = await this.#headNow()
    const { resume, from, to } = this.request
    if (resume?.length) yield* this.#resume(resume)
    else if (from === 'head') this.#next = head
    else if (to !== undefined && from > to) throw new FatalError(`from (${from}) is after to (${to})`, bad('from'))
    else this.#next = from
    if (this.#done()) return
    yield* this.#catchUp(to !== undefined && to < head ? to : head)
    while (!this.#done()) yield* this.#poll()
  }

  #done(): boolean {
    return this.request.to !== undefined && this.#next > this.request.to
  }

  async *#resume(resume: readonly BlockRef[]): AsyncGenerator<RevertEvent> {
    resume.forEach((ref, i) => {
      if (i > 0 && ref.number <= resume[i - 1].number) {
        throw new FatalError(`resume refs must ascend by number; resume[${i}] is ${ref.number}`, bad('resume'))
      }
    })
    const last = resume[resume.length - 1]
    await this.#waitForHead(last.number)
    this.#next = last.number + 1n
    yield* this.#reconcile()
  }

  /**
   * Walks the lineage back to the newest block the node still has, and reverts to it if needed.
   *
   * @returns Whether a revert was emitted.
   */
  async *#reconcile(): AsyncGenerator<RevertEvent, boolean> {
    const last = this.#lineage.last
    const { chain } = this.config
    if (!last) throw new FatalError('cannot reconcile a reorg without any known block', { code: 'SOURCE_REORG' })
    for (const ref of this.#lineage.newestFirst()) {
      if (last.number - ref.number > BigInt(chain.finalityDepth)) break
      const canonical = await this.#io(this.config.rpc.header(ref.number))
      if (canonical?.hash !== ref.hash) continue
      this.#next = ref.number + 1n
      if (ref === last) return false
      yield { type: 'revert', chain, to: ref, reverted: this.#lineage.revertTo(ref) }
      return true
    }
    throw new FatalError(`reorg on chain "${chain.name}" deeper than its finality depth (${chain.finalityDepth})`, {
      code: 'SOURCE_REORG_TOO_DEEP',
      details: `None of the known blocks up to #${last.number} (${last.hash}) is still canonical on ${this.config.rpc.label}.`,
    })
  }

  /**
   * Catches up by ranges, keeping the next {@link RANGES_AHEAD} ranges in flight while the current
   * one is consumed, so the provider produces while this process checks.
   */
  async *#catchUp(target: bigint): AsyncGenerator<ChainEvent> {
    const ahead: PendingRange[] = []
    while (this.#next <= target) {
      if (ahead[0]?.from !== this.#next) {
        ahead.length = 0
        await this.#anchor()
        ahead.push(this.#startRange(this.#next, target))
      }
      const events = await this.#io(ahead[0]!.events)
      if (!events) {
        ahead.length = 0
        continue
      }
      ahead.shift()
      for (
        let last = ahead.at(-1)?.to ?? events.at(-1)!.header.number;
        ahead.length < RANGES_AHEAD && last < target;
      ) {
        const range = this.#startRange(last + 1n, target)
        ahead.push(range)
        last = range.to
      }
      for (const event of events) {
        if (!this.#links(event.header)) {
          ahead.length = 0
          if (!(yield* this.#reconcile())) await this.#pause()
          break
        }
        yield this.#emit(event)
      }
    }
  }

  #startRange(from: bigint, target: bigint): PendingRange {
    const to = min(target, from + BigInt(this.#span) - 1n)
    const events = this.#adaptRange(this.#fetchRange(from, to))
    // A prefetched range may be dropped (a reorg, an abort) before anyone awaits it.
    events.catch(() => undefined)
    return { from, to, events }
  }

  async *#poll(): AsyncGenerator<ChainEvent> {
    const { heads } = this.config
    const head = heads ? await this.#io(heads.next(this.#next - 1n, this.request.signal)) : await this.#polledHead()
    const last = this.#lineage.last
    if (last && head < last.number) {
      this.config.warn({ head: `${head}`, last: `${last.number}` }, 'head went backwards (lagging node); ignored')
      return
    }
    const to = this.request.to
    const target = to !== undefined && to < head ? to : head
    if (target - this.#next >= FOLLOW_BY_BLOCK_MAX_GAP) return yield* this.#catchUp(target)
    while (this.#next <= target) {
      await this.#anchor()
      const event = await this.#fetchBlock(this.#next)
      if (!event) return
      if (this.#links(event.header)) yield this.#emit(event)
      else if (!(yield* this.#reconcile())) return
    }
  }

  /**
   * Polls the head when the next block is due. Without a tag the poll asks for the latest block,
   * so the next block usually arrives with its header and needs no fetch of its own.
   */
  async #polledHead(): Promise<bigint> {
    const { rpc, tag } = this.config
    if (tag) {
      await this.#pause()
      return this.#headNow()
    }
    await this.#pause(this.#pacer.delay())
    const { head, header } = await this.#io(rpc.latest(this.request.signal))
    this.#pacer.saw(head)
    this.#polled = header
    return head
  }

  /** The header of block `number` a notification or a head poll brought, once. */
  #take(number: bigint): BlockHeader | undefined {
    const polled = this.#polled
    if (polled?.number === number) {
      this.#polled = undefined
      return polled
    }
    return this.config.heads?.take(number)
  }

  /** Before the first block, remember its parent so a reorg of the first block can be reverted. */
  async #anchor(): Promise<void> {
    if (this.#lineage.last || this.#next === 0n) return
    const parent = await this.#io(this.config.rpc.header(this.#next - 1n))
    if (parent) this.#lineage.push(parent)
  }

  #links(header: BlockHeader): boolean {
    const last = this.#lineage.last
    return !last || (header.number === last.number + 1n && header.parentHash === last.hash)
  }

  #emit(event: BlockEvent): BlockEvent {
    this.#lineage.push(event.header)
    this.#next = event.header.number + 1n
    return event
  }

  /** One block (with the header a notification or head poll brought, when there is one). */
  async #fetchBlock(number: bigint): Promise<BlockEvent | undefined> {
    const fetched = await this.#io(this.config.fetcher.block(number, this.#take(number)))
    return fetched && this.#block(fetched)
  }

  /** Blocks `[from, to]`, refetched while a reorg makes them disagree. */
  async #fetchRange(from: bigint, to: bigint): Promise<BlockEvent[]> {
    for (let attempt = 1; ; attempt++) {
      const fetched = await this.#io(this.config.fetcher.range(from, to))
      if (fetched) return fetched.map((block) => this.#block(block))
      if (attempt === RANGE_ATTEMPTS) {
        throw new RetryableError(`blocks ${from}..${to} kept changing while fetched from ${this.config.rpc.label}`, {
          code: 'SOURCE_RANGE_UNSTABLE',
        })
      }
      this.config.warn({ from: `${from}`, to: `${to}`, attempt }, 'range changed while fetched (reorg); refetching')
      await this.#pause()
    }
  }

  /** Runs a range fetch; on a range-too-large answer or a timeout, halves the range and returns nothing. */
  async #adaptRange(fetch: Promise<BlockEvent[]>): Promise<BlockEvent[] | undefined> {
    try {
      const events = await fetch
      const logs = events.reduce((n, e) => n + e.logs.length, 0)
      if (logs < this.config.targetLogs / 2) this.#span = Math.min(this.config.maxBlockRange, this.#span * 2)
      else if (logs > this.config.targetLogs)
        this.#span = Math.max(this.config.minBlockRange, Math.floor(this.#span / 2))
      return events
    } catch (error) {
      const code = (error as { code?: string }).code
      if ((code !== 'RPC_LOGS_RANGE' && code !== 'RPC_TIMEOUT') || this.#span <= this.config.minBlockRange) throw error
      this.#span = Math.max(this.config.minBlockRange, Math.floor(this.#span / 2))
      this.config.warn({ blocks: this.#span, reason: (error as Error).message }, 'eth_getLogs range shrunk')
      return undefined
    }
  }

  /** The block as emitted: only the logs some declared filter matches, in log order. */
  #block({ header, logs, receipts }: FetchedBlock): BlockEvent {
    const matching = logs.length ? logs.filter(this.#match) : logs
    if (!ascending(matching)) matching.sort((a, b) => a.logIndex - b.logIndex)
    const event: BlockEvent = { type: 'block', chain: this.config.chain, header, logs: matching }
    if (receipts) event.receipts = receipts
    return event
  }

  async #waitForHead(number: bigint): Promise<void> {
    while ((await this.#headNow()) < number) await this.#pause()
  }

  #headNow(): Promise<bigint> {
    const { rpc, tag } = this.config
    const { signal } = this.request
    return this.#io(tag ? rpc.taggedHead(tag, signal) : rpc.blockNumber(signal))
  }

  /** Waits `ms` (one poll interval by default); ends at once when the signal aborts and leaves no timer behind. */
  #pause(ms = this.config.pollIntervalMs): Promise<void> {
    return this.#io(sleep(ms, undefined, { signal: this.request.signal }))
  }

  /** Awaits `work`, or rejects as soon as the request's signal aborts. */
  #io<T>(work: Promise<T>): Promise<T> {
    const { signal } = this.request
    signal.throwIfAborted()
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(signal.reason)
      signal.addEventListener('abort', onAbort, { once: true })
      work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
    })
  }
}

interface PendingRange {
  from: bigint
  to: bigint
  events: Promise<BlockEvent[] | undefined>
}

const min = (a: bigint, b: bigint): bigint => (a < b ? a : b)

function ascending(logs: Log[]): boolean {
  for (let i = 1; i < logs.length; i++) if (logs[i]!.logIndex <= logs[i - 1]!.logIndex) return false
  return true
}

const bad = (option: string) => ({ code: 'SOURCE_BAD_REQUEST', details: `Check the stream request's "${option}".` })
