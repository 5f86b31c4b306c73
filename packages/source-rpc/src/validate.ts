import type { Hex, Log, Receipt } from '@qenus/core'
import { InvalidResponseError } from './classify.js'
import type { MergedFilter } from './filters.js'

const QUANTITY = /^0x(0|[1-9a-f][0-9a-f]*)$/i
const DATA = /^0x(?:[0-9a-f]{2})*$/i
const bytes = (n: number) => new RegExp(`^0x[0-9a-f]{${n * 2}}$`, 'i')
const HASH = bytes(32)
const ADDRESS = bytes(20)
const BLOOM = bytes(256)

/** Throws {@link InvalidResponseError} unless `value` matches `pattern`. */
function must(value: unknown, pattern: RegExp, what: string): Hex {
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new InvalidResponseError(`${what} is malformed (${JSON.stringify(value)?.slice(0, 80)})`)
  }
  return value as Hex
}

/**
 * Checks an `eth_chainId` / `eth_blockNumber` style answer.
 *
 * @param value - The raw result.
 * @param what - Names it in the error.
 * @returns The value as a bigint.
 */
export function quantity(value: unknown, what: string): bigint {
  return BigInt(must(value, QUANTITY, what))
}

/**
 * Checks an `eth_getBlockByNumber(n, false)` answer: `null`, or a block numbered `n` with
 * well-formed hashes, quantities and bloom.
 *
 * @param value - The raw result.
 * @param number - The block asked for.
 */
export function checkBlock(value: unknown, number: bigint): void {
  if (value === null) return
  if (typeof value !== 'object') throw new InvalidResponseError(`block ${number} is not an object`)
  const block = value as Record<string, unknown>
  const bad = (key: string) => {
    throw new InvalidResponseError(`block ${number} ${key} is malformed (${JSON.stringify(block[key])?.slice(0, 80)})`)
  }
  if (typeof block.number !== 'string' || !QUANTITY.test(block.number)) bad('number')
  if (BigInt(block.number as string) !== number) {
    throw new InvalidResponseError(`asked for block ${number}, got block ${String(block.number)}`)
  }
  for (const key of HASH_FIELDS) if (typeof block[key] !== 'string' || !HASH.test(block[key])) bad(key)
  for (const key of QUANTITY_FIELDS) if (typeof block[key] !== 'string' || !QUANTITY.test(block[key])) bad(key)
  const bloom = block.logsBloom
  if (bloom != null && (typeof bloom !== 'string' || !BLOOM.test(bloom))) bad('logsBloom')
}

const HASH_FIELDS = ['hash', 'parentHash'] as const
const QUANTITY_FIELDS = ['timestamp', 'gasUsed', 'gasLimit'] as const

/** Where an `eth_getLogs` answer's logs must come from. */
export type LogsScope = { fromBlock: bigint; toBlock: bigint } | { blockHash: Hex }

/**
 * Checks an `eth_getLogs` answer and converts it: well-formed fields, every log inside the asked
 * range (or of the asked block hash), and from an address and with a first topic that were asked for.
 *
 * @param value - The raw result.
 * @param scope - The range or block hash asked for.
 * @param filter - The merged filter asked for.
 * @returns The logs, addresses and hashes lower-case.
 */
export function toLogs(value: unknown, scope: LogsScope, filter: MergedFilter): Log[] {
  if (!Array.isArray(value)) throw new InvalidResponseError('eth_getLogs answer is not an array')
  const check = new LogChecker(scope, filter)
  const logs: Log[] = new Array(value.length)
  for (let i = 0; i < value.length; i++) logs[i] = check.log(value[i], i)
  return logs
}

/**
 * Checks logs one by one. Logs of one block or transaction come together, so a block or
 * transaction hash equal to the previous log's is not matched against its pattern again, and
 * error messages are built only on failure: a backfill checks hundreds of thousands of logs.
 */
class LogChecker {
  readonly #addresses: ReadonlySet<string> | undefined
  readonly #topics: ReadonlySet<string> | undefined
  readonly #blockHash: string | undefined
  #lastBlockHash = ''
  #lastBlockNumber = ''
  #lastNumber = 0n
  #lastTxHash = ''

  constructor(
    private readonly scope: LogsScope,
    filter: MergedFilter,
  ) {
    this.#addresses = filter.address && new Set(filter.address)
    this.#topics = filter.topic0 && new Set(filter.topic0)
    this.#blockHash = 'blockHash' in scope ? scope.blockHash.toLowerCase() : undefined
  }

  log(raw: Record<string, unknown> | null, i: number): Log {
    if (raw === null || typeof raw !== 'object') throw new InvalidResponseError(`log ${i} is not an object`)
    const address = field(raw.address, ADDRESS, i, 'address').toLowerCase() as Hex
    const topics = raw.topics
    if (!Array.isArray(topics) || topics.length > 4) throw new InvalidResponseError(`log ${i} topics is malformed`)
    // The answer is ours alone, so its topics array is reused rather than copied.
    for (let j = 0; j < topics.length; j++) topics[j] = field(topics[j], HASH, i, 'topic').toLowerCase()
    const blockHash = this.#hash(raw.blockHash, i)
    const blockNumber = this.#number(raw.blockNumber, i)
    const transactionHash = this.#tx(raw.transactionHash, i)
    const log: Log = {
      address,
      topics: topics as Hex[],
      data: field(raw.data, DATA, i, 'data'),
      blockNumber,
      blockHash,
      transactionHash,
      transactionIndex: Number(field(raw.transactionIndex, QUANTITY, i, 'transactionIndex')),
      logIndex: Number(field(raw.logIndex, QUANTITY, i, 'logIndex')),
    }
    this.#inScope(log, i)
    return log
  }

  #inScope(log: Log, i: number): void {
    const { scope } = this
    const outside =
      this.#blockHash !== undefined ? log.blockHash !== this.#blockHash : !inRange(log.blockNumber, scope as never)
    if (outside) {
      throw new InvalidResponseError(
        `log ${i} is from block ${log.blockNumber} (${log.blockHash}), outside what was asked`,
      )
    }
    if (this.#addresses && !this.#addresses.has(log.address)) {
      throw new InvalidResponseError(`log ${i} is from ${log.address}, an address not asked for`)
    }
    const topic0 = log.topics[0]
    if (this.#topics && (topic0 === undefined || !this.#topics.has(topic0))) {
      throw new InvalidResponseError(`log ${i} has topic0 ${topic0}, not asked for`)
    }
  }

  #hash(value: unknown, i: number): Hex {
    if (value !== this.#lastBlockHash) this.#lastBlockHash = field(value, HASH, i, 'blockHash').toLowerCase()
    return this.#lastBlockHash as Hex
  }

  #number(value: unknown, i: number): bigint {
    if (value !== this.#lastBlockNumber) {
      this.#lastNumber = BigInt(field(value, QUANTITY, i, 'blockNumber'))
      this.#lastBlockNumber = value as string
    }
    return this.#lastNumber
  }

  #tx(value: unknown, i: number): Hex {
    if (value !== this.#lastTxHash) this.#lastTxHash = field(value, HASH, i, 'transactionHash').toLowerCase()
    return this.#lastTxHash as Hex
  }
}

/** Like {@link must}, naming the log and field only when it fails. */
function field(value: unknown, pattern: RegExp, i: number, name: string): Hex {
  if (typeof value === 'string' && pattern.test(value)) return value as Hex
  throw new InvalidResponseError(`log ${i} ${name} is malformed (${JSON.stringify(value)?.slice(0, 80)})`)
}

const inRange = (n: bigint, scope: { fromBlock: bigint; toBlock: bigint }) => n >= scope.fromBlock && n <= scope.toBlock

/** One block's receipts as checked; `blockHash` is the one every receipt names (absent without transactions). */
export interface BlockReceipts {
  /** The block hash the receipts name, lower-case. */
  blockHash: Hex | undefined
  /** The receipts, in transaction order. */
  receipts: Receipt[]
}

/**
 * Checks one block's receipts and converts them: well-formed fields, one block hash for all (the
 * asked one, when asked by hash), transaction indexes 0, 1, 2… and each receipt's logs of that block.
 *
 * @param value - The raw receipts (`eth_getBlockReceipts`, or each `eth_getTransactionReceipt`).
 * @param block - The block number or hash asked for.
 */
export function toReceipts(value: unknown, block: bigint | Hex): BlockReceipts {
  if (!Array.isArray(value)) throw new InvalidResponseError(`receipts of block ${block} are not an array`)
  let blockHash = typeof block === 'string' ? (block.toLowerCase() as Hex) : undefined
  const receipts = value.map((raw: Record<string, unknown> | null, i): Receipt => {
    const at = `receipt ${i} of block ${block}`
    if (raw === null || typeof raw !== 'object') throw new InvalidResponseError(`${at} is not an object`)
    const hash = must(raw.blockHash, HASH, `${at} blockHash`).toLowerCase() as Hex
    blockHash ??= hash
    if (hash !== blockHash) throw new InvalidResponseError(`${at} is of block ${hash}, not ${blockHash}`)
    if (quantity(raw.transactionIndex, `${at} transactionIndex`) !== BigInt(i)) {
      throw new InvalidResponseError(`${at} has transactionIndex ${String(raw.transactionIndex)}`)
    }
    if (!Array.isArray(raw.logs)) throw new InvalidResponseError(`${at} logs is not an array`)
    return {
      transactionHash: must(raw.transactionHash, HASH, `${at} transactionHash`).toLowerCase() as Hex,
      transactionIndex: i,
      from: must(raw.from, ADDRESS, `${at} from`).toLowerCase() as Hex,
      to: raw.to == null ? null : (must(raw.to, ADDRESS, `${at} to`).toLowerCase() as Hex),
      status: raw.status == null ? undefined : quantity(raw.status, `${at} status`) === 1n ? 'success' : 'reverted',
      gasUsed: quantity(raw.gasUsed, `${at} gasUsed`),
      effectiveGasPrice:
        raw.effectiveGasPrice == null ? undefined : quantity(raw.effectiveGasPrice, `${at} effectiveGasPrice`),
      cumulativeGasUsed: quantity(raw.cumulativeGasUsed, `${at} cumulativeGasUsed`),
      type: raw.type == null ? 0 : Number(quantity(raw.type, `${at} type`)),
      logs: toLogs(raw.logs, { blockHash: hash }, {}),
    }
  })
  return { blockHash, receipts }
}
