/**
 * Qenus Dataplane sink streaming features to Kafka topics.
 *
 * @packageDocumentation
 */

/** Package version. */
export const VERSION = '0.1.0'
