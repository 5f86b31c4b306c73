import type { BlobScheduleEntry, ChainInfo, FeeMarket } from '@qenus/core'
import { GasInputError } from './errors.js'

/** Ethereum's fee market: elasticity 2, denominator 8. Used for chains whose registry entry has none. */
export const ETHEREUM_EIP1559: Extract<FeeMarket, { type: 'eip1559' }> = Object.freeze({
  type: 'eip1559',
  elasticityMultiplier: 2,
  baseFeeMaxChangeDenominator: 8,
})

/** `MIN_BASE_FEE_PER_BLOB_GAS` of EIP-4844, wei. */
export const MIN_BASE_FEE_PER_BLOB_GAS = 1n

/** The parent-header fields the next base fee depends on. */
export interface ParentGas {
  /** Base fee of the parent, wei. */
  baseFeePerGas: bigint
  /** Gas used by the parent. */
  gasUsed: bigint
  /** Gas limit of the parent. */
  gasLimit: bigint
}

/** The EIP-1559 parameters of one chain. */
export interface Eip1559Parameters {
  /** Gas target = gas limit / this. */
  elasticityMultiplier: number
  /** Largest change per block = base fee / this. */
  baseFeeMaxChangeDenominator: number
}

/**
 * The base fee of the block after `parent`, exactly as EIP-1559 computes it (integer division,
 * at least +1 wei when the parent was over target).
 *
 * @param parent - The parent's base fee, gas used and gas limit.
 * @param params - Elasticity and denominator. @default Ethereum's (2 and 8)
 * @returns The next block's base fee, wei.
 * @example
 * ```ts
 * import { nextBaseFee } from '@qenus/plugin-gas'
 * nextBaseFee({ baseFeePerGas: 1_000_000_000n, gasUsed: 30_000_000n, gasLimit: 30_000_000n }) // 1_125_000_000n
 * ```
 */
export function nextBaseFee(parent: ParentGas, params: Eip1559Parameters = ETHEREUM_EIP1559): bigint {
  const target = parent.gasLimit / BigInt(params.elasticityMultiplier)
  const denominator = BigInt(params.baseFeeMaxChangeDenominator)
  if (target === 0n || parent.gasUsed === target) return parent.baseFeePerGas
  if (parent.gasUsed > target) {
    const delta = (parent.baseFeePerGas * (parent.gasUsed - target)) / target / denominator
    return parent.baseFeePerGas + (delta > 1n ? delta : 1n)
  }
  return parent.baseFeePerGas - (parent.baseFeePerGas * (target - parent.gasUsed)) / target / denominator
}

/**
 * `fake_exponential(factor, numerator, denominator)` of EIP-4844: `factor * e^(numerator / denominator)`
 * by its Taylor series in integers, as clients compute it.
 */
export function fakeExponential(factor: bigint, numerator: bigint, denominator: bigint): bigint {
  let i = 1n
  let output = 0n
  let accumulator = factor * denominator
  while (accumulator > 0n) {
    output += accumulator
    accumulator = (accumulator * numerator) / (denominator * i)
    i++
  }
  return output / denominator
}

/**
 * The blob base fee of a block from its excess blob gas (EIP-4844).
 *
 * @param excessBlobGas - The block's `excessBlobGas`.
 * @param baseFeeUpdateFraction - The fork's `BLOB_BASE_FEE_UPDATE_FRACTION` (Cancun 3338477, Prague 5007716).
 * @returns Wei per blob gas.
 * @example
 * ```ts
 * import { blobBaseFee } from '@qenus/plugin-gas'
 * blobBaseFee(0n, 3_338_477) // 1n
 * ```
 */
export function blobBaseFee(excessBlobGas: bigint, baseFeeUpdateFraction: number): bigint {
  return fakeExponential(MIN_BASE_FEE_PER_BLOB_GAS, excessBlobGas, BigInt(baseFeeUpdateFraction))
}

/** The fee market of `chain`: its registry entry, else Ethereum's EIP-1559. */
export function feeMarketOf(chain: ChainInfo): FeeMarket {
  return chain.feeMarket ?? ETHEREUM_EIP1559
}

/**
 * The blob schedule entry in force at `timestamp`, or `undefined` before the first one (pre-Cancun)
 * or on a chain without blobs.
 */
export function blobParametersAt(chain: ChainInfo, timestamp: bigint): BlobScheduleEntry | undefined {
  const market = feeMarketOf(chain)
  if (!chain.hasBlobs || market.type !== 'eip1559') return undefined
  const schedule = market.blobSchedule ?? []
  if (schedule.length === 0) {
    throw new GasInputError(`chain ${chain.name} has blobs but its fee market has no blob schedule`)
  }
  let found: BlobScheduleEntry | undefined
  for (const entry of schedule) if (BigInt(entry.fromTimestamp) <= timestamp) found = entry
  return found
}
