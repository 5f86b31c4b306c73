/**
 * Qenus Dataplane sink streaming features to Kafka topics.
 *
 * @packageDocumentation
 */
import { createRequire } from 'node:module'
import { definePlugin } from '@qenus/core'
import { kafkaSink } from './kafka/index.js'

export { kafkaSink } from './kafka/index.js'
export type { KafkaSinkOptions } from './kafka/options.js'
export { kafkaSinkOptions } from './kafka/options.js'
export { RETRACTION_KIND } from './kafka/records.js'
export { KafkaSink } from './kafka/sink.js'
export { TOPIC_FAMILIES, topicNames, topicOf } from './kafka/topics.js'
export type { KafkaSinkLogger } from './kafka/transport.js'

const { version } = createRequire(import.meta.url)('../package.json') as { version: string }

/** The plugin: one sink, `kafka`. */
export default definePlugin({
  name: '@qenus/sink-kafka',
  version,
  apiVersion: '^0.1.0',
  components: { sinks: { kafka: kafkaSink } },
})
