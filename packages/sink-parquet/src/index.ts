/**
 * Qenus Dataplane sink archiving final features as hive-partitioned Parquet.
 *
 * @packageDocumentation
 */

/** Package version. */
export const VERSION = '0.1.0'
