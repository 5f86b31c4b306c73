import type { BlockHeader, ChainInfo, GasBlockData, Receipt } from '@qenus/core'
import { blobBaseFee, blobParametersAt, feeMarketOf, nextBaseFee } from './eip1559.js'
import { GasInputError } from './errors.js'
import { tipPercentiles, tipSamples } from './tips.js'

/** The percentiles `gas.block` reports, in `eth_feeHistory`'s terms. */
export const TIP_PERCENTILES: readonly [number, number, number] = [10, 50, 90]

/** What {@link gasBlockData} computes: `gas.block` data less the recommendations. */
export type GasBlockCore = Omit<
  GasBlockData,
  'recommendedPriorityFee1' | 'recommendedPriorityFee3' | 'recommendedPriorityFee10'
>

/** Names a block in errors: `ethereum block 19000000 (0xab…)`. */
export function describeBlock(chain: ChainInfo, header: Pick<BlockHeader, 'number' | 'hash'>): string {
  return `${chain.name} block ${header.number} (${header.hash})`
}

/**
 * Whether the block is old enough to have a base fee: every block of a chain without a London
 * block in its fee market, else from that block on.
 */
export function hasBaseFee(chain: ChainInfo, number: bigint): boolean {
  const market = feeMarketOf(chain)
  return market.type !== 'eip1559' || market.londonBlock === undefined || number >= BigInt(market.londonBlock)
}

/**
 * Checks that a header carries the fee fields its fork requires: a base fee from London on, blob
 * gas used and excess blob gas from Cancun on (where the chain has blobs).
 *
 * @throws {@link GasInputError} naming the block and the missing field.
 */
export function checkFeeFields(chain: ChainInfo, header: BlockHeader): void {
  const where = describeBlock(chain, header)
  if (header.baseFeePerGas === undefined && hasBaseFee(chain, header.number)) {
    throw new GasInputError(`${where}: baseFeePerGas missing, but the chain has a base fee at this block (London)`)
  }
  const blobs = blobParametersAt(chain, header.timestamp)
  if (blobs === undefined) return
  for (const field of ['blobGasUsed', 'excessBlobGas'] as const) {
    if (header[field] === undefined) {
      throw new GasInputError(
        `${where}: ${field} missing, but blocks from timestamp ${blobs.fromTimestamp} on carry it (Cancun)`,
      )
    }
  }
}

/**
 * The fee market of one block: base fee, exact next base fee, gas, utilization, blob fields and
 * gas-weighted tip percentiles of its transactions.
 *
 * @param chain - The chain (its fee market and blob schedule).
 * @param header - The block header.
 * @param receipts - The block's receipts, for tips; omitted: percentiles are 0 and `txCount` absent.
 * @param arbitrumNextBaseFee - On Arbitrum, ArbOS's L2 price after the block (headers do not determine it).
 * @returns The data, or `undefined` for a block before London.
 * @throws {@link GasInputError} when a field the fork requires is missing or a receipt is inconsistent.
 */
export function gasBlockData(
  chain: ChainInfo,
  header: BlockHeader,
  receipts?: readonly Receipt[],
  arbitrumNextBaseFee?: bigint,
): GasBlockCore | undefined {
  checkFeeFields(chain, header)
  const baseFeePerGas = header.baseFeePerGas
  if (baseFeePerGas === undefined) return undefined
  const where = describeBlock(chain, header)
  const market = feeMarketOf(chain)
  let next: bigint
  if (market.type === 'arbitrum') {
    if (arbitrumNextBaseFee === undefined) throw new GasInputError(`${where}: ArbGasInfo price not read`)
    next = arbitrumNextBaseFee
  } else {
    next = nextBaseFee({ baseFeePerGas, gasUsed: header.gasUsed, gasLimit: header.gasLimit }, market)
  }
  const samples = receipts ? tipSamples(receipts, baseFeePerGas, where) : []
  const [p10, p50, p90] = tipPercentiles(samples, TIP_PERCENTILES)
  const data: GasBlockCore = {
    baseFeePerGas,
    nextBaseFeePerGas: next,
    gasUsed: header.gasUsed,
    gasLimit: header.gasLimit,
    priorityFeeP10: p10!,
    priorityFeeP50: p50!,
    priorityFeeP90: p90!,
    utilization: header.gasLimit === 0n ? 0 : Number((header.gasUsed * 1_000_000n) / header.gasLimit) / 1_000_000,
  }
  if (receipts) data.txCount = samples.length
  const blobs = blobParametersAt(chain, header.timestamp)
  if (blobs) {
    data.blobGasUsed = header.blobGasUsed!
    data.excessBlobGas = header.excessBlobGas!
    data.blobBaseFee = blobBaseFee(header.excessBlobGas!, blobs.baseFeeUpdateFraction)
  }
  return data
}
