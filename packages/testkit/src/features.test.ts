import { featureId } from '@qenus/core'
import { describe, expect, it } from 'vitest'
import { retractionOf } from './conformance.js'
import { makeFeatureBatches, makeSwapFeature } from './features.js'
import { priceFromSqrtPriceX96 } from './uniswap.js'

describe('makeSwapFeature', () => {
  it('builds a valid amm.swap envelope with its id and integer-derived price', () => {
    const f = makeSwapFeature({ blockNumber: 19_000_000n, logIndex: 4 })
    expect(f.id).toBe(
      featureId({ chainId: 31337, blockHash: f.blockHash, logIndex: 4, kind: 'amm.swap', discriminator: '' }),
    )
    expect(f.address).toBe(f.data.pool)
    expect(f.data.price).toBe(priceFromSqrtPriceX96(f.data.sqrtPriceX96!, 6, 18))
    expect(Number(f.data.price)).toBeCloseTo(1 / 2500, 10)
    expect(f.data.amount0 > 0n !== f.data.amount1 > 0n).toBe(true)
  })
})

describe('makeFeatureBatches', () => {
  it('is deterministic and ordered by block then log', () => {
    const a = makeFeatureBatches({ blocks: 4, perBlock: 3, seed: 9 })
    expect(makeFeatureBatches({ blocks: 4, perBlock: 3, seed: 9 })).toEqual(a)
    expect(makeFeatureBatches({ blocks: 4, perBlock: 3, seed: 10 })).not.toEqual(a)
    const all = a.flatMap((b) => b.features)
    expect(new Set(all.map((f) => f.id)).size).toBe(12)
    for (const b of a) {
      expect(b.features.every((f) => f.blockNumber === b.block.number && f.blockHash === b.block.hash)).toBe(true)
      const idx = b.features.map((f) => f.logIndex!)
      expect(idx).toEqual([...idx].sort((x, y) => x - y))
    }
    expect(a.map((b) => b.block.number)).toEqual([1000n, 1001n, 1002n, 1003n])
  })

  it('gives another branch new hashes at the same heights', () => {
    const main = makeFeatureBatches({ blocks: 2 })
    const fork = makeFeatureBatches({ blocks: 2, branch: 1 })
    expect(fork.map((b) => b.block.number)).toEqual(main.map((b) => b.block.number))
    expect(fork[0]!.block.hash).not.toBe(main[0]!.block.hash)
  })
})

describe('retractionOf', () => {
  it('withdraws the newest blocks first, in reverse log order', () => {
    const batches = makeFeatureBatches({ blocks: 3, perBlock: 2 })
    const r = retractionOf(batches, 1)
    expect(r.to).toEqual(batches[0]!.block)
    expect(r.reverted).toEqual([batches[2]!.block, batches[1]!.block])
    expect(r.ids).toEqual([
      batches[2]!.features[1]!.id,
      batches[2]!.features[0]!.id,
      batches[1]!.features[1]!.id,
      batches[1]!.features[0]!.id,
    ])
  })
})
