import { readFileSync } from 'node:fs'
import type { Hex, Receipt } from '@qenus/core'
import { fixturePath, loadEthereumEtlBlocks, parseJsonExact } from '@qenus/testkit'

const big = (v: unknown) => BigInt(v as bigint | number | string)

/** The two real mainnet blocks 17173049–17173050 (ethereum-etl's normalised export), as headers, transactions and receipts. */
export function etlBlocks() {
  const { blocks: headers, logs } = loadEthereumEtlBlocks()
  const transactions = readFileSync(fixturePath('ethereum-etl', 'transactions.json'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => parseJsonExact(line) as Record<string, unknown>)
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
  return { headers, transactions, receipts }
}
