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
import { checkAgainstBloom } from './bloom.js'
import { type MergedFilter, matchesAny, mergeFilters } from './filters.js'
import type { HeadFeed } from './heads.js'
import { Lineage } from './lineage.js'
import { PollPacer } from './pacer.js'
import type { RpcClient } from './rpc.js'
import type { BlockReceipts } from './validate.js'

/** What a {@link BlockStream} needs besides the request. */
export interface BlockStreamConfig {
  /** The provider. */
  rpc: RpcClient
  /** The lane's chain. */
  chain: ChainInfo
  /** Head poll interval, ms. */
  pollIntervalMs: number
  /** Largest `eth_getLogs` range while catching up. */
  maxBlockRange: number
  /** Smallest `eth_getLogs` range the adaptive range shrinks to. */
  minBlockRange: number
  /** Logs per `eth_getLogs` answer the adaptive range aims at. */
  targetLogs: number
  /** Called when the stream skips or notices something worth a log line. */
  warn: (fields: object, message: string) => void
  /** New heads from a ws subscription; without it the head is polled every `pollIntervalMs`. */
  heads?: HeadFeed | undefined
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
 * One run of {@link RpcSource.stream}: catch up by ranges, then follow the head, detecting reorgs
 * by parent hash against the blocks it emitted.
 *
 * @internal
 */
export class BlockStream {
  readonly #filter: MergedFilter | undefined
  readonly #match: LogMatcher
  readonly #lineage: Lineage
  readonly #pacer: PollPacer
  #next = 0n
  #span: number
  /** The header the last head poll brought, for the stream to take instead of fetching it. */
  #polled: BlockHeader | undefined

  constructor(
    private readonly config: BlockStreamConfig,
    private readonly request: StreamRequest,
  ) {
    this.#filter = mergeFilters(request.filters)
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

  /** One block, its logs fetched by hash so they cannot come from another branch. */
  async #fetchBlock(number: bigint): Promise<BlockEvent | undefined> {
    const header = this.#take(number) ?? (await this.#io(this.config.rpc.header(number)))
    if (!header) return undefined
    const { rpc } = this.config
    const [served, receipts] = await this.#io(
      Promise.all([
        this.#filter ? rpc.logs({ blockHash: header.hash }, this.#filter) : { value: [], provider: '' },
        this.request.receipts ? rpc.receipts([header.hash]) : undefined,
      ]),
    )
    const { value, provider } = served
    if (receipts && !ofBlock(receipts[0]!, header)) return undefined
    const verdict = this.#bloomVerdict(header, value)
    const logs = verdict === 'ok' ? value : await this.#io(this.#settle(header, value, provider, verdict))
    return this.#block(header, logs, receipts?.[0]?.receipts)
  }

  /** Headers and logs of `[from, to]`, refetched while a reorg makes them disagree. */
  async #fetchRange(from: bigint, to: bigint): Promise<BlockEvent[]> {
    for (let attempt = 1; ; attempt++) {
      const events = await this.#tryRange(from, to)
      if (events) return events
      if (attempt === RANGE_ATTEMPTS) {
        throw new RetryableError(`blocks ${from}..${to} kept changing while fetched from ${this.config.rpc.label}`, {
          code: 'SOURCE_RANGE_UNSTABLE',
        })
      }
      this.config.warn({ from: `${from}`, to: `${to}`, attempt }, 'range changed while fetched (reorg); refetching')
      await this.#pause()
    }
  }

  async #tryRange(from: bigint, to: bigint): Promise<BlockEvent[] | undefined> {
    const { rpc } = this.config
    const [headers, served, receipts] = await this.#io(
      Promise.all([
        rpc.headers(from, to),
        this.#filter ? rpc.logs({ fromBlock: from, toBlock: to }, this.#filter) : { value: [], provider: '' },
        this.request.receipts ? rpc.receipts(numbers(from, to)) : undefined,
      ]),
    )
    if (!chained(headers) || (receipts && !headers.every((h, i) => ofBlock(receipts[i]!, h)))) return undefined
    const perBlock: (Log[] | undefined)[] = new Array(headers.length)
    let i = 0
    for (const log of served.value) {
      // Logs come in block order, so the index rarely needs computing.
      if (headers[i]!.number !== log.blockNumber) i = Number(log.blockNumber - from)
      const header = headers[i]!
      if (log.blockHash !== header.hash) return this.#hashMismatch(header, log, served.provider)
      const logs = perBlock[i]
      if (logs) logs.push(log)
      else perBlock[i] = [log]
    }
    const events: BlockEvent[] = new Array(headers.length)
    for (let i = 0; i < headers.length; i++) {
      const header = headers[i]!
      const logs = perBlock[i] ?? []
      const verdict = this.#bloomVerdict(header, logs)
      const checked = verdict === 'ok' ? logs : await this.#io(this.#settle(header, logs, served.provider, verdict))
      events[i] = this.#block(header, checked, receipts?.[i]?.receipts)
    }
    return events
  }

  /**
   * A log whose block hash differs from its header's: a reorg between the two requests, or a
   * provider serving logs of another block. Asking for the header again tells which.
   */
  async #hashMismatch(header: BlockHeader, log: Log, provider: string): Promise<undefined> {
    const again = await this.#io(this.config.rpc.header(header.number, provider))
    if (again?.hash === header.hash) {
      this.config.rpc.blame(provider, `log of block ${header.number} carries block hash ${log.blockHash}`)
    }
    return undefined
  }

  /** One block's logs checked against its logsBloom (an empty bloom with no logs needs no work). */
  #bloomVerdict(header: BlockHeader, logs: Log[]): BloomVerdict {
    const filter = this.#filter
    if (!filter || !header.logsBloom || (logs.length === 0 && header.logsBloom === EMPTY_BLOOM)) return 'ok'
    return checkAgainstBloom(header.logsBloom, logs, filter)
  }

  /**
   * When the bloom says logs were forged or left out, the block's receipts (from another provider
   * when there is one) decide, and the provider that served wrong logs is benched.
   */
  async #settle(header: BlockHeader, logs: Log[], provider: string, verdict: BloomVerdict): Promise<Log[]> {
    const filter = this.#filter!
    const receipts = await this.config.rpc.receiptLogs(header.number, header.hash, provider)
    if (receipts.value.some((log) => log.blockHash !== header.hash)) return logs
    const merged = [{ address: filter.address, topics: filter.topic0 ? [filter.topic0] : undefined }]
    const expected = receipts.value.filter((log) => matchesAny(log, merged))
    const key = (list: Log[]) => list.map((l) => `${l.logIndex}:${l.transactionHash}`).join()
    if (key(expected) === key([...logs].sort((a, b) => a.logIndex - b.logIndex))) return logs
    const reason = `logs of block ${header.number} disagree with its receipts and bloom (${verdict})`
    this.config.rpc.blame(provider, reason)
    this.config.warn(
      { block: `${header.number}`, provider, verdict },
      'logs answer failed the bloom check; used receipts',
    )
    return expected
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

  #block(header: BlockHeader, logs: Log[], receipts: Receipt[] | undefined): BlockEvent {
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

type BloomVerdict = ReturnType<typeof checkAgainstBloom>

/** The logsBloom of a block without logs. */
const EMPTY_BLOOM = `0x${'0'.repeat(512)}`

/** Whether every header is there and each one's parent is the one before it. */
function chained(headers: (BlockHeader | undefined)[]): headers is BlockHeader[] {
  for (let i = 0; i < headers.length; i++) {
    const header = headers[i]
    if (!header || (i > 0 && header.parentHash !== headers[i - 1]!.hash)) return false
  }
  return true
}

/**
 * Whether receipts fetched by number belong to `header`: they name its hash, or there are none and
 * the block used no gas (receipts of an emptied block after a reorg would not).
 */
function ofBlock(receipts: BlockReceipts, header: BlockHeader): boolean {
  return receipts.blockHash === undefined ? header.gasUsed === 0n : receipts.blockHash === header.hash
}

const numbers = (from: bigint, to: bigint): bigint[] =>
  Array.from({ length: Number(to - from + 1n) }, (_, i) => from + BigInt(i))

function ascending(logs: Log[]): boolean {
  for (let i = 1; i < logs.length; i++) if (logs[i]!.logIndex <= logs[i - 1]!.logIndex) return false
  return true
}

const bad = (option: string) => ({ code: 'SOURCE_BAD_REQUEST', details: `Check the stream request's "${option}".` })
