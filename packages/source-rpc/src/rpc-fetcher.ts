import type { BlockHeader, Log, LogFilter } from '@qenus/core'
import type { BlockFetcher, FetchedBlock } from './block-stream.js'
import { checkAgainstBloom } from './bloom.js'
import { type MergedFilter, matchesAny, mergeFilters } from './filters.js'
import type { RpcClient } from './rpc.js'
import type { BlockReceipts } from './validate.js'

/** What an {@link RpcBlockFetcher} needs. */
export interface RpcBlockFetcherConfig {
  /** The providers. */
  rpc: RpcClient
  /** Every extractor's log filters. */
  filters: readonly LogFilter[]
  /** Whether blocks carry receipts. */
  receipts: boolean
  /** Logs what is worth a line. */
  warn: (fields: object, message: string) => void
}

/**
 * Blocks over RPC providers: a range as its headers plus one `eth_getLogs` (and receipts when
 * asked), a head block as its header plus its logs by block hash, every answer checked against
 * the headers' hashes and blooms.
 *
 * @internal
 */
export class RpcBlockFetcher implements BlockFetcher {
  readonly #filter: MergedFilter | undefined

  constructor(private readonly config: RpcBlockFetcherConfig) {
    this.#filter = mergeFilters(config.filters)
  }

  /** One block, its logs fetched by hash so they cannot come from another branch. */
  async block(number: bigint, known: BlockHeader | undefined): Promise<FetchedBlock | undefined> {
    const { rpc } = this.config
    const header = known ?? (await rpc.header(number))
    if (!header) return undefined
    const [served, receipts] = await Promise.all([
      this.#filter ? rpc.logs({ blockHash: header.hash }, this.#filter) : { value: [], provider: '' },
      this.config.receipts ? rpc.receipts([header.hash]) : undefined,
    ])
    const { value, provider } = served
    if (receipts && !receiptsOfBlock(receipts[0]!, header)) return undefined
    const verdict = this.#bloomVerdict(header, value)
    const logs = verdict === 'ok' ? value : await this.#settle(header, value, provider, verdict)
    return { header, logs, receipts: receipts?.[0]?.receipts }
  }

  /** Headers and logs of `[from, to]`; `undefined` when a reorg made them disagree. */
  async range(from: bigint, to: bigint): Promise<FetchedBlock[] | undefined> {
    const { rpc } = this.config
    const [headers, served, receipts] = await Promise.all([
      rpc.headers(from, to),
      this.#filter ? rpc.logs({ fromBlock: from, toBlock: to }, this.#filter) : { value: [], provider: '' },
      this.config.receipts ? rpc.receipts(numbers(from, to)) : undefined,
    ])
    if (!chained(headers) || (receipts && !headers.every((h, i) => receiptsOfBlock(receipts[i]!, h)))) return undefined
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
    const blocks: FetchedBlock[] = new Array(headers.length)
    for (let i = 0; i < headers.length; i++) {
      const header = headers[i]!
      const logs = perBlock[i] ?? []
      const verdict = this.#bloomVerdict(header, logs)
      const checked = verdict === 'ok' ? logs : await this.#settle(header, logs, served.provider, verdict)
      blocks[i] = { header, logs: checked, receipts: receipts?.[i]?.receipts }
    }
    return blocks
  }

  /**
   * A log whose block hash differs from its header's: a reorg between the two requests, or a
   * provider serving logs of another block. Asking for the header again tells which.
   */
  async #hashMismatch(header: BlockHeader, log: Log, provider: string): Promise<undefined> {
    const again = await this.config.rpc.header(header.number, provider)
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
}

type BloomVerdict = ReturnType<typeof checkAgainstBloom>

/** The logsBloom of a block without logs. */
const EMPTY_BLOOM = `0x${'0'.repeat(512)}`

/**
 * Whether every header is there and each one's parent is the one before it.
 *
 * @param headers - Consecutive blocks' headers, `undefined` where the endpoint lacked one.
 */
export function chained(headers: readonly (BlockHeader | undefined)[]): headers is BlockHeader[] {
  for (let i = 0; i < headers.length; i++) {
    const header = headers[i]
    if (!header || (i > 0 && header.parentHash !== headers[i - 1]!.hash)) return false
  }
  return true
}

/**
 * Whether receipts fetched by number belong to `header`: they name its hash, or there are none and
 * the block used no gas (receipts of an emptied block after a reorg would not).
 *
 * @param receipts - One block's checked receipts.
 * @param header - The header they must belong to.
 */
export function receiptsOfBlock(receipts: BlockReceipts, header: BlockHeader): boolean {
  return receipts.blockHash === undefined ? header.gasUsed === 0n : receipts.blockHash === header.hash
}

const numbers = (from: bigint, to: bigint): bigint[] =>
  Array.from({ length: Number(to - from + 1n) }, (_, i) => from + BigInt(i))
