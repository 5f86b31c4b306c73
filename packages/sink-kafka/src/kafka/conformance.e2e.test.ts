import { describeSinkConformance, type KafkaCluster, startKafka } from '@qenus/testkit'
import { afterAll, beforeAll } from 'vitest'
import { decodeFeed, readTopics } from '../test/feed.js'
import { kafkaSinkOptions } from './options.js'
import { KafkaSink } from './sink.js'

let kafka: KafkaCluster

beforeAll(async () => {
  kafka = await startKafka({ brokers: 3 })
})

afterAll(async () => {
  await kafka?.stop()
})

// The mock cluster hands producer ids out through its transaction coordinator only (see README),
// so the idempotent path runs here as `transactional` delivery.
describeSinkConformance({
  name: '@qenus/sink-kafka',
  orderScope: (f) => `${f.chainId}:${f.address}`,
  create: async ({ id }) => {
    const options = kafkaSinkOptions.parse({
      brokers: kafka.brokers,
      topicPrefix: `${id}.`,
      topics: { create: 'broker' },
      delivery: 'transactional',
      transactionalId: id,
    })
    const sink = new KafkaSink(options)
    return { sink, readBack: async () => decodeFeed(await readTopics(kafka.brokers, sink.topics)) }
  },
})
