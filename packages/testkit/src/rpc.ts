import type { Hex, TransactionReceipt } from 'viem'
import { formatTransactionReceipt } from 'viem'

/** A loosely typed EIP-1193 request function, for anvil's own methods viem does not type. */
export type RawRequest = (args: { method: string; params?: unknown[] }) => Promise<unknown>

/** A transaction for an unlocked anvil account. */
export interface TxRequest {
  /** Sender: an unlocked account. */
  from: Hex
  /** Recipient; omitted for a deployment. */
  to?: Hex | undefined
  /** Calldata or creation code. */
  data: Hex
  /** Gas limit; anvil estimates when omitted. */
  gas?: bigint | undefined
  /** Wei to send. */
  value?: bigint | undefined
}

/** Sends a transaction from an unlocked account and returns its hash. */
export async function sendTx(request: RawRequest, tx: TxRequest): Promise<Hex> {
  const params: Record<string, string> = { from: tx.from, data: tx.data }
  if (tx.to) params['to'] = tx.to
  if (tx.gas !== undefined) params['gas'] = `0x${tx.gas.toString(16)}`
  if (tx.value !== undefined) params['value'] = `0x${tx.value.toString(16)}`
  return (await request({ method: 'eth_sendTransaction', params: [params] })) as Hex
}

/**
 * Sends transactions, mines them into one block (automine must be off) and returns their receipts.
 *
 * @throws When one reverted or was left out of the block, naming `what`.
 */
export async function sendAndMine(request: RawRequest, txs: TxRequest[], what: string): Promise<TransactionReceipt[]> {
  const hashes: Hex[] = []
  for (const tx of txs) hashes.push(await sendTx(request, tx))
  await request({ method: 'evm_mine', params: [] })
  const receipts = await blockReceipts(request, BigInt((await request({ method: 'eth_blockNumber' })) as Hex))
  const byHash = new Map(receipts.map((r) => [r.transactionHash, r]))
  const result: TransactionReceipt[] = []
  for (const [i, hash] of hashes.entries()) {
    const receipt = byHash.get(hash)
    if (!receipt) throw new Error(`${what}: transaction ${hash} was not mined`)
    if (receipt.status !== 'success') {
      const reason = await revertReason(request, txs[i]!, receipt.blockNumber)
      throw new Error(`${what}: transaction ${hash} reverted (gas used ${receipt.gasUsed}): ${reason}`)
    }
    result.push(receipt)
  }
  return result
}

/** Replays a transaction as a call on the state before its block, to learn why it reverted. */
export async function revertReason(request: RawRequest, tx: TxRequest, blockNumber: bigint): Promise<string> {
  try {
    const params = { from: tx.from, to: tx.to, data: tx.data }
    await request({ method: 'eth_call', params: [params, `0x${(blockNumber - 1n).toString(16)}`] })
    return 'no revert when replayed alone'
  } catch (err) {
    return (err as { details?: string; message?: string }).details ?? String(err)
  }
}

/** Sends one transaction, mines it (automine must be off) and returns its successful receipt. */
export async function sendAndConfirm(request: RawRequest, tx: TxRequest, what: string): Promise<TransactionReceipt> {
  const [receipt] = await sendAndMine(request, [tx], what)
  return receipt!
}

/** Every receipt of one block, in transaction order (`eth_getBlockReceipts`). */
export async function blockReceipts(request: RawRequest, blockNumber: bigint): Promise<TransactionReceipt[]> {
  const raw = (await request({
    method: 'eth_getBlockReceipts',
    params: [`0x${blockNumber.toString(16)}`],
  })) as unknown[]
  return raw.map((r) => formatTransactionReceipt(r as never))
}
