import type { Abi, ContractFunctionArgs, ContractFunctionName, ContractFunctionReturnType, Hex } from 'viem'
import type { ChainInfo } from '../schema/chains.js'

export type { Hex }

/** A block identified by number and hash. */
export interface BlockRef {
  /** Block number. */
  number: bigint
  /** Block hash, lower-case hex. */
  hash: Hex
}

/** The block header fields the dataplane uses. Integers are exact bigints. */
export interface BlockHeader extends BlockRef {
  /** Hash of the parent block. */
  parentHash: Hex
  /** Unix timestamp in seconds. */
  timestamp: bigint
  /** EIP-1559 base fee, absent before London. */
  baseFeePerGas?: bigint | undefined
  /** Gas used by the block. */
  gasUsed: bigint
  /** Gas limit of the block. */
  gasLimit: bigint
  /** EIP-4844 blob gas used, where the chain has blobs. */
  blobGasUsed?: bigint | undefined
  /** EIP-4844 excess blob gas, where the chain has blobs. */
  excessBlobGas?: bigint | undefined
  /** The block's logs bloom. */
  logsBloom?: Hex | undefined
  /** Fee recipient. */
  miner?: Hex | undefined
}

/** An event log, as included in a block. */
export interface Log {
  /** Emitting contract, lower-case hex. */
  address: Hex
  /** Indexed topics; `topics[0]` is the event selector. */
  topics: Hex[]
  /** ABI-encoded non-indexed data. */
  data: Hex
  /** Block number. */
  blockNumber: bigint
  /** Block hash. */
  blockHash: Hex
  /** Transaction hash. */
  transactionHash: Hex
  /** Index of the transaction within the block. */
  transactionIndex: number
  /** Index of the log within the block. */
  logIndex: number
}

/** A transaction's receipt, for extractors that declare they need receipts. Integers are exact bigints. */
export interface Receipt {
  /** Transaction hash, lower-case hex. */
  transactionHash: Hex
  /** Index of the transaction within the block. */
  transactionIndex: number
  /** Sender, lower-case hex. */
  from: Hex
  /** Recipient, lower-case hex; `null` for a contract creation. */
  to: Hex | null
  /** Outcome; absent before Byzantium, whose receipts carry a state root instead. */
  status?: 'success' | 'reverted' | undefined
  /** Gas used by this transaction. */
  gasUsed: bigint
  /** Price per gas actually paid (base fee plus the priority fee paid); absent on nodes that do not report it. */
  effectiveGasPrice?: bigint | undefined
  /** Gas used by the block up to and including this transaction. */
  cumulativeGasUsed: bigint
  /** Transaction type: 0 legacy, 1 EIP-2930, 2 EIP-1559, 3 EIP-4844, 4 EIP-7702, or a chain's own (0x7e on OP Stack). */
  type: number
  /** Every log the transaction emitted, in log order. */
  logs: Log[]
}

/**
 * A log filter an extractor declares. The source merges the filters of every extractor into as
 * few requests as it can.
 */
export interface LogFilter {
  /** Contract addresses to match; omitted or empty means any address. */
  address?: Hex | Hex[] | undefined
  /** Topic filters by position; `null` is a wildcard, an array matches any of its values. */
  topics?: (Hex | Hex[] | null)[] | undefined
}

/** One call of a batch read, as viem's `readContract` takes it. */
export interface ReadContractParameters<
  abi extends Abi | readonly unknown[] = Abi,
  functionName extends ContractFunctionName<abi, 'pure' | 'view'> = ContractFunctionName<abi, 'pure' | 'view'>,
> {
  /** Contract address. */
  address: Hex
  /** Contract ABI. */
  abi: abi
  /** Function to call. */
  functionName: functionName
  /** Function arguments. */
  args?: ContractFunctionArgs<abi, 'pure' | 'view', functionName> | undefined
}

/** The result of one call within {@link ChainReader.multicall}. */
export type MulticallResult<T = unknown> = { status: 'success'; result: T } | { status: 'failure'; error: Error }

/**
 * Reads chain state at one block. The source implements it, so an extractor never knows whether
 * it runs over RPC or a node, and the source may batch the reads of every extractor.
 */
export interface ChainReader {
  /** The block every read is made at. */
  readonly block: BlockRef
  /** Raw `eth_call` at the bound block. */
  call(request: { to: Hex; data: Hex }): Promise<Hex>
  /** Reads one view function at the bound block. Throws when the call reverts. */
  readContract<
    const abi extends Abi | readonly unknown[],
    functionName extends ContractFunctionName<abi, 'pure' | 'view'>,
  >(
    parameters: ReadContractParameters<abi, functionName>,
  ): Promise<ContractFunctionReturnType<abi, 'pure' | 'view', functionName>>
  /** Reads many view functions at the bound block in as few round trips as possible. */
  multicall(calls: readonly ReadContractParameters[]): Promise<MulticallResult[]>
}

/** A header with the logs that matched the pipeline's filters, in log order. */
export interface BlockEvent {
  /** Discriminator. */
  type: 'block'
  /** The chain the block belongs to. */
  chain: ChainInfo
  /** The block header. */
  header: BlockHeader
  /** Logs matching the union of every extractor's filters, ordered by `logIndex`. */
  logs: Log[]
  /** Every transaction's receipt, in transaction order; present only when the request asked for receipts. */
  receipts?: Receipt[] | undefined
}

/** Blocks above `to` were dropped from the canonical chain (a reorg). */
export interface RevertEvent {
  /** Discriminator. */
  type: 'revert'
  /** The chain that reorganised. */
  chain: ChainInfo
  /** The common ancestor: the last block still canonical. */
  to: BlockRef
  /** The dropped blocks, newest first. */
  reverted: BlockRef[]
}

/** A transaction seen in the mempool, not yet included. */
export interface PendingEvent {
  /** Discriminator. */
  type: 'pending'
  /** The chain of the mempool. */
  chain: ChainInfo
  /** Transaction hash. */
  hash: Hex
  /** Raw transaction fields as the node reported them. */
  transaction: Record<string, unknown>
}

/** What a source emits, in order. */
export type ChainEvent = BlockEvent | RevertEvent | PendingEvent
