import type { BlockRef, ChainReader, Hex, MulticallResult, ReadContractParameters } from '@qenus/core'
import type { PublicClient } from 'viem'
import { ImmutableCache } from './immutable.js'

/**
 * The calls a batched reader makes: `RpcClient` over providers, or a node client over its socket.
 */
export interface ReadClient {
  /**
   * Runs `fn` on a viem client of the endpoint, with the endpoint's failover and error handling.
   *
   * @param what - What is being done, for the error message.
   * @param fn - The work.
   */
  run<T>(what: string, fn: (client: PublicClient) => Promise<T>): Promise<T>
  /** Raw `eth_call` at a block number. */
  call(request: { to: Hex; data: Hex }, blockNumber: bigint): Promise<Hex>
}

/** Calldata bytes per `aggregate3` call before viem splits a batch, kept under common eth_call gas caps. */
const MULTICALL_CHUNK_BYTES = 64 * 1024

interface Waiter {
  offset: number
  count: number
  resolve: (results: MulticallResult[]) => void
  reject: (error: unknown) => void
}

interface PendingBatch {
  block: BlockRef
  calls: ReadContractParameters[]
  waiters: Waiter[]
}

/**
 * Coalesces the multicalls issued for one block in the same turn of the event loop (by several
 * extractors, say) into one Multicall3 `aggregate3` call, and caches immutable answers.
 *
 * @example
 * ```ts
 * const batcher = new MulticallBatcher(client, chain.multicall3)
 * const reader = createRpcReader(client, batcher, { number: 100n, hash })
 * ```
 */
export class MulticallBatcher {
  readonly #pending = new Map<string, PendingBatch>()
  /** Immutable answers (token decimals, pool immutables), shared by every reader of the source. @internal */
  readonly cache = new ImmutableCache()

  /**
   * @param rpc - The endpoint.
   * @param multicall3 - The chain's Multicall3 address; without one, calls go out one by one.
   */
  constructor(
    private readonly rpc: ReadClient,
    private readonly multicall3: Hex | undefined,
  ) {}

  /** Queues `calls` at `block` (those answered by the immutable cache are not sent); resolves with their results, in order. */
  async multicall(block: BlockRef, calls: readonly ReadContractParameters[]): Promise<MulticallResult[]> {
    const cached = calls.map((call) => this.cache.get(call))
    const missing = calls.filter((_, i) => cached[i] === undefined)
    const fetched = await this.#queue(block, missing)
    for (const [i, call] of missing.entries()) this.cache.set(call, fetched[i]!)
    let next = 0
    return cached.map((hit) => hit ?? fetched[next++]!)
  }

  #queue(block: BlockRef, calls: readonly ReadContractParameters[]): Promise<MulticallResult[]> {
    if (calls.length === 0) return Promise.resolve([])
    const key = `${block.number}:${block.hash}`
    let batch = this.#pending.get(key)
    if (!batch) {
      batch = { block, calls: [], waiters: [] }
      this.#pending.set(key, batch)
      setImmediate(() => this.#flush(key))
    }
    const { waiters, calls: queued } = batch
    return new Promise((resolve, reject) => {
      waiters.push({ offset: queued.length, count: calls.length, resolve, reject })
      queued.push(...calls)
    })
  }

  async #flush(key: string): Promise<void> {
    const batch = this.#pending.get(key)
    if (!batch) return
    this.#pending.delete(key)
    try {
      const results = await this.#execute(batch.block, batch.calls)
      for (const w of batch.waiters) w.resolve(results.slice(w.offset, w.offset + w.count))
    } catch (error) {
      for (const w of batch.waiters) w.reject(error)
    }
  }

  #execute(block: BlockRef, calls: ReadContractParameters[]): Promise<MulticallResult[]> {
    const multicallAddress = this.multicall3
    if (!multicallAddress) return Promise.all(calls.map((call) => this.#single(block, call)))
    return this.rpc.run(
      'multicall',
      (client) =>
        client.multicall({
          contracts: calls as never,
          multicallAddress,
          blockNumber: block.number,
          allowFailure: true,
          batchSize: MULTICALL_CHUNK_BYTES,
        }) as Promise<MulticallResult[]>,
    )
  }

  async #single(block: BlockRef, call: ReadContractParameters): Promise<MulticallResult> {
    try {
      const read = (client: PublicClient) => client.readContract({ ...call, blockNumber: block.number } as never)
      return { status: 'success', result: await this.rpc.run(`readContract ${call.functionName}`, read) }
    } catch (error) {
      return { status: 'failure', error: error as Error }
    }
  }
}

/**
 * A {@link ChainReader} over a {@link ReadClient} bound to one block: every read is made at `block.number`, except
 * the immutable ones (`IMMUTABLE_FUNCTIONS`) already answered for any block.
 *
 * @param rpc - The endpoint (`RpcClient`, or a node client).
 * @param batcher - Coalesces multicalls across readers of the same block.
 * @param block - The block to read at.
 * @returns The reader.
 */
export function createRpcReader(rpc: ReadClient, batcher: MulticallBatcher, block: BlockRef): ChainReader {
  return {
    block,
    call: (request) => rpc.call(request, block.number),
    readContract: async (parameters) => {
      const call = parameters as ReadContractParameters
      const hit = batcher.cache.get(call)
      if (hit?.status === 'success') return hit.result as never
      const result = await rpc.run(`readContract ${String(parameters.functionName)}`, (client) =>
        client.readContract({ ...parameters, blockNumber: block.number } as never),
      )
      batcher.cache.set(call, { status: 'success', result })
      return result as never
    },
    multicall: (calls) => batcher.multicall(block, calls),
  }
}
