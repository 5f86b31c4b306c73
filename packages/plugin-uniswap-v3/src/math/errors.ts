import { QenusError } from '@qenus/core'

/** Code of every {@link UniswapMathError}. */
export const UNISWAP_MATH_ERROR_CODE = 'UNISWAP_V3_MATH'

/**
 * Thrown where a Uniswap V3 contract would revert: bad input to a math function, or a pool
 * operation the pool itself would refuse.
 *
 * @remarks
 * `revertReason` is the contract's revert string when it has one (`'T'`, `'R'`, `'LS'`, `'SPL'`…),
 * so a failed simulation can be matched against a failed transaction.
 */
export class UniswapMathError extends QenusError {
  override name = 'UniswapMathError'
  /** The contract's revert string, or `undefined` where the contract fails without one. */
  readonly revertReason: string | undefined

  /**
   * @param where - The function that refused, e.g. `getSqrtRatioAtTick`.
   * @param what - What was wrong, naming the offending value.
   * @param revertReason - The contract's revert string, if any.
   */
  constructor(where: string, what: string, revertReason?: string) {
    const reason = revertReason === undefined ? '' : ` (contract revert '${revertReason}')`
    super(`${where}: ${what}${reason}`, { code: UNISWAP_MATH_ERROR_CODE })
    this.revertReason = revertReason
  }
}
