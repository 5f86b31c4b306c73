import { readFileSync } from 'node:fs'
import type { BlockHeader, Hex, Log, Receipt } from '@qenus/core'
import { parseJsonExact } from '@qenus/testkit'

const dir = new URL(
  '../../../../shared/data/ethereum-etl/tests/resources/test_stream/blocks_17173049_17173050/',
  import.meta.url,
).pathname

type Row = Record<string, unknown>
const rows = (file: string) =>
  readFileSync(dir + file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => parseJsonExact(line) as Row)
const big = (v: unknown) => BigInt(v as bigint | number | string)

/** The two real mainnet blocks 17173049–17173050 (ethereum-etl's normalised export), as headers, transactions and receipts. */
export function etlBlocks() {
  const logs = rows('expected_logs.json').map(
    (l): Log => ({
      address: (l.address as string).toLowerCase() as Hex,
      topics: l.topics as Hex[],
      data: l.data as Hex,
      blockNumber: big(l.block_number),
      blockHash: l.block_hash as Hex,
      transactionHash: l.transaction_hash as Hex,
      transactionIndex: Number(l.transaction_index),
      logIndex: Number(l.log_index),
    }),
  )
  const transactions = rows('expected_transactions.json')
  const receipts = transactions.map((t): Receipt & { blockNumber: bigint } => ({
    blockNumber: big(t.block_number),
    transactionHash: t.hash as Hex,
    transactionIndex: Number(t.transaction_index),
    from: (t.from_address as string).toLowerCase() as Hex,
    to: ((t.to_address as string | null)?.toLowerCase() ?? null) as Hex | null,
    status: t.receipt_status === 1 || t.receipt_status === 1n ? 'success' : 'reverted',
    gasUsed: big(t.receipt_gas_used),
    effectiveGasPrice: big(t.receipt_effective_gas_price),
    cumulativeGasUsed: big(t.receipt_cumulative_gas_used),
    type: Number(t.transaction_type),
    logs: logs.filter((l) => l.transactionHash === t.hash),
  }))
  const headers = rows('expected_blocks.json').map(
    (b): BlockHeader => ({
      number: big(b.number),
      hash: b.hash as Hex,
      parentHash: b.parent_hash as Hex,
      timestamp: big(b.timestamp),
      baseFeePerGas: big(b.base_fee_per_gas),
      gasUsed: big(b.gas_used),
      gasLimit: big(b.gas_limit),
    }),
  )
  return { headers, transactions, receipts }
}
