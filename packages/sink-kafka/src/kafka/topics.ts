import { type FeatureKind, QenusError } from '@qenus/core'
import type { Admin } from 'kafkajs'
import type { KafkaSinkOptions } from './options.js'

/**
 * The topic family of each feature kind (SPEC §5), before the prefix. `mempool.swap` is not named
 * in the SPEC's list: it gets a family of its own, since pending swaps are not on-chain facts.
 */
export const TOPIC_FAMILIES: Readonly<Record<FeatureKind, string>> = Object.freeze({
  'amm.swap': 'features.amm',
  'amm.pool': 'features.amm',
  'amm.liquidity': 'features.amm',
  'bridge.transfer': 'features.bridge',
  'bridge.liquidity': 'features.bridge',
  'gas.block': 'features.gas',
  'gas.l2fee': 'features.gas',
  'flashloan.liquidity': 'features.flashloan',
  'flashloan.event': 'features.flashloan',
  'sequencer.health': 'features.sequencer',
  'mev.bid': 'features.mev',
  'mempool.swap': 'features.mempool',
  opportunity: 'opportunities',
})

/**
 * Every topic the sink writes to, prefixed.
 *
 * @param prefix - The `topicPrefix` option.
 * @returns Distinct topic names, sorted.
 */
export function topicNames(prefix: string): string[] {
  return [...new Set(Object.values(TOPIC_FAMILIES))].sort().map((family) => prefix + family)
}

/**
 * The topic of a feature kind, prefixed.
 *
 * @param prefix - The `topicPrefix` option.
 * @param kind - A feature kind.
 * @returns The topic name.
 */
export function topicOf(prefix: string, kind: FeatureKind): string {
  const family = TOPIC_FAMILIES[kind]
  if (family === undefined) {
    throw new QenusError(`kafka sink: no topic for feature kind ${JSON.stringify(kind)}`, {
      code: 'SINK_KAFKA_UNKNOWN_KIND',
    })
  }
  return prefix + family
}

/**
 * Makes sure every topic exists, creating them as `topics.create` allows.
 *
 * @returns `created` when the admin API created topics, `exists` otherwise.
 * @throws `SINK_KAFKA_TOPICS_MISSING` naming the missing topics, with the creation error if any.
 * @internal
 */
export async function ensureTopics(
  admin: Admin,
  topics: string[],
  options: KafkaSinkOptions['topics'],
): Promise<{ created: string[]; creationError?: Error | undefined }> {
  let creationError: Error | undefined
  let created: string[] = []
  if (options.create === 'admin') {
    const existing = new Set(await admin.listTopics())
    const missing = topics.filter((t) => !existing.has(t))
    if (missing.length > 0) {
      try {
        await admin.createTopics({
          waitForLeaders: true,
          timeout: 10_000,
          topics: missing.map((topic) => ({
            topic,
            numPartitions: options.partitions,
            replicationFactor: options.replicationFactor,
          })),
        })
        created = missing
      } catch (error) {
        creationError = error as Error
      }
    }
  } else if (options.create === 'broker') {
    // A metadata request for unknown topics makes a broker with auto.create.topics.enable create them.
    await admin.fetchTopicMetadata({ topics }).catch((error: unknown) => {
      creationError = error as Error
    })
  }
  const existing = new Set(await admin.listTopics())
  const missing = topics.filter((t) => !existing.has(t))
  if (missing.length > 0) {
    const how =
      options.create === 'never'
        ? 'topics.create is "never": create them, or set topics.create to "admin" or "broker"'
        : `creating them failed${creationError ? `: ${creationError.message}` : ''}`
    throw new QenusError(`kafka sink: topics missing on the cluster: ${missing.join(', ')}`, {
      code: 'SINK_KAFKA_TOPICS_MISSING',
      details: how,
      cause: creationError,
    })
  }
  return { created, creationError }
}
