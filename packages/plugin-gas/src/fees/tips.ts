import type { Receipt } from '@qenus/core'
import { GasInputError } from './errors.js'

/** One transaction's effective tip and the gas it used, the inputs of fee percentiles. */
export interface TipSample {
  /** Effective priority fee per gas paid: `effectiveGasPrice - baseFeePerGas`, wei. */
  tip: bigint
  /** Gas used by the transaction. */
  gasUsed: bigint
}

// OP Stack deposits (0x7e) and Arbitrum's internal and retryable types (0x64..0x6a) pay no tip by design.
const SYSTEM_TX_TYPES: ReadonlySet<number> = new Set([0x64, 0x65, 0x66, 0x68, 0x69, 0x6a, 0x7e])

/**
 * The effective tip of every user transaction of a block, from its receipts.
 *
 * @param receipts - The block's receipts, in transaction order.
 * @param baseFeePerGas - The block's base fee.
 * @param where - Names the block in errors, e.g. `ethereum block 19000000`.
 * @returns One sample per transaction, system and deposit transactions left out.
 * @throws {@link GasInputError} when a receipt has no `effectiveGasPrice` or pays below the base fee.
 */
export function tipSamples(receipts: readonly Receipt[], baseFeePerGas: bigint, where: string): TipSample[] {
  const samples: TipSample[] = []
  for (const receipt of receipts) {
    if (SYSTEM_TX_TYPES.has(receipt.type)) continue
    const at = `${where}, transaction ${receipt.transactionIndex} (${receipt.transactionHash})`
    if (receipt.effectiveGasPrice === undefined) throw new GasInputError(`${at}: effectiveGasPrice missing`)
    const tip = receipt.effectiveGasPrice - baseFeePerGas
    if (tip < 0n) {
      throw new GasInputError(
        `${at}: effectiveGasPrice ${receipt.effectiveGasPrice} is below the block's baseFeePerGas ${baseFeePerGas}`,
      )
    }
    samples.push({ tip, gasUsed: receipt.gasUsed })
  }
  return samples
}

/**
 * Gas-weighted tip percentiles, as `eth_feeHistory` defines its rewards: samples sorted by tip,
 * the percentile `p` is the tip of the first transaction at which the cumulative gas used reaches
 * `p%` of the total (integer division). No samples give 0.
 *
 * @param samples - Tips and gas used.
 * @param percentiles - Integer percentiles from 0 to 100.
 * @returns One tip per percentile, wei.
 * @example
 * ```ts
 * import { tipPercentiles } from '@qenus/plugin-gas'
 * tipPercentiles([{ tip: 1n, gasUsed: 21_000n }, { tip: 5n, gasUsed: 63_000n }], [10, 50, 90]) // [1n, 5n, 5n]
 * ```
 */
export function tipPercentiles(samples: readonly TipSample[], percentiles: readonly number[]): bigint[] {
  if (samples.length === 0) return percentiles.map(() => 0n)
  const sorted = [...samples].sort((a, b) => (a.tip < b.tip ? -1 : a.tip > b.tip ? 1 : 0))
  const total = sorted.reduce((sum, s) => sum + s.gasUsed, 0n)
  return percentiles.map((p) => {
    const threshold = (total * BigInt(p)) / 100n
    let cumulative = 0n
    for (const sample of sorted) {
      cumulative += sample.gasUsed
      if (cumulative >= threshold) return sample.tip
    }
    return sorted.at(-1)!.tip
  })
}
