import { describe, expect, it } from 'vitest'
import { etlBlocks } from '../../test/etl.js'
import { gweiToWei, InclusionTracker, tipBid } from './inclusion.js'

const { headers, transactions, receipts } = etlBlocks()
const hex = (v: unknown) => (v === null || v === undefined ? undefined : `0x${BigInt(v as bigint).toString(16)}`)

describe('tipBid', () => {
  it('equals the tip each of 298 real mainnet transactions paid (effective gas price − base fee)', () => {
    for (const [i, t] of transactions.entries()) {
      const header = headers.find((h) => h.number === BigInt(t.block_number as number))!
      const body = {
        gasPrice: hex(t.gas_price),
        maxFeePerGas: hex(t.max_fee_per_gas),
        maxPriorityFeePerGas: hex(t.max_priority_fee_per_gas),
      }
      expect(tipBid(body, header.baseFeePerGas!)).toBe(receipts[i]!.effectiveGasPrice! - header.baseFeePerGas!)
    }
  })

  it('floors a bid under the base fee at 0, and gives undefined without fee fields', () => {
    expect(tipBid({ gasPrice: '0x5' }, 9n)).toBe(0n)
    expect(tipBid({ maxFeePerGas: 'nope' }, 9n)).toBeUndefined()
  })
})

describe('gweiToWei', () => {
  it('converts exactly and rejects what it cannot', () => {
    expect(gweiToWei('0.1')).toBe(100_000_000n)
    expect(gweiToWei('12.000000001')).toBe(12_000_000_001n)
    expect(() => gweiToWei('0.0000000001')).toThrow(/at most 9 decimals/)
  })
})

describe('InclusionTracker on the real block 17173050', () => {
  it('measures the transactions of 17173050 seen at 17173049 as 1 block / 12 s, bucketed by their bids', () => {
    const [parent, block] = [headers[0]!, headers[1]!]
    const tracker = new InclusionTracker({ edges: [gweiToWei('1'), gweiToWei('5')], maxPending: 1_000 })
    const included = receipts.filter((r) => r.blockNumber === block.number)
    for (const r of included) tracker.seen(r.transactionHash, r.effectiveGasPrice! - block.baseFeePerGas!, parent)
    const report = tracker.onBlock(block, included)
    const tips = included.map((r) => r.effectiveGasPrice! - block.baseFeePerGas!)
    expect(report.buckets.map((b) => b.samples)).toEqual([
      tips.filter((t) => t < 10n ** 9n).length,
      tips.filter((t) => t >= 10n ** 9n && t < 5n * 10n ** 9n).length,
      tips.filter((t) => t >= 5n * 10n ** 9n).length,
    ])
    for (const b of report.buckets.filter((x) => x.samples > 0)) {
      expect(b).toMatchObject({ medianBlocks: 1, p90Blocks: 1, medianMs: 12_000, p90Ms: 12_000 })
    }
    expect(report.pendingTracked).toBe(0)
    tracker.revertTo(parent.number)
    expect(tracker.pending).toBe(included.length)
    expect(tracker.report().buckets.every((b) => b.samples === 0)).toBe(true)
  })

  it('drops the oldest sighting beyond maxPending, counted', () => {
    const tracker = new InclusionTracker({ edges: [1n], maxPending: 2 })
    for (const r of receipts.slice(0, 3)) tracker.seen(r.transactionHash, 0n, headers[0]!)
    expect([tracker.pending, tracker.dropped]).toEqual([2, 1])
  })
})
