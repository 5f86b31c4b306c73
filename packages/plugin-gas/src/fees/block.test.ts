import { type BlockHeader, KNOWN_CHAINS, type Receipt } from '@qenus/core'
import { describe, expect, it } from 'vitest'
import { weiToUsd } from '../l2/usd.js'
import { gasBlockData } from './block.js'
import { TipRecommender } from './recommend.js'
import { tipPercentiles } from './tips.js'

const H = '0x1111111111111111111111111111111111111111111111111111111111111111'
const eth = KNOWN_CHAINS.ethereum!
const header: BlockHeader = {
  number: 20_000_000n,
  hash: H,
  parentHash: H,
  timestamp: 1_717_000_000n,
  baseFeePerGas: 5_000_000_000n,
  gasUsed: 84_000n,
  gasLimit: 30_000_000n,
  blobGasUsed: 131_072n,
  excessBlobGas: 0n,
}

function receipt(i: number, gasUsed: bigint, effectiveGasPrice: bigint | undefined, type = 2): Receipt {
  return {
    transactionHash: `0x${String(i).padStart(64, '0')}`,
    transactionIndex: i,
    from: '0x0000000000000000000000000000000000000001',
    to: null,
    gasUsed,
    effectiveGasPrice,
    cumulativeGasUsed: 0n,
    type,
    logs: [],
  }
}

describe('gasBlockData', () => {
  it('rejects a post-London header without a base fee and a post-Cancun one without blob fields, naming both', () => {
    expect(() => gasBlockData(eth, { ...header, baseFeePerGas: undefined })).toThrow(
      /ethereum block 20000000 \(0x1111.*\): baseFeePerGas missing/,
    )
    expect(() => gasBlockData(eth, { ...header, excessBlobGas: undefined })).toThrow(
      /ethereum block 20000000 .*: excessBlobGas missing, but blocks from timestamp 1710338135 on carry it/,
    )
    expect(
      gasBlockData(eth, { ...header, number: 12_000_000n, baseFeePerGas: undefined, timestamp: 1_600_000_000n }),
    ).toBe(undefined)
  })

  it('rejects a receipt without effectiveGasPrice or below the base fee, naming the transaction', () => {
    expect(() => gasBlockData(eth, header, [receipt(0, 21_000n, undefined)])).toThrow(
      /transaction 0 \(0x0+\): effectiveGasPrice missing/,
    )
    expect(() => gasBlockData(eth, header, [receipt(3, 21_000n, 1n)])).toThrow(/below the block's baseFeePerGas/)
  })

  it('computes gas-weighted tip percentiles, leaving deposit transactions out', () => {
    const receipts = [
      receipt(0, 21_000n, 5_000_000_003n),
      receipt(1, 42_000n, 5_000_000_001n),
      receipt(2, 21_000n, 5_000_000_002n),
      receipt(3, 50_000n, 0n, 0x7e),
    ]
    const data = gasBlockData(eth, header, receipts)!
    expect([data.priorityFeeP10, data.priorityFeeP50, data.priorityFeeP90]).toEqual([1n, 1n, 3n])
    expect(data.txCount).toBe(3)
    expect(data.blobBaseFee).toBe(1n)
    expect(data.nextBaseFeePerGas).toBe(5_000_000_000n - (5_000_000_000n * 14_916_000n) / 15_000_000n / 8n)
    expect(tipPercentiles([], [10, 50])).toEqual([0n, 0n])
  })
})

describe('TipRecommender', () => {
  it('picks the 90th, 54th and 21st percentiles of recent thresholds at 0.9 confidence, and forgets reverted blocks', () => {
    const r = new TipRecommender({ window: 10 })
    for (let i = 1n; i <= 10n; i++) r.add(i, i * 100n)
    expect(r.recommend()).toEqual([900n, 600n, 300n])
    r.add(11n, 5_000n)
    expect(r.size).toBe(10)
    r.revertTo(10n)
    expect(r.size).toBe(9)
    expect(() => new TipRecommender({ confidence: 1 })).toThrow(/confidence/)
  })
})

describe('weiToUsd', () => {
  it('converts exactly', () => {
    expect(weiToUsd(2_000_000_000_000_000n, '3150.25')).toBe('6.3005')
    expect(weiToUsd(1n, '3000')).toBe('0.000000000000003')
    expect(weiToUsd(10n ** 18n, '1')).toBe('1')
  })
})
