import type { ChainReader, Hex } from '@qenus/core'
import { parseAbi } from 'viem'

/** The ArbGasInfo precompile of every Arbitrum Nitro chain. */
export const ARB_GAS_INFO: Hex = '0x000000000000000000000000000000000000006c'

/** The ArbGasInfo functions the extractor reads (same signatures as Nitro's precompile). */
export const ARB_GAS_INFO_ABI = parseAbi([
  'function getPricesInWei() view returns (uint256, uint256, uint256, uint256, uint256, uint256)',
  'function getL1BaseFeeEstimate() view returns (uint256)',
])

/** ArbGasInfo prices at one block. */
export interface ArbitrumPrices {
  /** Per L2 transaction, wei. */
  perL2Tx: bigint
  /** Per byte of L1 calldata a transaction posts, wei (16 L1 gas per byte at the L1 price estimate). */
  perL1CalldataByte: bigint
  /** Per storage allocation, wei. */
  perStorageAllocation: bigint
  /** Per ArbGas, base part, wei. */
  perArbGasBase: bigint
  /** Per ArbGas, congestion part, wei. */
  perArbGasCongestion: bigint
  /** Per ArbGas, total: the L2 gas price, wei. */
  perArbGasTotal: bigint
  /** ArbOS's estimate of the L1 base fee, wei. */
  l1BaseFeeEstimate: bigint
}

/**
 * Reads ArbGasInfo at the reader's block.
 *
 * @param reader - Reader bound to the block.
 * @throws When the precompile cannot be read (not an Arbitrum chain, or a node error).
 */
export async function readArbitrumPrices(reader: ChainReader): Promise<ArbitrumPrices> {
  const [prices, l1] = await reader.multicall([
    { address: ARB_GAS_INFO, abi: ARB_GAS_INFO_ABI, functionName: 'getPricesInWei' },
    { address: ARB_GAS_INFO, abi: ARB_GAS_INFO_ABI, functionName: 'getL1BaseFeeEstimate' },
  ])
  for (const [result, what] of [
    [prices, 'getPricesInWei'],
    [l1, 'getL1BaseFeeEstimate'],
  ] as const) {
    if (result?.status !== 'success') throw new Error(`ArbGasInfo.${what} failed: ${result?.error.message}`)
  }
  const [perL2Tx, perL1CalldataByte, perStorageAllocation, perArbGasBase, perArbGasCongestion, perArbGasTotal] = (
    prices as { result: readonly bigint[] }
  ).result as [bigint, bigint, bigint, bigint, bigint, bigint]
  return {
    perL2Tx,
    perL1CalldataByte,
    perStorageAllocation,
    perArbGasBase,
    perArbGasCongestion,
    perArbGasTotal,
    l1BaseFeeEstimate: (l1 as { result: bigint }).result,
  }
}

/**
 * Upper estimate of the L1 data fee of `tx` on Arbitrum: its serialized length times the price
 * per L1 calldata byte, plus the flat per-transaction price. Nitro charges on the brotli-compressed
 * size, so the real fee is lower for compressible transactions.
 */
export function arbitrumL1FeeEstimate(tx: Hex, prices: Pick<ArbitrumPrices, 'perL1CalldataByte' | 'perL2Tx'>): bigint {
  return BigInt((tx.length - 2) / 2) * prices.perL1CalldataByte + prices.perL2Tx
}
