/**
 * Qenus Dataplane source for a local execution node: whole blocks, mempool and MEV-Boost relay data.
 *
 * @packageDocumentation
 */

/** Package version. */
export const VERSION = '0.1.0'
