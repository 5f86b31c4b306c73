/**
 * @qenus/sink-kafka (issue 5), against librdkafka's mock cluster (kcat), each row beside a bare
 * kafkajs producer measured in the same run:
 *
 * 1. records/s: the same feature records (core's JSON codec, keys over 64 pools, headers) through
 *    KafkaSink.write + flush, and through a bare kafkajs producer doing sendBatch of 1,000 per
 *    send, acks=-1. Both at-least-once (the mock cluster's controller cannot hand an idempotent
 *    producer id to kafkajs); the sink also in transactional delivery.
 * 2. peak RSS while the brokers are cut off for BENCH_KAFKA_CUT_S seconds (default 30) under load:
 *    the sink keeps writing through a Kafka-aware TCP proxy until its bounded buffer makes write
 *    wait; then the brokers come back and everything is flushed.
 */
import { getCodec, KNOWN_CHAINS } from '@qenus/core'
import { KafkaSink, kafkaSinkOptions, topicOf } from '@qenus/sink-kafka'
import { makeFeatureBatches, startKafka, startKafkaFaultProxy } from '@qenus/testkit'
import kafkajs from 'kafkajs'
import { compare, fmt, formatRate, peakRssMiB, positiveInt, printTable, REPS } from './harness.mjs'

const RECORDS = positiveInt('BENCH_KAFKA_RECORDS', 40_000)
const CUT_S = positiveInt('BENCH_KAFKA_CUT_S', 30)
const PER_BLOCK = 50
const chain = KNOWN_CHAINS.devnet
const json = getCodec('json')

// Swaps over 64 pools, so records spread over partitions as a real feed's do.
const batches = makeFeatureBatches({
  chain,
  blocks: RECORDS / PER_BLOCK,
  perBlock: PER_BLOCK,
  seed: 'bench-kafka',
}).map((batch) => ({
  ...batch,
  features: batch.features.map((f, i) => ({ ...f, address: `0x${(i % 64).toString(16).padStart(40, '0')}` })),
}))
const messages = batches.flatMap((b) =>
  b.features.map((f) => ({
    key: `${f.chainId}:${f.address}`,
    value: Buffer.from(json.encode(f)),
    headers: { kind: f.kind, chainId: String(f.chainId), blockNumber: f.blockNumber.toString(), codec: 'json' },
  })),
)
const bytesPerRecord = Math.round(messages.reduce((n, m) => n + m.value.length, 0) / messages.length)

const kafka = await startKafka({ brokers: 3 })
const quiet = { logLevel: kafkajs.logLevel.NOTHING }
let run = 0

async function throughSink(delivery) {
  const sink = new KafkaSink(
    kafkaSinkOptions.parse({
      brokers: kafka.brokers,
      topicPrefix: `bench${++run}.`,
      topics: { create: 'broker' },
      delivery,
      transactionalId: `bench-${run}`,
    }),
  )
  await sink.start()
  for (const batch of batches) await sink.write(batch)
  await sink.close()
  return RECORDS
}

async function bareKafkajs() {
  const client = new kafkajs.Kafka({ brokers: kafka.brokers, clientId: 'bench', ...quiet })
  const producer = client.producer({ createPartitioner: kafkajs.Partitioners.DefaultPartitioner })
  await producer.connect()
  const topic = topicOf(`bare${++run}.`, 'amm.swap')
  for (let i = 0; i < messages.length; i += 1000) {
    await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 1000) })
  }
  await producer.disconnect()
  return RECORDS
}

const rates = await compare(
  {
    'sink at-least-once': () => throughSink('at-least-once'),
    'sink transactional': () => throughSink('transactional'),
    'bare kafkajs': bareKafkajs,
  },
  { reps: REPS },
)
const throughputRss = peakRssMiB()

// Broker cut under load: the sink's buffer is bounded, so memory must stay flat however long the cut.
const proxy = await startKafkaFaultProxy(kafka.brokers)
const sink = new KafkaSink(
  kafkaSinkOptions.parse({
    brokers: proxy.brokers,
    topicPrefix: 'cut.',
    topics: { create: 'broker' },
    delivery: 'transactional',
    transactionalId: 'bench-cut',
  }),
)
await sink.start()
let rssBefore = 0
let rssPeak = 0
let writtenDuringCut = 0
let block = 0
const next = () => batches[block++ % batches.length]
for (let i = 0; i < 100; i++) await sink.write(next())
await sink.flush()
rssBefore = process.memoryUsage().rss
proxy.cut('reset')
const cutEnds = performance.now() + CUT_S * 1000
const sampler = setInterval(() => {
  rssPeak = Math.max(rssPeak, process.memoryUsage().rss)
}, 200)
const restored = new Promise((resolve) =>
  setTimeout(() => {
    proxy.restore()
    resolve()
  }, CUT_S * 1000),
)
while (performance.now() < cutEnds) {
  await sink.write(next())
  if (performance.now() < cutEnds) writtenDuringCut += PER_BLOCK
}
await restored
const recoveryStarted = performance.now()
await sink.close()
const recoveryS = (performance.now() - recoveryStarted) / 1000
clearInterval(sampler)
await proxy.stop()
await kafka.stop()

const mib = (bytes) => `${fmt(bytes / 1024 / 1024)} MiB`
console.log(`${fmt(RECORDS)} records of ~${bytesPerRecord} B JSON, 3 mock brokers, ${REPS} reps (medians)\n`)
printTable(
  ['path', 'records/s', 'vs bare kafkajs'],
  Object.entries(rates).map(([name, rate]) => [
    name,
    formatRate(rate),
    `${(rate.median / rates['bare kafkajs'].median).toFixed(2)}×`,
  ]),
)
console.log(`peak RSS after the throughput rows: ${fmt(throughputRss)} MiB\n`)
printTable(
  ['broker cut', 'value'],
  [
    ['cut length', `${CUT_S} s`],
    ['records accepted during the cut (buffer 50,000 / 64 MiB)', fmt(writtenDuringCut)],
    ['RSS before the cut', mib(rssBefore)],
    ['peak RSS during the cut', mib(rssPeak)],
    ['flush after the brokers came back', `${recoveryS.toFixed(1)} s`],
    ['process peak RSS', `${fmt(peakRssMiB())} MiB`],
  ],
)
