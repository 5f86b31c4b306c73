import type { BlockHeader, Hex, Receipt } from '@qenus/core'

/** topic0 of Arbitrum's `SequencerBatchDelivered(uint256,bytes32,bytes32,bytes32,uint256,(uint64,uint64,uint64,uint64),uint8)`. */
export const SEQUENCER_BATCH_DELIVERED: Hex = '0x7394f4a19a13c7b92b5bb71033245305946ef78452f7b4986ac1390b5df4ebd7'

/** Where an L2 posts its batches on L1, and how a batch is recognised there. */
export interface BatchPoster {
  /** The L2's chain name. */
  l2Chain: string
  /** The L2's chain id. */
  l2ChainId: number
  /** The chain id of the L1 the batches go to. */
  l1ChainId: number
  /**
   * `arbitrum`: a `SequencerBatchDelivered` log of `inbox` (the SequencerInbox) marks a batch.
   * `op-stack`: a successful transaction from `batcher` to `inbox` (the batch inbox) is a batch.
   */
  type: 'arbitrum' | 'op-stack'
  /** SequencerInbox (Arbitrum) or batch inbox (OP Stack), lower-case hex. */
  inbox: Hex
  /** OP Stack: the batcher account, lower-case hex; transactions from anyone else do not count. */
  batcher?: Hex | undefined
}

/**
 * Mainnet batch posting of Arbitrum One, OP Mainnet and Base, by the L2's chain name.
 *
 * @remarks
 * Arbitrum One's SequencerInbox (0x1c47…82B6) checks its posters on chain, so its event alone
 * marks a batch. The OP Stack inboxes are plain addresses (0xff…0010, 0xff…8453): only the
 * batcher set in each chain's SystemConfig counts. The batchers here (OP 0x6887…2985,
 * Base 0x5050…76C9) are the ones in use at the time of writing; a SystemConfig update can change
 * them, so pass your own entry when in doubt.
 */
export const MAINNET_BATCH_POSTERS: Readonly<Record<'arbitrum' | 'optimism' | 'base', BatchPoster>> = Object.freeze({
  arbitrum: {
    l2Chain: 'arbitrum',
    l2ChainId: 42161,
    l1ChainId: 1,
    type: 'arbitrum',
    inbox: '0x1c479675ad559dc151f6ec7ed3fbf8cee79582b6',
  },
  optimism: {
    l2Chain: 'optimism',
    l2ChainId: 10,
    l1ChainId: 1,
    type: 'op-stack',
    inbox: '0xff00000000000000000000000000000000000010',
    batcher: '0x6887246668a3b87f54deb3b94ba47a6f63f32985',
  },
  base: {
    l2Chain: 'base',
    l2ChainId: 8453,
    l1ChainId: 1,
    type: 'op-stack',
    inbox: '0xff00000000000000000000000000000000008453',
    batcher: '0x5050f69a9786f081509234f1a7f4684b5e5b76c9',
  },
})

/**
 * The transactions of a block that carry a batch of `poster`'s L2, in transaction order.
 *
 * @param poster - The L2's batch posting target.
 * @param receipts - Every receipt of the L1 block.
 * @returns The batch transactions' hashes.
 */
export function batchTransactions(poster: BatchPoster, receipts: readonly Receipt[]): Hex[] {
  if (poster.type === 'arbitrum') {
    return receipts
      .filter((r) => r.logs.some((l) => l.address === poster.inbox && l.topics[0] === SEQUENCER_BATCH_DELIVERED))
      .map((r) => r.transactionHash)
  }
  return receipts
    .filter((r) => r.to === poster.inbox && r.from === poster.batcher && r.status !== 'reverted')
    .map((r) => r.transactionHash)
}

/** The last batch of one L2 seen on L1. */
export interface LastBatch {
  /** L1 block number. */
  block: bigint
  /** L1 block timestamp, seconds. */
  timestamp: bigint
  /** The batch transaction (the last one in that block). */
  txHash: Hex
}

/**
 * Follows one L2's batches on its L1, block by block, and rolls back with reorgs.
 *
 * @remarks
 * Only the last batch matters, but a reorg can drop it; the tracker keeps the last batch of each
 * of the most recent `keep` batch blocks so it can step back to the one still canonical.
 */
export class BatchTracker {
  readonly poster: BatchPoster
  readonly #keep: number
  #history: LastBatch[] = []

  /**
   * @param poster - The L2's batch posting target.
   * @param keep - Batch blocks remembered for reorgs. @default 64
   */
  constructor(poster: BatchPoster, keep = 64) {
    this.poster = poster
    this.#keep = keep
  }

  /** The last batch seen, if any. */
  get last(): LastBatch | undefined {
    return this.#history.at(-1)
  }

  /** Takes in one L1 block; returns the number of this L2's batches it carried. */
  onBlock(header: Pick<BlockHeader, 'number' | 'timestamp'>, receipts: readonly Receipt[]): number {
    const batches = batchTransactions(this.poster, receipts)
    const txHash = batches.at(-1)
    if (txHash) {
      this.#history = this.#history.filter((b) => b.block < header.number)
      this.#history.push({ block: header.number, timestamp: header.timestamp, txHash })
      if (this.#history.length > this.#keep) this.#history.shift()
    }
    return batches.length
  }

  /** Forgets batches in blocks above `to`. */
  revertTo(to: bigint): void {
    this.#history = this.#history.filter((b) => b.block <= to)
  }
}
