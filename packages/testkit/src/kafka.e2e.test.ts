import { Kafka, logLevel } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { consumeWithKcat, type KafkaCluster, startKafka } from './kafka.js'

describe('startKafka', () => {
  let kafka: KafkaCluster

  beforeAll(async () => {
    kafka = await startKafka({ brokers: 3 })
  })
  afterAll(() => kafka?.stop())

  it('reports one address per broker', () => {
    expect(kafka.brokers).toHaveLength(3)
    for (const b of kafka.brokers) expect(b).toMatch(/^127\.0\.0\.1:\d+$/)
  })

  it('round-trips records produced by kafkajs and consumed by kcat', async () => {
    const client = new Kafka({ clientId: 'testkit', brokers: kafka.brokers, logLevel: logLevel.NOTHING })
    const producer = client.producer({ allowAutoTopicCreation: true })
    await producer.connect()
    const messages = Array.from({ length: 50 }, (_, i) => ({
      key: `31337:pool-${i % 3}`,
      value: JSON.stringify({ i, amount: (10n ** 30n + BigInt(i)).toString(), text: 'ünïcode ✓' }),
      headers: { kind: 'amm.swap', blockNumber: String(1000 + i) },
    }))
    await producer.send({ topic: 'features.amm', messages })
    await producer.disconnect()

    const records = await consumeWithKcat({ brokers: kafka.brokers, topic: 'features.amm', count: 50 })
    expect(records).toHaveLength(50)
    const byValue = new Map(messages.map((m) => [m.value, m]))
    for (const r of records) {
      const sent = byValue.get(r.payload!.toString('utf8'))!
      expect(sent).toBeDefined()
      expect(r.key).toBe(sent.key)
      expect(r.headers).toEqual(sent.headers)
      expect(r.topic).toBe('features.amm')
    }
    // One key stays in one partition, in send order.
    for (const key of new Set(messages.map((m) => m.key))) {
      const mine = records.filter((r) => r.key === key)
      expect(new Set(mine.map((r) => r.partition)).size).toBe(1)
      const order = mine.map((r) => JSON.parse(r.payload!.toString()).i as number)
      expect(order).toEqual([...order].sort((x, y) => x - y))
      expect(mine.map((r) => r.offset)).toEqual([...mine.map((r) => r.offset)].sort((x, y) => (x < y ? -1 : 1)))
    }
  })
})
