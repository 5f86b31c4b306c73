/**
 * Qenus Dataplane gRPC service: block-consistent snapshots and live feature streams.
 *
 * @packageDocumentation
 */

/** Package version. */
export const VERSION = '0.1.0'
