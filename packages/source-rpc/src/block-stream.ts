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
import { type MergedFilter, matchesAny, mergeFilters } from './filters.js'
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
  /** Called when the stream skips or notices something worth a log line. */
  warn: (fields: object, message: string) => void
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

  constructor(
    private readonly config: BlockStreamConfig,
    private readonly request: StreamRequest,
  ) {
    this.#filter = mergeFilters(request.filters)
    this.#lineage = new Lineage(config.chain.finalityDepth + 1, request.resume ?? [])
  }

  /** Streams events until `to`, or forever. Rejects with an `AbortError` once the signal aborts. */
  async *run(): AsyncGenerator<ChainEvent> {
    await this.#checkChainId()
    const head = await this.#io(this.config.rpc.blockNumber())
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

  async #checkChainId(): Promise<void> {
    const actual = await this.#io(this.config.rpc.chainId())
    const { chain, rpc } = this.config
    if (actual !== chain.chainId) {
      throw new FatalError(
        `provider ${rpc.label} serves chain id ${actual}, but chain "${chain.name}" is ${chain.chainId}`,
        {
          code: 'SOURCE_WRONG_CHAIN',
          details: `Point the providers of chain "${chain.name}" at a node of chain id ${chain.chainId}.`,
        },
      )
    }
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

  async *#catchUp(target: bigint): AsyncGenerator<ChainEvent> {
    while (this.#next <= target) {
      const end = min(target, this.#next + BigInt(this.config.maxBlockRange) - 1n)
      await this.#anchor()
      for (const event of await this.#fetchRange(this.#next, end)) {
        if (!this.#links(event.header)) {
          if (!(yield* this.#reconcile())) await this.#pause()
          break
        }
        yield this.#emit(event)
      }
    }
  }

  async *#poll(): AsyncGenerator<ChainEvent> {
    await this.#pause()
    const head = await this.#io(this.config.rpc.blockNumber())
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
    const header = await this.#io(this.config.rpc.header(number))
    if (!header) return undefined
    const logs = this.#filter ? await this.#io(this.config.rpc.logs({ blockHash: header.hash }, this.#filter)) : []
    if (logs.some((log) => log.blockHash !== header.hash)) {
      throw new RetryableError(`logs of block ${header.hash} carry another block hash`, { code: 'RPC_BAD_RESPONSE' })
    }
    return this.#block(header, logs)
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
    const [headers, logs] = await this.#io(
      Promise.all([
        Promise.all(numbers.map((n) => rpc.header(n))),
        this.#filter ? rpc.logs({ fromBlock: from, toBlock: to }, this.#filter) : [],
      ]),
    )
    if (!headers.every((h, i) => h && (i === 0 || h.parentHash === headers[i - 1]?.hash))) return undefined
    const byNumber = new Map<bigint, Log[]>()
    for (const log of logs) {
      if (log.blockHash !== headers[Number(log.blockNumber - from)]?.hash) return undefined
      byNumber.set(log.blockNumber, [...(byNumber.get(log.blockNumber) ?? []), log])
    }
    return (headers as BlockHeader[]).map((header) => this.#block(header, byNumber.get(header.number) ?? []))
  }

  #block(header: BlockHeader, logs: Log[]): BlockEvent {
    const matching = logs.filter((log) => matchesAny(log, this.request.filters)).sort((a, b) => a.logIndex - b.logIndex)
    return { type: 'block', chain: this.config.chain, header, logs: matching }
  }

  async #waitForHead(number: bigint): Promise<void> {
    while ((await this.#io(this.config.rpc.blockNumber())) < number) await this.#pause()
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

const min = (a: bigint, b: bigint): bigint => (a < b ? a : b)

const bad = (option: string) => ({ code: 'SOURCE_BAD_REQUEST', details: `Check the stream request's "${option}".` })
