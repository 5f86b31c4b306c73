/**
 * Qenus Dataplane detector for cross-venue, cross-chain and flash-loan funded arbitrage.
 *
 * @packageDocumentation
 */

/** Package version. */
export const VERSION = '0.1.0'
