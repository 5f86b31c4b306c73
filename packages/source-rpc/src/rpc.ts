import { type BlockHeader, FatalError, type Hex, type Log, RetryableError, sleep } from '@qenus/core'
import type { Registry } from 'prom-client'
import { type PublicClient, toHex } from 'viem'
import { classify, type Failure, InvalidResponseError, LogsRangeError } from './classify.js'
import { type MergedFilter, toRpcFilter } from './filters.js'
import { providerMetrics } from './metrics.js'
import { Provider, type ProviderConfig, type ProviderSnapshot } from './provider.js'
import { type BlockReceipts, checkBlock, quantity, toLogs, toReceipts } from './validate.js'

/** Where logs are fetched: a block range while catching up, or one block by hash when following. */
export type LogScope = { fromBlock: bigint; toBlock: bigint } | { blockHash: Hex }

/** A provider leaving or rejoining the rotation. */
export interface ProviderEvent {
  /** `benched`: taken out after failures; `restored`: a half-open probe succeeded. */
  type: 'benched' | 'restored'
  /** The redacted provider name. */
  provider: string
  /** Why it was benched. */
  reason?: string | undefined
}

/** What an {@link RpcClient} needs besides its providers. */
export interface RpcClientOptions {
  /** The chain id every provider must serve. */
  chainId: number
  /** How far (blocks) a provider's head may trail the best head before it is benched. */
  maxHeadLagBlocks: number
  /** How long a provider's head may stand still before another provider is asked too, ms. */
  headStallMs: number
  /** How long a request waits for some provider to become available, ms. */
  waitForProviderMs: number
  /** Told when a provider is benched or restored. */
  onEvent?: ((event: ProviderEvent) => void) | undefined
  /** Where per-provider metrics go (a pipeline's prom-client registry), labelled with `chainName`. */
  metrics?: { registry: Registry; chainName: string } | undefined
}

/** A raw JSON-RPC block object. */
export type RpcBlock = Record<string, Hex | null | undefined>

/** Calls per header batch: small enough to fail over cheaply, large enough to make round trips rare. */
const HEADER_BATCH = 100
const HEADER_BATCH_N = BigInt(HEADER_BATCH)
/** Blocks per receipts batch: a mainnet block's receipts run to hundreds of kilobytes. */
const RECEIPT_BATCH = 10

/** Whether a provider refused a call because it does not know the method. */
function methodMissing(error: unknown): boolean {
  for (let e = error as { code?: unknown; message?: unknown; cause?: unknown } | undefined, n = 0; e && n < 8; n++) {
    if (e.code === -32601 || /method .*(not found|not supported|does not exist|unavailable)/i.test(String(e.message)))
      return true
    e = e.cause as typeof e
  }
  return false
}

/** A value and the provider that served it. */
export interface Served<T> {
  /** The checked value. */
  value: T
  /** The redacted provider name. */
  provider: string
}

/**
 * The JSON-RPC methods the source uses, over a pool of providers: each request goes to the best
 * healthy provider (latency, errors, load, weight), every answer is checked, and a failed or bad
 * answer is retried on another provider while the bad one is benched behind its circuit breaker
 * until a half-open probe (chain id and head) restores it.
 *
 * @remarks
 * viem's `fallback` transport ranks providers but has no per-provider rate limit, breaker,
 * Retry-After or response checks, so this class picks the provider and each provider keeps its
 * own viem http transport (with JSON-RPC batching). Provider URLs never appear in errors or logs.
 */
export class RpcClient {
  readonly #providers: Provider[]
  readonly #releases: (() => void)[] = []

  /**
   * @param providers - One config per provider, in order of preference on ties.
   * @param options - Chain id, head-lag rules and the event hook.
   */
  constructor(
    providers: readonly ProviderConfig[],
    private readonly options: RpcClientOptions,
  ) {
    this.#providers = providers.map((config) => new Provider(config))
    const metrics = options.metrics
    if (!metrics) return
    for (const p of this.#providers) {
      const { hooks, release } = providerMetrics(metrics.registry, metrics.chainName, p.name, () => p.breaker.state)
      p.hooks = hooks
      this.#releases.push(release)
    }
  }

  /** The ws(s) providers, for `newHeads` subscriptions. */
  get wsEndpoints(): { url: string; name: string }[] {
    return this.#providers.filter((p) => p.isWs).map((p) => ({ url: p.config.url, name: p.name }))
  }

  /** Stops reporting the providers' breaker states (the counters stay, as Prometheus expects) and closes ws sockets. */
  async close(): Promise<void> {
    for (const release of this.#releases.splice(0)) release()
    await Promise.all(this.#providers.map((p) => p.close()))
  }

  /** The providers' redacted names, for messages. */
  get label(): string {
    return this.#providers.map((p) => p.name).join(', ')
  }

  /** Each provider's state and counters. */
  snapshot(): ProviderSnapshot[] {
    return this.#providers.map((p) => p.snapshot())
  }

  /**
   * Asks every provider for its chain id and benches those of another chain.
   *
   * @throws FatalError `SOURCE_WRONG_CHAIN` when no provider serves `chainId` and one serves another chain.
   */
  async checkChainIds(chainName: string): Promise<void> {
    const results = await Promise.allSettled(this.#providers.map((p) => this.#chainIdOf(p)))
    if (results.some((r) => r.status === 'fulfilled' && r.value === this.options.chainId)) return
    const wrong = results.findIndex((r) => r.status === 'fulfilled')
    if (wrong >= 0) {
      const actual = (results[wrong] as PromiseFulfilledResult<number>).value
      throw new FatalError(
        `provider ${this.#providers[wrong]!.name} serves chain id ${actual}, but chain "${chainName}" is ${this.options.chainId}`,
        {
          code: 'SOURCE_WRONG_CHAIN',
          details: `Point the providers of chain "${chainName}" at a node of chain id ${this.options.chainId}.`,
        },
      )
    }
    throw this.#wrap('eth_chainId', this.#providers[0]!, (results[0] as PromiseRejectedResult).reason)
  }

  /** `eth_blockNumber` from the best provider; a provider trailing the others is benched and another asked. */
  async blockNumber(signal?: AbortSignal): Promise<bigint> {
    const { value, provider } = await this.#request('eth_blockNumber', [], (raw, p) => this.#checkHead(raw, p), {
      signal,
    })
    return this.#secondOpinion(this.#find(provider), value, signal)
  }

  /**
   * The head with its header (`eth_getBlockByNumber('latest', false)`), checked like
   * {@link RpcClient.blockNumber}: a provider trailing the others is benched and another asked.
   *
   * @returns The head, and the header of the block the provider called latest (below `head` when
   * a second opinion found a newer head elsewhere).
   */
  async latest(signal?: AbortSignal): Promise<{ head: bigint; header: BlockHeader }> {
    const check = (raw: unknown, p: Provider) => {
      if (raw === null) throw new InvalidResponseError('no latest block')
      const number = this.#checkHead((raw as { number?: unknown } | undefined)?.number, p)
      checkBlock(raw, number)
      return toHeader(raw as RpcBlock)
    }
    const { value, provider } = await this.#request('eth_getBlockByNumber', ['latest', false], check, { signal })
    return { head: await this.#secondOpinion(this.#find(provider), value.number, signal), header: value }
  }

  /**
   * The number of the block the best provider tags `safe` or `finalized`.
   *
   * @throws RetryableError when no provider answers with such a block (a node without the tag).
   */
  async taggedHead(tag: 'safe' | 'finalized', signal?: AbortSignal): Promise<bigint> {
    const check = (raw: unknown) => {
      if (raw === null) throw new InvalidResponseError(`no "${tag}" block (does the node support the tag?)`)
      const number = quantity((raw as { number?: unknown }).number, `${tag} block number`)
      checkBlock(raw, number)
      return number
    }
    return (await this.#request('eth_getBlockByNumber', [tag, false], check, { signal })).value
  }

  /** `eth_getBlockByNumber(n, false)`; `undefined` when the provider does not have the block yet. */
  async header(number: bigint, avoid?: string): Promise<BlockHeader | undefined> {
    const check = (raw: unknown) => {
      checkBlock(raw, number)
      return raw ? toHeader(raw as RpcBlock) : undefined
    }
    return (await this.#request('eth_getBlockByNumber', [toHex(number), false], check, { avoid })).value
  }

  /**
   * The headers of blocks `from..to` (`eth_getBlockByNumber(n, false)` each), sent as JSON-RPC
   * batches of `HEADER_BATCH` calls, each batch failing over on its own.
   *
   * @returns One entry per block, in order; `undefined` where the provider does not have the block yet.
   */
  async headers(from: bigint, to: bigint): Promise<(BlockHeader | undefined)[]> {
    const batches: Promise<(BlockHeader | undefined)[]>[] = []
    for (let start = from; start <= to; start += HEADER_BATCH_N) {
      const end = start + HEADER_BATCH_N - 1n
      batches.push(this.#headerBatch(start, end < to ? end : to))
    }
    return (await Promise.all(batches)).flat()
  }

  async #headerBatch(from: bigint, to: bigint): Promise<(BlockHeader | undefined)[]> {
    const method = 'eth_getBlockByNumber'
    const calls = Array.from({ length: Number(to - from + 1n) }, (_, i) => ({
      method,
      params: [toHex(from + BigInt(i)), false],
    }))
    const send = async (p: Provider) =>
      (await p.batch(calls)).map((raw, i) => {
        checkBlock(raw, from + BigInt(i))
        return raw ? toHeader(raw as RpcBlock) : undefined
      })
    return (await this.#attempt(method, send, { calls: calls.length })).value
  }

  /**
   * Every transaction's receipt of each block: `eth_getBlockReceipts` in JSON-RPC batches or, on a
   * provider without that method, the block's transaction hashes and then one
   * `eth_getTransactionReceipt` per transaction, batched.
   *
   * @param blocks - Block numbers (while catching up, beside the headers) or hashes.
   * @returns Per block, its checked receipts and the block hash they name.
   */
  async receipts(blocks: readonly (bigint | Hex)[]): Promise<BlockReceipts[]> {
    const batches: Promise<BlockReceipts[]>[] = []
    for (let i = 0; i < blocks.length; i += RECEIPT_BATCH)
      batches.push(this.#receiptBatch(blocks.slice(i, i + RECEIPT_BATCH)))
    return (await Promise.all(batches)).flat()
  }

  async #receiptBatch(blocks: readonly (bigint | Hex)[]): Promise<BlockReceipts[]> {
    const send = async (p: Provider) => {
      const raws =
        (!p.lacksBlockReceipts && (await this.#blockReceipts(p, blocks))) || (await this.#txReceipts(p, blocks))
      return raws.map((raw, i) => toReceipts(raw, blocks[i]!))
    }
    return (await this.#attempt('eth_getBlockReceipts', send, { calls: blocks.length })).value
  }

  /** `eth_getBlockReceipts` of each block; `undefined` when the provider lacks the method (remembered). */
  async #blockReceipts(p: Provider, blocks: readonly (bigint | Hex)[]): Promise<unknown[] | undefined> {
    const calls = blocks.map((b) => ({
      method: 'eth_getBlockReceipts',
      params: [typeof b === 'bigint' ? toHex(b) : b],
    }))
    try {
      return await p.batch(calls)
    } catch (error) {
      if (!methodMissing(error)) throw error
      p.lacksBlockReceipts = true
      return undefined
    }
  }

  /** Each block's transaction hashes, then each transaction's receipt, in batches. */
  async #txReceipts(p: Provider, blocks: readonly (bigint | Hex)[]): Promise<unknown[][]> {
    const bodies = await p.batch(
      blocks.map((b) =>
        typeof b === 'bigint'
          ? { method: 'eth_getBlockByNumber', params: [toHex(b), false] }
          : { method: 'eth_getBlockByHash', params: [b, false] },
      ),
    )
    const hashes = bodies.map((body, i) => {
      const list = (body as { transactions?: unknown } | null)?.transactions
      if (!Array.isArray(list))
        throw new RetryableError(`block ${blocks[i]} is not available on ${p.name}`, { code: 'RPC_BLOCK_UNAVAILABLE' })
      return list as Hex[]
    })
    const calls = hashes.flat().map((hash) => ({ method: 'eth_getTransactionReceipt', params: [hash] }))
    const chunks: Promise<unknown[]>[] = []
    for (let i = 0; i < calls.length; i += HEADER_BATCH) chunks.push(p.batch(calls.slice(i, i + HEADER_BATCH)))
    const receipts = (await Promise.all(chunks)).flat()
    let next = 0
    return hashes.map((list) => {
      next += list.length
      return receipts.slice(next - list.length, next)
    })
  }

  /** `eth_getLogs` for a merged filter, checked against the scope and filter. */
  async logs(scope: LogScope, filter: MergedFilter, avoid?: string): Promise<Served<Log[]>> {
    const range = 'blockHash' in scope ? scope : { fromBlock: toHex(scope.fromBlock), toBlock: toHex(scope.toBlock) }
    const calls = [{ method: 'eth_getLogs', params: [{ ...range, ...toRpcFilter(filter) }] }]
    const send = async (p: Provider) => toLogs((await p.batch(calls))[0], scope, filter)
    return this.#attempt('eth_getLogs', send, { avoid })
  }

  /** Every log of block `number` from its receipts (`eth_getBlockReceipts`), preferably not from `avoid`. */
  async receiptLogs(number: bigint, blockHash: Hex, avoid?: string): Promise<Served<Log[]>> {
    const check = (raw: unknown) => {
      if (!Array.isArray(raw)) throw new InvalidResponseError('eth_getBlockReceipts answer is not an array')
      return toLogs(
        raw.flatMap((r: { logs: unknown }) => r.logs),
        { blockHash },
        {},
      )
    }
    return this.#request('eth_getBlockReceipts', [toHex(number)], check, { avoid })
  }

  /** `eth_call` at a block number. */
  async call(request: { to: Hex; data: Hex }, blockNumber: bigint): Promise<Hex> {
    return (await this.#request('eth_call', [request, toHex(blockNumber)], (raw) => raw as Hex)).value
  }

  /**
   * Runs `fn` on the best provider's viem client, failing over like any request.
   *
   * @param what - What is being done, for the error message.
   * @param fn - The work.
   */
  async run<T>(what: string, fn: (client: PublicClient) => Promise<T>): Promise<T> {
    return (await this.#attempt(what, (p) => p.execute(fn, undefined, 'eth_call'), {})).value
  }

  /** Benches `provider` for an answer the caller found wrong (logs against headers or bloom). */
  blame(provider: string, reason: string): void {
    const p = this.#providers.find((x) => x.name === provider)
    if (p) this.#fail(p, { kind: 'invalid', reason })
  }

  /** Redacts every provider URL from `text`. */
  scrub(text: string): string {
    return this.#providers.reduce((out, p) => out.replaceAll(p.config.url, p.name), text)
  }

  #request<T>(
    method: string,
    params: unknown[],
    check: (raw: unknown, provider: Provider) => T,
    opts: { avoid?: string | undefined; signal?: AbortSignal | undefined } = {},
  ): Promise<Served<T>> {
    const send = async (p: Provider) =>
      check(await p.execute((c) => c.request({ method, params } as never), opts.signal, method), p)
    return this.#attempt(method, send, opts)
  }

  async #attempt<T>(
    method: string,
    send: (provider: Provider) => Promise<T>,
    opts: { avoid?: string | undefined; signal?: AbortSignal | undefined; calls?: number | undefined },
  ): Promise<Served<T>> {
    const tried = new Set<Provider>()
    const attempts = this.#providers.length * 2 + 1
    for (let attempt = 1; ; attempt++) {
      const provider = await this.#pick(tried, opts.avoid, opts.signal)
      try {
        const value = await send(provider)
        provider.succeed(method)
        return { value, provider: provider.name }
      } catch (error) {
        const failure = classify(error, method.split(' ')[0]!)
        if (failure.kind === 'rpc' || failure.kind === 'range') provider.count(failure.kind)
        if (failure.kind === 'rpc') {
          provider.succeed(method)
          throw this.#wrap(method, provider, error)
        }
        if (failure.kind === 'range') {
          provider.succeed(method)
          throw new LogsRangeError(`${method} too large for ${provider.name}: ${failure.reason}`, this.#cause(error))
        }
        this.#fail(provider, failure, opts.calls, method)
        tried.add(provider)
        if (attempt >= attempts || opts.signal?.aborted) throw this.#wrap(method, provider, error, failure)
      }
    }
  }

  /** The best available provider not yet tried (or tried, when none is left), waiting a while for one. */
  async #pick(tried: Set<Provider>, avoid: string | undefined, signal?: AbortSignal): Promise<Provider> {
    const deadline = Date.now() + this.options.waitForProviderMs
    for (;;) {
      this.#startProbes()
      const ready = this.#providers.filter((p) => p.available)
      const fresh = ready.filter((p) => !tried.has(p))
      const preferred = fresh.filter((p) => p.name !== avoid)
      const pool = preferred.length ? preferred : fresh.length ? fresh : ready
      if (pool.length) return pool.reduce((best, p) => (p.score() < best.score() ? p : best))
      if (Date.now() >= deadline) {
        const why = this.#providers.map((p) => `${p.name} (${p.lastFailure ?? 'unavailable'})`).join('; ')
        throw new RetryableError(`no provider available: ${why}`, { code: 'RPC_ALL_PROVIDERS_DOWN' })
      }
      await sleep(25, signal)
    }
  }

  #startProbes(): void {
    for (const p of this.#providers) {
      if (!p.startProbe()) continue
      void this.#probe(p)
    }
  }

  /** A half-open probe: the provider must serve the right chain with a head not behind the others. */
  async #probe(p: Provider): Promise<void> {
    try {
      if ((await this.#chainIdOf(p, false)) !== this.options.chainId)
        throw new InvalidResponseError('wrong chain id', 'wrong-chain')
      const head = await p.execute((c) => c.request({ method: 'eth_blockNumber' }), undefined, 'eth_blockNumber')
      this.#checkHead(head, p)
      p.endProbe(true)
      this.options.onEvent?.({ type: 'restored', provider: p.name })
    } catch (error) {
      p.endProbe(false, classify(error, 'eth_blockNumber'))
    }
  }

  async #chainIdOf(p: Provider, record = true): Promise<number> {
    try {
      const id = Number(
        quantity(await p.execute((c) => c.request({ method: 'eth_chainId' }), undefined, 'eth_chainId'), 'chain id'),
      )
      if (record && id !== this.options.chainId) this.#fail(p, { kind: 'wrong-chain', reason: `chain id ${id}` })
      return id
    } catch (error) {
      if (record) this.#fail(p, classify(error, 'eth_chainId'))
      throw error
    }
  }

  /** Checks a head against the best head of the other available providers, then records it. */
  #checkHead(raw: unknown, p: Provider): bigint {
    const head = quantity(raw, 'head')
    const best = this.#bestHead()
    if (best !== undefined && head + BigInt(this.options.maxHeadLagBlocks) < best) {
      throw new InvalidResponseError(`head ${head} is ${best - head} blocks behind ${best}`, 'lagging')
    }
    p.sawHead(head)
    return head
  }

  #bestHead(): bigint | undefined {
    let best: bigint | undefined
    for (const p of this.#providers)
      if (p.available && p.head !== undefined && (best === undefined || p.head > best)) best = p.head
    return best
  }

  /** When `p`'s head has stood still too long, asks another provider too, benching `p` if it trails. */
  async #secondOpinion(p: Provider | undefined, head: bigint, signal?: AbortSignal): Promise<bigint> {
    if (!p || Date.now() - p.headChangedAt < this.options.headStallMs) return head
    const other = this.#providers.filter((q) => q !== p && q.available).sort((a, b) => a.score() - b.score())[0]
    if (!other) return head
    try {
      const theirs = quantity(
        await other.execute((c) => c.request({ method: 'eth_blockNumber' }), signal, 'eth_blockNumber'),
        'head',
      )
      other.succeed()
      other.sawHead(theirs)
      if (theirs > head + BigInt(this.options.maxHeadLagBlocks)) {
        this.#fail(p, { kind: 'lagging', reason: `head ${head} stalled; ${other.name} is at ${theirs}` })
      }
      return theirs > head ? theirs : head
    } catch (error) {
      this.#fail(other, classify(error, 'eth_blockNumber'))
      return head
    }
  }

  #find(name: string): Provider | undefined {
    return this.#providers.find((p) => p.name === name)
  }

  #fail(p: Provider, failure: Failure, calls?: number, method?: string): void {
    if (p.fail(failure, calls, method))
      this.options.onEvent?.({ type: 'benched', provider: p.name, reason: p.lastFailure })
  }

  #cause(error: unknown): Error {
    const err = error instanceof Error ? error : new Error(String(error))
    const cause = new Error(this.scrub(err.message))
    cause.name = err.name
    return cause
  }

  #wrap(what: string, p: Provider, error: unknown, failure?: Failure): RetryableError {
    const err = error instanceof Error ? error : new Error(String(error))
    const short = (err as { shortMessage?: string }).shortMessage ?? err.message
    const code = failure?.kind === 'timeout' ? 'RPC_TIMEOUT' : 'RPC_REQUEST_FAILED'
    return new RetryableError(`${what} failed on ${p.name}: ${this.scrub(short)}`, { code, cause: this.#cause(error) })
  }
}

const big = (value: Hex | null | undefined): bigint | undefined => (value == null ? undefined : BigInt(value))
const lower = (value: Hex): Hex => value.toLowerCase() as Hex

/**
 * A JSON-RPC block (`eth_getBlockByNumber` or a `newHeads` notification), already checked with
 * `checkBlock`, as a header: hashes lower-case, quantities as bigints.
 *
 * @param block - The raw block.
 * @returns The header.
 */
export function toHeader(block: RpcBlock): BlockHeader {
  const required = (key: string): Hex => {
    const value = block[key]
    if (value == null) throw new InvalidResponseError(`block is missing "${key}"`)
    return value
  }
  return {
    number: BigInt(required('number')),
    hash: lower(required('hash')),
    parentHash: lower(required('parentHash')),
    timestamp: BigInt(required('timestamp')),
    baseFeePerGas: big(block.baseFeePerGas),
    gasUsed: BigInt(required('gasUsed')),
    gasLimit: BigInt(required('gasLimit')),
    blobGasUsed: big(block.blobGasUsed),
    excessBlobGas: big(block.excessBlobGas),
    logsBloom: block.logsBloom ? lower(block.logsBloom) : undefined,
    miner: block.miner ? lower(block.miner) : undefined,
  }
}
