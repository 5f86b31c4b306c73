import { defineSink } from '@qenus/core'
import { kafkaSinkOptions } from './options.js'
import { KafkaSink } from './sink.js'

/**
 * The `kafka` sink component: features on one topic per family, keyed `chainId:address`.
 *
 * @example
 * ```ts
 * // qenus.config.ts
 * sinks: [{ use: '@qenus/sink-kafka', brokers: ['127.0.0.1:9092'], topicPrefix: 'mainnet.' }]
 * ```
 */
export const kafkaSink = defineSink({
  name: 'kafka',
  summary: 'Features to Kafka: a topic per family, keyed chainId:address, retractions on reorgs.',
  stability: 'experimental',
  options: kafkaSinkOptions,
  component: KafkaSink,
})
