import type { Hex } from '@qenus/core'
import { InvalidResponseError } from './classify.js'
import type { MergedFilter } from './filters.js'

const QUANTITY = /^0x(0|[1-9a-f][0-9a-f]*)$/i
const DATA = /^0x([0-9a-f]{2})*$/i
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
  const at = `block ${number}`
  if (quantity(block.number, `${at} number`) !== number) {
    throw new InvalidResponseError(`asked for block ${number}, got block ${String(block.number)}`)
  }
  must(block.hash, HASH, `${at} hash`)
  must(block.parentHash, HASH, `${at} parentHash`)
  for (const key of ['timestamp', 'gasUsed', 'gasLimit'] as const) quantity(block[key], `${at} ${key}`)
  if (block.logsBloom != null) must(block.logsBloom, BLOOM, `${at} logsBloom`)
}

/** Where an `eth_getLogs` answer's logs must come from. */
export type LogsScope = { fromBlock: bigint; toBlock: bigint } | { blockHash: Hex }

/**
 * Checks an `eth_getLogs` answer: well-formed fields, every log inside the asked range (or of the
 * asked block hash), and from an address and with a first topic that were asked for.
 *
 * @param value - The raw result.
 * @param scope - The range or block hash asked for.
 * @param filter - The merged filter asked for.
 */
export function checkLogs(value: unknown, scope: LogsScope, filter: MergedFilter): void {
  if (!Array.isArray(value)) throw new InvalidResponseError('eth_getLogs answer is not an array')
  value.forEach((raw: Record<string, unknown>, i) => {
    const at = `log ${i}`
    const address = must(raw.address, ADDRESS, `${at} address`).toLowerCase() as Hex
    const topics = raw.topics
    if (!Array.isArray(topics) || topics.length > 4) throw new InvalidResponseError(`${at} topics is malformed`)
    for (const [j, t] of topics.entries()) must(t, HASH, `${at} topic ${j}`)
    must(raw.data, DATA, `${at} data`)
    const blockHash = must(raw.blockHash, HASH, `${at} blockHash`).toLowerCase()
    const blockNumber = quantity(raw.blockNumber, `${at} blockNumber`)
    must(raw.transactionHash, HASH, `${at} transactionHash`)
    quantity(raw.transactionIndex, `${at} transactionIndex`)
    quantity(raw.logIndex, `${at} logIndex`)
    if ('blockHash' in scope ? blockHash !== scope.blockHash.toLowerCase() : !inRange(blockNumber, scope)) {
      throw new InvalidResponseError(`${at} is from block ${blockNumber} (${blockHash}), outside what was asked`)
    }
    if (filter.address && !filter.address.includes(address)) {
      throw new InvalidResponseError(`${at} is from ${address}, an address not asked for`)
    }
    const topic0 = (topics[0] as string | undefined)?.toLowerCase() as Hex | undefined
    if (filter.topic0 && (topic0 === undefined || !filter.topic0.includes(topic0))) {
      throw new InvalidResponseError(`${at} has topic0 ${topic0}, not asked for`)
    }
  })
}

const inRange = (n: bigint, scope: { fromBlock: bigint; toBlock: bigint }) => n >= scope.fromBlock && n <= scope.toBlock
