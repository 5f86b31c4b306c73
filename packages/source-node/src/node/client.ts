import { type BlockHeader, FatalError, type Hex, isQenusError, RetryableError } from '@qenus/core'
import {
  checkBlock,
  type HeadClient,
  InvalidResponseError,
  quantity,
  type ReadClient,
  type RpcBlock,
  toHeader,
} from '@qenus/source-rpc'
import { createPublicClient, custom, type PublicClient, toHex } from 'viem'
import type { SocketCall, SocketRpc } from '../transport/socket.js'

/**
 * The JSON-RPC methods source-node uses, over one {@link SocketRpc} to a local node: the head-side
 * calls a `BlockStream` makes, the reads a batched reader makes, and whole-block batches. Every
 * answer is checked; failures surface as `RetryableError` (the runtime retries), a wrong chain as
 * `FatalError`.
 */
export class NodeClient implements HeadClient, ReadClient {
  readonly #viem: PublicClient

  /**
   * @param socket - The connection to the node.
   * @param chainId - The chain id the node must serve.
   */
  constructor(
    readonly socket: SocketRpc,
    private readonly chainId: number,
  ) {
    const request = ({ method, params }: { method: string; params?: unknown }) =>
      socket.request(method, (params as unknown[] | undefined) ?? [])
    // A viem client over the same socket, for multicall encoding; no retries: the runtime owns them.
    this.#viem = createPublicClient({ transport: custom({ request }, { retryCount: 0 }), cacheTime: 0 })
  }

  /** The node's socket path or ws origin. */
  get label(): string {
    return this.socket.label
  }

  /**
   * Checks the node's chain id.
   *
   * @throws FatalError `SOURCE_WRONG_CHAIN` when the node serves another chain.
   */
  async checkChainIds(chainName: string): Promise<void> {
    const id = Number(await this.#call('eth_chainId', [], (raw) => quantity(raw, 'chain id')))
    if (id === this.chainId) return
    throw new FatalError(`node ${this.label} serves chain id ${id}, but chain "${chainName}" is ${this.chainId}`, {
      code: 'SOURCE_WRONG_CHAIN',
      details: `Point the source of chain "${chainName}" at a node of chain id ${this.chainId}.`,
    })
  }

  /** `eth_blockNumber`. */
  blockNumber(): Promise<bigint> {
    return this.#call('eth_blockNumber', [], (raw) => quantity(raw, 'head'))
  }

  /** The latest block's number and header. */
  async latest(): Promise<{ head: bigint; header: BlockHeader }> {
    const header = await this.#call('eth_getBlockByNumber', ['latest', false], (raw) => {
      if (raw === null) throw new InvalidResponseError('no latest block')
      checkBlock(raw, quantity((raw as { number?: unknown }).number, 'latest block number'))
      return toHeader(raw as RpcBlock)
    })
    return { head: header.number, header }
  }

  /** The number of the block the node tags `safe` or `finalized`. */
  taggedHead(tag: 'safe' | 'finalized'): Promise<bigint> {
    return this.#call('eth_getBlockByNumber', [tag, false], (raw) => {
      if (raw === null) throw new InvalidResponseError(`no "${tag}" block (does the node support the tag?)`)
      const number = quantity((raw as { number?: unknown }).number, `${tag} block number`)
      checkBlock(raw, number)
      return number
    })
  }

  /** `eth_getBlockByNumber(n, false)`; `undefined` when the node does not have the block yet. */
  header(number: bigint): Promise<BlockHeader | undefined> {
    return this.#call('eth_getBlockByNumber', [toHex(number), false], (raw) => {
      checkBlock(raw, number)
      return raw ? toHeader(raw as RpcBlock) : undefined
    })
  }

  /**
   * Runs `fn` on a viem client over the node's socket (multicall encoding and decoding).
   *
   * @param what - What is being done, for the error message.
   * @param fn - The work.
   */
  async run<T>(what: string, fn: (client: PublicClient) => Promise<T>): Promise<T> {
    try {
      return await fn(this.#viem)
    } catch (error) {
      throw this.#wrap(what, error)
    }
  }

  /** `eth_call` at a block number. */
  call(request: { to: Hex; data: Hex }, blockNumber: bigint): Promise<Hex> {
    return this.#call('eth_call', [request, toHex(blockNumber)], (raw) => raw as Hex)
  }

  /**
   * Sends calls as one batch and checks the answers.
   *
   * @param calls - The calls.
   * @param what - Names the work in errors.
   */
  async batch(calls: readonly SocketCall[], what: string): Promise<unknown[]> {
    try {
      return await this.socket.batch(calls)
    } catch (error) {
      throw this.#wrap(what, error)
    }
  }

  async #call<T>(method: string, params: unknown[], check: (raw: unknown) => T): Promise<T> {
    try {
      return check(await this.socket.request(method, params))
    } catch (error) {
      throw this.#wrap(method, error)
    }
  }

  #wrap(what: string, error: unknown): Error {
    if (isQenusError(error)) return error as Error
    const err = error instanceof Error ? error : new Error(String(error))
    const short = (err as { shortMessage?: string }).shortMessage ?? err.message
    const code = err instanceof InvalidResponseError ? 'NODE_BAD_ANSWER' : 'NODE_REQUEST_FAILED'
    return new RetryableError(`${what} failed on ${this.label}: ${short}`, { code, cause: err })
  }
}
