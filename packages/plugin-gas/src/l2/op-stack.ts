import type { ChainReader, Hex } from '@qenus/core'
import { parseAbi } from 'viem'

/** The GasPriceOracle predeploy of every OP Stack chain. */
export const GAS_PRICE_ORACLE: Hex = '0x420000000000000000000000000000000000000f'
/** The L1Block predeploy of every OP Stack chain (the L1 attributes GasPriceOracle reads). */
export const L1_BLOCK: Hex = '0x4200000000000000000000000000000000000015'

/** The GasPriceOracle functions the extractor reads. */
export const GAS_PRICE_ORACLE_ABI = parseAbi([
  'function l1BaseFee() view returns (uint256)',
  'function blobBaseFee() view returns (uint256)',
  'function baseFeeScalar() view returns (uint32)',
  'function blobBaseFeeScalar() view returns (uint32)',
  'function isEcotone() view returns (bool)',
  'function isFjord() view returns (bool)',
  'function getL1Fee(bytes _data) view returns (uint256)',
])

/** The L1 fee inputs of an OP Stack chain at one block, and the L1 fee of a transaction. */
export interface OpStackFee {
  /** L1 base fee, wei (L1Block.basefee). */
  l1BaseFee: bigint
  /** L1 blob base fee, wei; absent before Ecotone. */
  l1BlobBaseFee?: bigint | undefined
  /** Ecotone base fee scalar; absent before Ecotone. */
  baseFeeScalar?: bigint | undefined
  /** Ecotone blob base fee scalar; absent before Ecotone. */
  blobBaseFeeScalar?: bigint | undefined
  /** `GasPriceOracle.getL1Fee(tx)`, wei. */
  l1Fee: bigint
}

/**
 * Reads the GasPriceOracle predeploy at the reader's block: the L1 fee inputs and the L1 data fee
 * of `tx` as the chain itself charges it (Ecotone or Fjord formula, whichever is active).
 *
 * @param reader - Reader bound to the block.
 * @param tx - A signed, serialized transaction (see `referenceSwapTx`).
 * @throws When the oracle cannot be read (not an OP Stack chain, or a node error).
 */
export async function readOpStackFee(reader: ChainReader, tx: Hex): Promise<OpStackFee> {
  const call = (functionName: string, args?: readonly unknown[]) => ({
    address: GAS_PRICE_ORACLE,
    abi: GAS_PRICE_ORACLE_ABI,
    functionName,
    args,
  })
  const [ecotone, l1BaseFee, l1Fee] = await reader.multicall([
    call('isEcotone'),
    call('l1BaseFee'),
    call('getL1Fee', [tx]),
  ] as never)
  const value = <T>(result: typeof ecotone | undefined, what: string): T => {
    if (result?.status !== 'success') throw new Error(`GasPriceOracle.${what} failed: ${result?.error.message}`)
    return result.result as T
  }
  const fee: OpStackFee = { l1BaseFee: value<bigint>(l1BaseFee, 'l1BaseFee'), l1Fee: value<bigint>(l1Fee, 'getL1Fee') }
  if (!value<boolean>(ecotone, 'isEcotone')) return fee
  const [blob, scalar, blobScalar] = await reader.multicall([
    call('blobBaseFee'),
    call('baseFeeScalar'),
    call('blobBaseFeeScalar'),
  ] as never)
  fee.l1BlobBaseFee = value<bigint>(blob, 'blobBaseFee')
  fee.baseFeeScalar = BigInt(value<number>(scalar, 'baseFeeScalar'))
  fee.blobBaseFeeScalar = BigInt(value<number>(blobScalar, 'blobBaseFeeScalar'))
  return fee
}

/**
 * The Ecotone L1 data fee formula (GasPriceOracle 1.2+ before Fjord), for checking and what-ifs:
 * `calldataGas(tx) * (16 * baseFeeScalar * l1BaseFee + blobBaseFeeScalar * blobBaseFee) / (16 * 10^6)`,
 * where calldata gas counts 4 per zero byte and 16 per other byte, plus 68 * 16 for the signature.
 */
export function ecotoneL1Fee(
  tx: Hex,
  inputs: { l1BaseFee: bigint; l1BlobBaseFee: bigint; baseFeeScalar: bigint; blobBaseFeeScalar: bigint },
): bigint {
  let gas = 68n * 16n
  for (let i = 2; i < tx.length; i += 2) gas += tx.slice(i, i + 2) === '00' ? 4n : 16n
  const scaled = 16n * inputs.baseFeeScalar * inputs.l1BaseFee + inputs.blobBaseFeeScalar * inputs.l1BlobBaseFee
  return (gas * scaled) / (16n * 1_000_000n)
}
