import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FEATURE_KINDS, type Feature, featureId, type Hex } from '@qenus/core'
import { describe, expect, it } from 'vitest'
import { query } from '../test/duckdb.js'
import { featureFromRow, kindColumns } from './columns.js'
import { encodeParquet } from './encode.js'

const hash = `0x${'ab'.repeat(32)}` as Hex
const addr = (n: number) => `0x${n.toString(16).padStart(40, '0')}` as Hex
const envelope = (kind: Feature['kind'], logIndex?: number) => ({
  id: featureId({ chainId: 1, blockHash: hash, logIndex, kind, discriminator: 'x' }),
  chainId: 1,
  chain: 'ethereum',
  blockNumber: 19_000_000n,
  blockHash: hash,
  blockTimestamp: 1_700_000_000n,
  protocol: 'test',
  address: addr(1),
})
const HUGE = 2n ** 255n - 19n

const samples: Feature[] = [
  {
    ...envelope('amm.pool'),
    kind: 'amm.pool',
    data: {
      pool: addr(1),
      tokens: [addr(2), addr(3)],
      reserves: [HUGE, 1n],
      fee: 3000,
      price: '2512.000000000000000001',
      depth: [{ bps: 10, amount0In: HUGE, amount1In: 7n }],
    },
  },
  {
    ...envelope('gas.block'),
    kind: 'gas.block',
    data: {
      baseFeePerGas: 10n ** 30n + 1n,
      nextBaseFeePerGas: 9n,
      gasUsed: 15_000_000n,
      gasLimit: 30_000_000n,
      priorityFeeP10: 0n,
      priorityFeeP50: 1n,
      priorityFeeP90: 2n,
    },
  },
  {
    ...envelope('opportunity'),
    kind: 'opportunity',
    data: {
      type: 'cross-venue',
      legs: [
        {
          chainId: 1,
          protocol: 'uniswap-v3',
          address: addr(4),
          tokenIn: addr(2),
          tokenOut: addr(3),
          amountIn: HUGE,
          amountOut: 3n,
        },
      ],
      quoteAsset: addr(3),
      grossProfit: -HUGE,
      costs: { gas: 1n, fees: 2n, bridge: 0n, flashPremium: 4n },
      netProfit: 5n,
      netProfitUsd: '25.5',
      confidence: 0.75,
      validUntilBlock: 19_000_002n,
    },
  },
  {
    ...envelope('sequencer.health'),
    kind: 'sequencer.health',
    txHash: hash,
    txIndex: 3,
    logIndex: 9,
    data: { up: false, secondsSinceLastBlock: 12.5, l1BlockNumber: 20_000_000n },
  },
]

describe('kind schemas', () => {
  it('give every kind distinct column names', () => {
    for (const kind of FEATURE_KINDS) {
      const names = kindColumns(kind).map((c) => c.name)
      expect(new Set(names).size, kind).toBe(names.length)
    }
  })

  it.each(samples.map((s) => [s.kind, s] as const))('round-trip %s through DuckDB wei-exact', async (kind, feature) => {
    const path = join(mkdtempSync(join(tmpdir(), 'qenus-columns-')), 'x.parquet')
    writeFileSync(path, encodeParquet(kind, [feature], { compression: 'snappy', rowGroupSize: 10 }))
    const rows = await query(`SELECT * FROM read_parquet('${path}')`)
    expect(rows.map((row) => featureFromRow(row))).toEqual([feature])
  })
})
