import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Hex, Log } from '@qenus/core'

// Two real mainnet blocks as ethereum-etl exported them, kept with the testkit's fixtures.
const DIR = fileURLToPath(new URL('../../testkit/fixtures/ethereum-etl', import.meta.url))

/** Parses newline-delimited JSON, keeping integers of 16+ digits exact as decimal strings. */
function readLines(file: string): Record<string, unknown>[] {
  return readFileSync(`${DIR}/${file}`, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line.replace(/([:[,]\s*)(-?\d{16,})(?=\s*[,\]}])/g, '$1"$2"')))
}

/** An exact integer field: a JSON number of up to 15 digits, or a quoted longer one. */
function int(value: unknown): bigint {
  return BigInt(value as string | number)
}

/** The block headers of the stream. */
export function etlBlocks() {
  return readLines('blocks.json').map((b) => ({
    number: int(b.number),
    hash: b.hash as Hex,
    parentHash: b.parent_hash as Hex,
    timestamp: int(b.timestamp),
    gasUsed: int(b.gas_used),
    gasLimit: int(b.gas_limit),
    baseFeePerGas: int(b.base_fee_per_gas),
  }))
}

/** Every log of the stream, in the shape of `@qenus/core`'s Log. */
export function etlLogs(): Log[] {
  return readLines('logs.json').map((l) => ({
    address: l.address as Hex,
    topics: l.topics as Hex[],
    data: l.data as Hex,
    blockNumber: int(l.block_number),
    blockHash: l.block_hash as Hex,
    transactionHash: l.transaction_hash as Hex,
    transactionIndex: Number(l.transaction_index),
    logIndex: Number(l.log_index),
  }))
}

/** An ERC-20 transfer as ethereum-etl normalised it. */
export interface EtlTransfer {
  token: Hex
  from: Hex
  to: Hex
  value: bigint
  txHash: Hex
  logIndex: number
}

/** Every token transfer of the stream. */
export function etlTransfers(): EtlTransfer[] {
  return readLines('token_transfers.json').map((t) => ({
    token: t.token_address as Hex,
    from: t.from_address as Hex,
    to: t.to_address as Hex,
    value: int(t.value),
    txHash: t.transaction_hash as Hex,
    logIndex: Number(t.log_index),
  }))
}
