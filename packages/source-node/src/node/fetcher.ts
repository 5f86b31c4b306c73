import type { BlockHeader, Hex, Log, LogFilter } from '@qenus/core'
import {
  type BlockFetcher,
  chained,
  checkBlock,
  type FetchedBlock,
  InvalidResponseError,
  type MergedFilter,
  mergeFilters,
  type RpcBlock,
  receiptsOfBlock,
  toHeader,
  toLogs,
  toReceipts,
} from '@qenus/source-rpc'
import { toHex } from 'viem'
import type { NodeClient } from './client.js'

/** What a {@link NodeBlockFetcher} needs. */
export interface NodeBlockFetcherConfig {
  /** The node. */
  client: NodeClient
  /** Every extractor's log filters, applied in process. */
  filters: readonly LogFilter[]
  /** Whether blocks carry every receipt. */
  receipts: boolean
  /** Blocks per JSON-RPC batch; a range is fetched as several batches at once. */
  blocksPerBatch: number
}

type RawReceipt = { blockHash?: unknown; logs?: RawLog[] }
type RawLog = { address?: unknown; topics?: unknown[] }

/**
 * Whole blocks from a local node: each block is taken once, as its header with transaction hashes
 * (`eth_getBlockByNumber(n, false)`) and every receipt (`eth_getBlockReceipts(n)`) in one batch,
 * and the extractors' log filters are applied here, so there is no `eth_getLogs` and no rate limit
 * to respect.
 *
 * @remarks
 * The receipts must name the block's hash and match its transaction hashes, in order; otherwise
 * the block changed between the two answers (a reorg) and the stream refetches. Transaction bodies
 * (`eth_getBlockByNumber(n, true)`) are not asked for: nothing in a block event carries them, and
 * anvil answers them about 25 times slower than the receipts (measured on the devnet).
 */
export class NodeBlockFetcher implements BlockFetcher {
  readonly #filter: MergedFilter | undefined
  readonly #addresses: ReadonlySet<string> | undefined
  readonly #topics: ReadonlySet<string> | undefined

  /** @param config - The node, the filters and the batch size. */
  constructor(private readonly config: NodeBlockFetcherConfig) {
    this.#filter = mergeFilters(config.filters)
    this.#addresses = this.#filter?.address && new Set(this.#filter.address)
    this.#topics = this.#filter?.topic0 && new Set(this.#filter.topic0)
  }

  /** Blocks `from..to`; `undefined` when one is missing or they do not chain (a reorg while fetching). */
  async range(from: bigint, to: bigint): Promise<FetchedBlock[] | undefined> {
    const size = BigInt(this.config.blocksPerBatch)
    const batches: Promise<(FetchedBlock | undefined)[]>[] = []
    for (let start = from; start <= to; start += size) {
      const end = start + size - 1n
      batches.push(this.#batch(start, end < to ? end : to))
    }
    const blocks = (await Promise.all(batches)).flat()
    if (blocks.some((b) => b === undefined)) return undefined
    const fetched = blocks as FetchedBlock[]
    return chained(fetched.map((b) => b.header)) ? fetched : undefined
  }

  /** One block at the head, by number (the node's canonical one; the stream checks it links). */
  async block(number: bigint, _header: BlockHeader | undefined): Promise<FetchedBlock | undefined> {
    return (await this.#batch(number, number))[0]
  }

  async #batch(from: bigint, to: bigint): Promise<(FetchedBlock | undefined)[]> {
    const calls = []
    for (let n = from; n <= to; n++) {
      const id = toHex(n)
      calls.push(
        { method: 'eth_getBlockByNumber', params: [id, false] },
        { method: 'eth_getBlockReceipts', params: [id] },
      )
    }
    const answers = await this.config.client.batch(calls, `blocks ${from}..${to}`)
    const blocks: (FetchedBlock | undefined)[] = []
    for (let i = 0; i < answers.length; i += 2)
      blocks.push(this.#whole(answers[i], answers[i + 1], from + BigInt(i / 2)))
    return blocks
  }

  /** One block from its raw body and receipts; `undefined` when the node lacks it or they disagree. */
  #whole(body: unknown, rawReceipts: unknown, number: bigint): FetchedBlock | undefined {
    checkBlock(body, number)
    if (body === null || rawReceipts === null) return undefined
    const header = toHeader(body as RpcBlock)
    const transactions = (body as { transactions?: unknown }).transactions
    if (!Array.isArray(transactions)) throw new InvalidResponseError(`block ${number} transactions is not an array`)
    if (!Array.isArray(rawReceipts)) throw new InvalidResponseError(`receipts of block ${number} are not an array`)
    if (!sameTransactions(transactions, rawReceipts as { transactionHash?: unknown }[])) return undefined
    if (this.config.receipts) {
      const checked = toReceipts(rawReceipts, number)
      if (!receiptsOfBlock(checked, header)) return undefined
      const logs = checked.receipts.flatMap((r) => r.logs)
      return { header, logs, receipts: checked.receipts }
    }
    const first = (rawReceipts[0] as RawReceipt | undefined)?.blockHash
    if (first !== undefined && String(first).toLowerCase() !== header.hash) return undefined
    return { header, logs: this.#logs(rawReceipts as RawReceipt[], header.hash) }
  }

  /** The receipts' logs the merged filter lets through, checked and converted. */
  #logs(receipts: RawReceipt[], blockHash: Hex): Log[] {
    const filter = this.#filter
    if (!filter) return []
    const wanted: RawLog[] = []
    for (const receipt of receipts) {
      const logs = receipt.logs
      if (!Array.isArray(logs)) throw new InvalidResponseError(`a receipt of block ${blockHash} has no logs array`)
      for (const log of logs) if (this.#wanted(log)) wanted.push(log)
    }
    return toLogs(wanted, { blockHash }, filter)
  }

  #wanted(log: RawLog): boolean {
    const addresses = this.#addresses
    if (addresses && !(typeof log.address === 'string' && addresses.has(log.address.toLowerCase()))) return false
    const topics = this.#topics
    if (!topics) return true
    const topic0 = log.topics?.[0]
    return typeof topic0 === 'string' && topics.has(topic0.toLowerCase())
  }
}

/** Whether the receipts are the block's transactions', in order (a receipt of another branch is not). */
function sameTransactions(hashes: unknown[], receipts: { transactionHash?: unknown }[]): boolean {
  if (hashes.length !== receipts.length) return false
  for (let i = 0; i < hashes.length; i++) {
    const hash = hashes[i]
    const receipt = receipts[i]?.transactionHash
    if (typeof hash !== 'string' || typeof receipt !== 'string' || hash.toLowerCase() !== receipt.toLowerCase()) {
      return false
    }
  }
  return true
}
