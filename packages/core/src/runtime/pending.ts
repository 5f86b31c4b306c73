import type { BlockHeader, ChainReader, PendingEvent } from '../contracts/chain.js'
import type { FeatureBatch } from '../contracts/sink.js'
import type { Feature } from '../schema/feature.js'
import { invoke } from './invoke.js'
import type { ExtractorSlot, LaneShared } from './lane-types.js'

/**
 * Turns one mempool transaction into a pending batch bound to `head`: every extractor with
 * `onPending` sees it, in extractor order. An extractor that fails is logged and skipped, since a
 * pending feed is best-effort and must not stop the lane's blocks.
 *
 * @internal
 */
export async function extractPending(
  lane: LaneShared,
  extractors: ExtractorSlot[],
  event: PendingEvent,
  head: BlockHeader,
  reader: ChainReader,
): Promise<FeatureBatch> {
  const { chain, metrics, logger, clock } = lane
  const context = { chain, head, hash: event.hash, transaction: event.transaction, receivedAtMs: clock.now(), reader }
  const extracted = await Promise.all(
    extractors.map(async ({ id, extractor }): Promise<Feature[]> => {
      if (!extractor.onPending) return []
      const target = lane.target('extractor', id)
      metrics.componentReceived.inc(target.labels)
      try {
        const features = await invoke(target, 'onPending', () => extractor.onPending!(context))
        metrics.componentEmitted.inc(target.labels, features.length)
        return features
      } catch (error) {
        logger.warn({ err: error, extractor: id, tx: event.hash }, 'pending extraction failed; transaction skipped')
        return []
      }
    }),
  )
  return {
    chain,
    block: { number: head.number, hash: head.hash },
    timestamp: head.timestamp,
    features: extracted.flat(),
    pending: true,
  }
}

/**
 * Runs one extractor's tick into an out-of-block batch bound to `head` (flagged `pending`, like
 * mempool features). A failing tick is logged and yields nothing: out-of-block features are
 * best-effort and must not stop the lane's blocks.
 *
 * @internal
 */
export async function extractTick(
  lane: LaneShared,
  { id, extractor }: ExtractorSlot,
  head: BlockHeader,
  reader: ChainReader,
): Promise<FeatureBatch> {
  const { chain, metrics, logger, clock } = lane
  const target = lane.target('extractor', id)
  const context = { chain, head, nowMs: clock.now(), reader }
  let features: Feature[] = []
  metrics.componentReceived.inc(target.labels)
  try {
    features = await invoke(target, 'onTick', () => extractor.onTick!(context))
    metrics.componentEmitted.inc(target.labels, features.length)
  } catch (error) {
    logger.warn({ err: error, extractor: id }, 'tick failed; skipped')
  }
  return { chain, block: { number: head.number, hash: head.hash }, timestamp: head.timestamp, features, pending: true }
}
