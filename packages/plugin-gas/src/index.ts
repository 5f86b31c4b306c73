/**
 * Qenus Dataplane extractor for gas and fee features on L1 and L2s, and sequencer health.
 *
 * @packageDocumentation
 */

/** Package version. */
export const VERSION = '0.1.0'
