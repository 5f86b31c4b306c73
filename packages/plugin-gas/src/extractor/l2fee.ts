import type { BlockHeader, ChainInfo, ChainReader, GasL2FeeData, Hex } from '@qenus/core'
import { ARB_GAS_INFO, type ArbitrumPrices, arbitrumL1FeeEstimate, readArbitrumPrices } from '../l2/arbitrum.js'
import { GAS_PRICE_ORACLE, readOpStackFee } from '../l2/op-stack.js'
import { weiToUsd } from '../l2/usd.js'

/** Which L2 fee model a chain has, from its family; `undefined` for an L1. */
export function l2Kind(chain: ChainInfo): 'op-stack' | 'arbitrum' | undefined {
  return chain.family === 'op-stack' || chain.family === 'arbitrum' ? chain.family : undefined
}

/** What the `gas.l2fee` computation needs beyond the chain. */
export interface L2FeeInput {
  /** The block. */
  header: BlockHeader
  /** Reader at the block. */
  reader: ChainReader
  /** Serialized reference transaction. */
  tx: Hex
  /** L2 gas of the reference swap. */
  swapGas: bigint
  /** Median tip of the block, added to the base fee on chains where tips count. */
  medianTip: bigint
  /** USD per native token, if configured. */
  usd: string | undefined
  /** ArbGasInfo prices already read for this block. */
  arbitrum?: ArbitrumPrices | undefined
}

/** The `gas.l2fee` data of one block and the contract it came from. */
export async function l2FeeData(
  kind: 'op-stack' | 'arbitrum',
  input: L2FeeInput,
): Promise<{ address: Hex; data: GasL2FeeData }> {
  const baseFee = input.header.baseFeePerGas ?? 0n
  const bytes = (input.tx.length - 2) / 2
  if (kind === 'op-stack') {
    const fee = await readOpStackFee(input.reader, input.tx)
    const l2GasPrice = baseFee + input.medianTip
    const data: GasL2FeeData = { l1BaseFee: fee.l1BaseFee, l1FeeEstimate: fee.l1Fee }
    if (fee.l1BlobBaseFee !== undefined) data.l1BlobBaseFee = fee.l1BlobBaseFee
    if (fee.baseFeeScalar !== undefined) data.baseFeeScalar = fee.baseFeeScalar
    if (fee.blobBaseFeeScalar !== undefined) data.blobBaseFeeScalar = fee.blobBaseFeeScalar
    return { address: GAS_PRICE_ORACLE, data: withTotal(data, input, l2GasPrice, bytes) }
  }
  const prices = input.arbitrum ?? (await readArbitrumPrices(input.reader))
  // Nitro ignores priority fees: every transaction pays the L2 base fee.
  const l2GasPrice = input.header.baseFeePerGas ?? prices.perArbGasTotal
  const data: GasL2FeeData = {
    l1BaseFee: prices.l1BaseFeeEstimate,
    l1FeeEstimate: arbitrumL1FeeEstimate(input.tx, prices),
    l1PricePerCalldataByte: prices.perL1CalldataByte,
  }
  return { address: ARB_GAS_INFO, data: withTotal(data, input, l2GasPrice, bytes) }
}

function withTotal(data: GasL2FeeData, input: L2FeeInput, l2GasPrice: bigint, bytes: number): GasL2FeeData {
  const totalCostWei = input.swapGas * l2GasPrice + data.l1FeeEstimate
  Object.assign(data, { l2GasPrice, referenceTxBytes: bytes, referenceSwapGas: input.swapGas, totalCostWei })
  if (input.usd !== undefined) data.totalCostUsd = weiToUsd(totalCostWei, input.usd)
  return data
}
