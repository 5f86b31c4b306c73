import { decodeFeatureJson, decodeRetractionJson, type Feature } from '@qenus/core'
import { consumeWithKcat, type KcatRecord } from '@qenus/testkit'

/** Every record of `topics`, read by kcat (an independent client), partitions in offset order. */
export async function readTopics(brokers: string[], topics: string[]): Promise<KcatRecord[]> {
  const all = await Promise.all(topics.map((topic) => consumeWithKcat({ brokers, topic, timeoutMs: 30_000 })))
  return all.flat()
}

/** A JSON feed decoded: features and retractions, each with the record that carried it. */
export interface DecodedFeed {
  features: Feature[]
  retractedIds: string[]
  records: KcatRecord[]
}

/** Decodes JSON records: the `kind` header tells retractions from features. */
export function decodeFeed(records: KcatRecord[]): DecodedFeed {
  const features: Feature[] = []
  const retractedIds: string[] = []
  for (const record of records) {
    if (!record.payload)
      throw new Error(`record without payload at ${record.topic}/${record.partition}@${record.offset}`)
    if (record.headers.kind === 'retraction') retractedIds.push(...decodeRetractionJson(record.payload).ids)
    else features.push(decodeFeatureJson(record.payload))
  }
  return { features, retractedIds, records }
}

/** Records grouped by topic and partition, each group in offset order. */
export function byPartition(records: KcatRecord[]): Map<string, KcatRecord[]> {
  const groups = new Map<string, KcatRecord[]>()
  for (const r of records) {
    const key = `${r.topic}/${r.partition}`
    groups.set(key, [...(groups.get(key) ?? []), r])
  }
  for (const group of groups.values()) group.sort((a, b) => (a.offset < b.offset ? -1 : 1))
  return groups
}
