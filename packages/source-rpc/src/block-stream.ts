import { setTimeout as sleep } from 'node:timers/promises'
import {
  type BlockEvent,
  type BlockHeader,
  type BlockRef,
  type ChainEvent,
  type ChainInfo,
  FatalError,
  type Log,
  RetryableError,
  type RevertEvent,
  type StreamRequest,
} from '@qenus/core'
import { checkAgainstBloom } from './bloom.js'
import { type MergedFilter, matchesAny, mergeFilters } from './filters.js'
import type { HeadFeed } from './heads.js'
import { Lineage } from './lineage.js'
import type { RpcClient } from './rpc.js'

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
}

/** Gaps up to this size are followed block by block (logs by hash); larger ones are caught up by range. */
const FOLLOW_BY_BLOCK_MAX_GAP = 8n
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
  readonly #lineage: Lineage
  #next = 0n
  #span: number

  constructor(
    private readonly config: BlockStreamConfig,
    private readonly request: StreamRequest,
  ) {
    this.#filter = mergeFilters(request.filters)
    this.#lineage = new Lineage(config.chain.finalityDepth + 1, request.resume ?? [])
    this.#span = config.maxBlockRange
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

  /** Catches up by ranges, fetching the next range while the current one is consumed. */
  async *#catchUp(target: bigint): AsyncGenerator<ChainEvent> {
    let ahead: PendingRange | undefined
    while (this.#next <= target) {
      let current = ahead?.from === this.#next ? ahead : undefined
      ahead = undefined
      if (!current) {
        await this.#anchor()
        current = this.#startRange(this.#next, target)
      }
      const events = await this.#io(current.events)
      if (!events) continue
      if (current.to < target) ahead = this.#startRange(current.to + 1n, target)
      for (const event of events) {
        if (!this.#links(event.header)) {
          ahead = undefined
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

  async #polledHead(): Promise<bigint> {
    await this.#pause()
    return this.#headNow()
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
    const header = this.config.heads?.take(number) ?? (await this.#io(this.config.rpc.header(number)))
    if (!header) return undefined
    if (!this.#filter) return this.#block(header, [])
    const { value, provider } = await this.#io(this.config.rpc.logs({ blockHash: header.hash }, this.#filter))
    return this.#block(header, await this.#io(this.#verified(header, value, provider)))
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
    const numbers = Array.from({ length: Number(to - from + 1n) }, (_, i) => from + BigInt(i))
    const [headers, served] = await this.#io(
      Promise.all([
        Promise.all(numbers.map((n) => rpc.header(n))),
        this.#filter ? rpc.logs({ fromBlock: from, toBlock: to }, this.#filter) : { value: [], provider: '' },
      ]),
    )
    if (!headers.every((h, i) => h && (i === 0 || h.parentHash === headers[i - 1]?.hash))) return undefined
    const byNumber = new Map<bigint, Log[]>()
    for (const log of served.value) {
      const header = headers[Number(log.blockNumber - from)] as BlockHeader
      if (log.blockHash !== header.hash) return this.#hashMismatch(header, log, served.provider)
      byNumber.set(log.blockNumber, [...(byNumber.get(log.blockNumber) ?? []), log])
    }
    const verify = (header: BlockHeader) => this.#verified(header, byNumber.get(header.number) ?? [], served.provider)
    const logs = await this.#io(Promise.all((headers as BlockHeader[]).map(verify)))
    return (headers as BlockHeader[]).map((header, i) => this.#block(header, logs[i] ?? []))
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

  /**
   * Checks one block's logs against its logsBloom; when the bloom says logs were forged or left
   * out, the block's receipts (from another provider when there is one) decide, and the provider
   * that served wrong logs is benched.
   */
  async #verified(header: BlockHeader, logs: Log[], provider: string): Promise<Log[]> {
    const filter = this.#filter
    if (!filter || !header.logsBloom) return logs
    const verdict = checkAgainstBloom(header.logsBloom, logs, filter)
    if (verdict === 'ok') return logs
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

  #block(header: BlockHeader, logs: Log[]): BlockEvent {
    const matching = logs.filter((log) => matchesAny(log, this.request.filters)).sort((a, b) => a.logIndex - b.logIndex)
    return { type: 'block', chain: this.config.chain, header, logs: matching }
  }

  async #waitForHead(number: bigint): Promise<void> {
    while ((await this.#headNow()) < number) await this.#pause()
  }

  #headNow(): Promise<bigint> {
    return this.#io(this.config.rpc.blockNumber(this.request.signal))
  }

  /** Waits one poll interval; ends at once when the signal aborts and leaves no timer behind. */
  #pause(): Promise<void> {
    return this.#io(sleep(this.config.pollIntervalMs, undefined, { signal: this.request.signal }))
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

const bad = (option: string) => ({ code: 'SOURCE_BAD_REQUEST', details: `Check the stream request's "${option}".` })
