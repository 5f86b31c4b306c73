import type { BlockEvent, ChainReader } from '../contracts/chain.js'
import type { FeatureBatch } from '../contracts/sink.js'
import type { Feature } from '../schema/feature.js'
import type { FeatureStoreView } from '../state/types.js'
import { invoke } from './invoke.js'
import type { DetectorSlot, ExtractorSlot, LaneShared } from './lane-types.js'

const rank = (feature: Feature): number => feature.logIndex ?? Number.POSITIVE_INFINITY

/** Log order first; features without a log index keep their extractor order after those with one. */
const byLogIndex = (a: Feature, b: Feature): number => (rank(a) === rank(b) ? 0 : rank(a) - rank(b))

/**
 * Turns one block into its feature batch: every extractor sees only the logs its own filters
 * match (they run concurrently, so a source can batch their reads), the features are sorted
 * stably by log index, then every detector sees the features its `select` passes.
 *
 * @internal
 */
export async function extractBlock(
  lane: LaneShared,
  extractors: ExtractorSlot[],
  detectors: DetectorSlot[],
  store: FeatureStoreView,
  event: BlockEvent,
  reader: ChainReader,
): Promise<FeatureBatch> {
  const { chain, metrics } = lane
  const { header } = event
  const extracted = await Promise.all(
    extractors.map(async ({ id, extractor, match, receipts }) => {
      const target = lane.target('extractor', id)
      const logs = event.logs.filter(match)
      metrics.componentReceived.inc(target.labels, logs.length)
      const context = receipts
        ? { chain, header, logs, reader, receipts: event.receipts }
        : { chain, header, logs, reader }
      const features = await invoke(target, 'onBlock', () => extractor.onBlock(context))
      metrics.componentEmitted.inc(target.labels, features.length)
      return features
    }),
  )
  const features = extracted.flat().sort(byLogIndex)
  const found = await Promise.all(
    detectors.map(async ({ id, detector, select }) => {
      const target = lane.target('detector', id)
      const passed = features.filter(select.feature)
      metrics.componentReceived.inc(target.labels, passed.length)
      metrics.componentDropped.inc(target.labels, features.length - passed.length)
      const context = { chain, header, features: passed, store, reader }
      const opportunities = await invoke(target, 'onBlock', () => detector.onBlock(context))
      metrics.componentEmitted.inc(target.labels, opportunities.length)
      return opportunities
    }),
  )
  return {
    chain,
    block: { number: header.number, hash: header.hash },
    timestamp: header.timestamp,
    features: [...features, ...found.flat()],
  }
}
