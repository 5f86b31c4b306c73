import { describe, expect, it } from 'vitest'
import { etlBlocks } from '../../test/etl.js'
import { type BatchPoster, BatchTracker, batchTransactions, MAINNET_BATCH_POSTERS } from './posting.js'

const { headers, receipts } = etlBlocks()
const inBlock = (n: bigint) => receipts.filter((r) => r.blockNumber === n)
// Pre-Bedrock (May 2023) OP Mainnet's batcher posted to the CanonicalTransactionChain: the same rule, another inbox.
const legacyOp: BatchPoster = {
  ...MAINNET_BATCH_POSTERS.optimism,
  inbox: '0x5e4e65926ba27467555eb562121fac00d24e9dd2',
}

describe('batch posting on real mainnet blocks 17173049–17173050', () => {
  it("finds OP Mainnet's batcher transaction (appendSequencerBatch) and nothing else", () => {
    expect(receipts).toHaveLength(298)
    const found = receipts.flatMap((r) => batchTransactions(legacyOp, [r]))
    expect(found).toEqual(['0x5344c0afe8ccbe004d9d0a6e6dfdb9f0bca9ad13a9d000617aa0b091eba02473'])
  })

  it('counts none for the mainnet presets here, not even the Arbitrum Bridge MessageDelivered', () => {
    const bridgeLogs = receipts
      .flatMap((r) => r.logs)
      .filter((l) => l.address === '0x8315177ab297ba92a06054ce80a67ed4dbd7ed3a')
    expect(bridgeLogs.length).toBeGreaterThan(0)
    for (const poster of Object.values(MAINNET_BATCH_POSTERS)) expect(batchTransactions(poster, receipts)).toEqual([])
  })

  it('tracks the last batch block by block, and forgets it on a revert', () => {
    const tracker = new BatchTracker(legacyOp)
    expect(tracker.onBlock(headers[0]!, inBlock(headers[0]!.number))).toBe(0)
    expect(tracker.last).toBeUndefined()
    expect(tracker.onBlock(headers[1]!, inBlock(headers[1]!.number))).toBe(1)
    expect(tracker.last).toEqual({
      block: 17173050n,
      timestamp: 1683030011n,
      txHash: '0x5344c0afe8ccbe004d9d0a6e6dfdb9f0bca9ad13a9d000617aa0b091eba02473',
    })
    tracker.revertTo(17173049n)
    expect(tracker.last).toBeUndefined()
  })
})
