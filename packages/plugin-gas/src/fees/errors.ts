import { QenusError } from '@qenus/core'

/** Stable code of {@link GasInputError}. */
export const GAS_INPUT_ERROR_CODE = 'GAS_BAD_INPUT'

/**
 * A block or receipt lacks a field its fork must have, or holds a value that cannot be right
 * (e.g. a tip below zero). The message names the chain, the block and the field; nothing is guessed.
 *
 * @example
 * ```ts
 * import { GasInputError } from '@qenus/plugin-gas'
 * throw new GasInputError('ethereum block 19000000: baseFeePerGas missing after London (block 12965000)')
 * ```
 */
export class GasInputError extends QenusError {
  /**
   * @param message - What is wrong and where.
   */
  constructor(message: string) {
    super(message, { code: GAS_INPUT_ERROR_CODE })
  }

  override name = 'GasInputError'
}
