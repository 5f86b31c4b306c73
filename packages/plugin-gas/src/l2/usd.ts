/**
 * Converts a wei amount to USD at a decimal price per whole native token (18 decimals), exactly,
 * as a decimal string without trailing zeros.
 *
 * @param wei - Amount in wei.
 * @param usdPerToken - Decimal string, e.g. `'3150.25'`.
 * @example
 * ```ts
 * import { weiToUsd } from '@qenus/plugin-gas'
 * weiToUsd(2_000_000_000_000_000n, '3150.25') // '6.3005'
 * ```
 */
export function weiToUsd(wei: bigint, usdPerToken: string): string {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(usdPerToken)
  if (!match) throw new RangeError(`weiToUsd: expected a decimal price, got "${usdPerToken}"`)
  const fraction = match[2] ?? ''
  const scale = 18 + fraction.length
  const digits = (wei * BigInt(match[1]! + fraction)).toString().padStart(scale + 1, '0')
  const whole = digits.slice(0, -scale)
  const decimals = digits.slice(-scale).replace(/0+$/, '')
  return decimals ? `${whole}.${decimals}` : whole
}
