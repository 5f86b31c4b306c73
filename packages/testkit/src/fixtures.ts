import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BlockHeader, Hex, Log } from '@qenus/core'
import { parseJsonExact } from './json.js'

/** A mainnet block header from the ethereum-etl fixtures, with its transaction count. */
export interface EtlBlock extends BlockHeader {
  /** Number of transactions in the block. */
  transactionCount: number
  /** Total difficulty at this block (beyond 2^53). */
  totalDifficulty: bigint
}

/** An ERC-20 transfer as ethereum-etl normalised it. */
export interface EtlTransfer {
  /** Token contract. */
  token: Hex
  /** Sender. */
  from: Hex
  /** Recipient. */
  to: Hex
  /** Amount, raw units. */
  value: bigint
  /** Transaction hash. */
  txHash: Hex
  /** Index of the Transfer log in its block. */
  logIndex: number
}

/** Mainnet blocks 17173049–17173050, all 681 of their logs and their 291 token transfers. */
export interface EtlFixture {
  /** The two headers, in order. */
  blocks: EtlBlock[]
  /** Every log of both blocks, in block then log order. */
  logs: Log[]
  /** Every ERC-20 transfer of both blocks, as ethereum-etl decoded them: an independent answer. */
  transfers: EtlTransfer[]
}

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url))
const DIR = join(FIXTURES, 'ethereum-etl/')

/**
 * The path of a fixture file the test kit ships (real chain data, see each folder's README):
 * `ethereum-etl/` (mainnet blocks 17173049–17173050: headers, logs, token transfers, transactions
 * with receipt fields), `gas/` (1,000 consecutive mainnet headers), `relay/` (501 real MEV-Boost
 * bid traces of one slot).
 *
 * @param segments - Folder and file inside the fixtures, e.g. `'relay', 'builder_blocks_received_slot6214255.json'`.
 * @returns An absolute path.
 * @example
 * ```ts
 * import { fixturePath, parseJsonExact } from '@qenus/testkit'
 * const headers = parseJsonExact(readFileSync(fixturePath('gas', 'mainnet-headers-24337593-24338592.json'), 'utf8'))
 * ```
 */
export function fixturePath(...segments: string[]): string {
  return join(FIXTURES, ...segments)
}

type Row = Record<string, unknown>

function readLines(name: string): Row[] {
  const path = `${DIR}${name}`
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line, i) => parseJsonExact(line, `${path}:${i + 1}`) as Row)
}

/**
 * Loads two real Ethereum mainnet blocks (17173049 and 17173050) and their 681 logs from
 * ethereum-etl's test data (MIT), with exact integers. Among the logs: 10 Uniswap V3 Swaps, an
 * Arbitrum `MessageDelivered` and a Hop `TransferSentToL2`.
 *
 * @example
 * ```ts
 * import { loadEthereumEtlBlocks } from '@qenus/testkit'
 * const { blocks, logs } = loadEthereumEtlBlocks()
 * ```
 */
export function loadEthereumEtlBlocks(): EtlFixture {
  const blocks = readLines('blocks.json').map(
    (b): EtlBlock => ({
      number: b['number'] as bigint,
      hash: b['hash'] as Hex,
      parentHash: b['parent_hash'] as Hex,
      timestamp: b['timestamp'] as bigint,
      baseFeePerGas: b['base_fee_per_gas'] as bigint | undefined,
      gasUsed: b['gas_used'] as bigint,
      gasLimit: b['gas_limit'] as bigint,
      logsBloom: b['logs_bloom'] as Hex,
      miner: b['miner'] as Hex,
      transactionCount: Number(b['transaction_count']),
      totalDifficulty: b['total_difficulty'] as bigint,
    }),
  )
  const logs = readLines('logs.json').map(
    (l): Log => ({
      address: l['address'] as Hex,
      topics: l['topics'] as Hex[],
      data: l['data'] as Hex,
      blockNumber: l['block_number'] as bigint,
      blockHash: l['block_hash'] as Hex,
      transactionHash: l['transaction_hash'] as Hex,
      transactionIndex: Number(l['transaction_index']),
      logIndex: Number(l['log_index']),
    }),
  )
  const transfers = readLines('token_transfers.json').map(
    (t): EtlTransfer => ({
      token: t['token_address'] as Hex,
      from: t['from_address'] as Hex,
      to: t['to_address'] as Hex,
      value: BigInt(t['value'] as bigint | number),
      txHash: t['transaction_hash'] as Hex,
      logIndex: Number(t['log_index']),
    }),
  )
  return { blocks, logs, transfers }
}
