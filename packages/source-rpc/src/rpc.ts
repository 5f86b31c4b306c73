import { type BlockHeader, type Hex, type Log, RetryableError } from '@qenus/core'
import { createPublicClient, http, type PublicClient, type Transport, toHex } from 'viem'
import { type MergedFilter, toRpcFilter } from './filters.js'
import { redactUrl } from './redact.js'

/** Where logs are fetched: a block range while catching up, or one block by hash when following. */
export type LogScope = { fromBlock: bigint; toBlock: bigint } | { blockHash: Hex }

type RpcBlock = Record<string, Hex | null | undefined>
type RpcLog = { [K in keyof Log]: Hex } & { topics: Hex[] }

const JSON_RPC_BATCH_SIZE = 100

/**
 * The JSON-RPC methods the source uses, over one viem client.
 *
 * @remarks
 * The viem client hides the transport, so failover across providers (viem's `fallback`) or ws
 * transports slot in here without touching the streaming logic. Errors are rethrown as
 * {@link RetryableError}s naming the method and the redacted provider, never the raw URL.
 */
export class RpcClient {
  /**
   * @param client - A viem public client.
   * @param label - How the provider appears in logs and errors (already redacted).
   * @param secrets - Raw strings (provider URLs) scrubbed from any error text that leaves.
   */
  constructor(
    readonly client: PublicClient,
    readonly label: string,
    private readonly secrets: readonly string[] = [],
  ) {}

  /**
   * A client over one http(s) provider.
   *
   * @param url - Provider URL (kept out of errors and logs).
   * @param options - Batching and timeout.
   */
  static http(url: string, options: { batch: boolean; timeoutMs: number }): RpcClient {
    const transport: Transport = http(url, {
      batch: options.batch ? { batchSize: JSON_RPC_BATCH_SIZE } : false,
      timeout: options.timeoutMs,
    })
    return new RpcClient(createPublicClient({ transport }), redactUrl(url), [url])
  }

  /** `eth_chainId`. */
  async chainId(): Promise<number> {
    return Number(await this.request<Hex>('eth_chainId', []))
  }

  /** `eth_blockNumber`. */
  async blockNumber(): Promise<bigint> {
    return BigInt(await this.request<Hex>('eth_blockNumber', []))
  }

  /** `eth_getBlockByNumber(n, false)`; `undefined` when the node does not have the block yet. */
  async header(number: bigint): Promise<BlockHeader | undefined> {
    const block = await this.request<RpcBlock | null>('eth_getBlockByNumber', [toHex(number), false])
    return block ? toHeader(block) : undefined
  }

  /** `eth_getLogs` for a merged filter. */
  async logs(scope: LogScope, filter: MergedFilter): Promise<Log[]> {
    const range = 'blockHash' in scope ? scope : { fromBlock: toHex(scope.fromBlock), toBlock: toHex(scope.toBlock) }
    const logs = await this.request<RpcLog[]>('eth_getLogs', [{ ...range, ...toRpcFilter(filter) }])
    return logs.map(toLog)
  }

  /** `eth_call` at a block number. */
  async call(request: { to: Hex; data: Hex }, blockNumber: bigint): Promise<Hex> {
    return this.request<Hex>('eth_call', [request, toHex(blockNumber)])
  }

  /**
   * Runs `fn` on the viem client, rethrowing failures as a redacted {@link RetryableError}.
   *
   * @param what - What is being done, for the error message.
   * @param fn - The work.
   */
  async run<T>(what: string, fn: (client: PublicClient) => Promise<T>): Promise<T> {
    try {
      return await fn(this.client)
    } catch (error) {
      throw this.wrap(what, error)
    }
  }

  /** Redacts every provider URL from `text`. */
  scrub(text: string): string {
    return this.secrets.reduce((out, secret) => out.replaceAll(secret, redactUrl(secret)), text)
  }

  private request<T>(method: string, params: unknown[]): Promise<T> {
    return this.run(method, (client) => client.request({ method, params } as never) as Promise<T>)
  }

  private wrap(what: string, error: unknown): RetryableError {
    const err = error instanceof Error ? error : new Error(String(error))
    const short = (err as { shortMessage?: string }).shortMessage ?? err.message
    const cause = new Error(this.scrub(err.message))
    cause.name = err.name
    return new RetryableError(`${what} failed on ${this.label}: ${this.scrub(short)}`, {
      code: 'RPC_REQUEST_FAILED',
      cause,
    })
  }
}

const big = (value: Hex | null | undefined): bigint | undefined => (value == null ? undefined : BigInt(value))
const lower = (value: Hex): Hex => value.toLowerCase() as Hex

function toHeader(block: RpcBlock): BlockHeader {
  const required = (key: string): Hex => {
    const value = block[key]
    if (value == null) throw new RetryableError(`block is missing "${key}"`, { code: 'RPC_BAD_RESPONSE' })
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
    logsBloom: block.logsBloom ?? undefined,
    miner: block.miner ? lower(block.miner) : undefined,
  }
}

function toLog(log: RpcLog): Log {
  return {
    address: lower(log.address),
    topics: log.topics.map(lower),
    data: log.data,
    blockNumber: BigInt(log.blockNumber),
    blockHash: lower(log.blockHash),
    transactionHash: lower(log.transactionHash),
    transactionIndex: Number(log.transactionIndex),
    logIndex: Number(log.logIndex),
  }
}
