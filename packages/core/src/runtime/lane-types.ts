import type { BlockRef } from '../contracts/chain.js'
import type { Detector } from '../contracts/detector.js'
import type { Extractor } from '../contracts/extractor.js'
import type { FeatureBatch, Retraction, Sink } from '../contracts/sink.js'
import type { Logger } from '../observability/logger.js'
import type { Metrics } from '../observability/metrics.js'
import type { ChainInfo } from '../schema/chains.js'
import type { Clock } from '../util/clock.js'
import type { LogMatcher } from '../util/filter.js'
import type { RetryOptions } from '../util/retry.js'
import type { CheckpointStore } from './checkpoint.js'
import type { InvokeTarget } from './invoke.js'
import type { LaneStatus } from './lane-status.js'
import type { SelectorMatcher } from './select.js'

/** A sink with its instance id and compiled select. @internal */
export interface SinkSlot {
  id: string
  sink: Sink
  select: SelectorMatcher
}

/** A detector with its instance id and compiled select. @internal */
export interface DetectorSlot {
  id: string
  detector: Detector
  select: SelectorMatcher
}

/** An extractor of one lane with its compiled log filters. @internal */
export interface ExtractorSlot {
  id: string
  extractor: Extractor
  match: LogMatcher
  /** Whether it asked for receipts on this lane's chain. */
  receipts?: boolean | undefined
}

/** What travels from extraction to the sink stage, in chain order. @internal */
export type LaneItem =
  | { type: 'batch'; batch: FeatureBatch }
  | { type: 'revert'; retraction: Retraction }
  | { type: 'pending'; batch: FeatureBatch }

/** What every part of a lane shares. @internal */
export interface LaneShared {
  pipeline: string
  chain: ChainInfo
  logger: Logger
  metrics: Metrics
  clock: Clock
  retry: RetryOptions
  checkpoints: CheckpointStore
  checkpoint: { everyBlocks: number; everyMs: number }
  status: LaneStatus
  /** The invoke wrapper of one component on this lane. */
  target(role: string, id: string): InvokeTarget
}

/** Keeps the last `depth` refs, oldest first, after appending `ref`. @internal */
export function pushRecent(recent: BlockRef[], ref: BlockRef, depth: number): void {
  recent.push({ number: ref.number, hash: ref.hash })
  if (recent.length > depth) recent.splice(0, recent.length - depth)
}

/** Drops the refs above `to` and makes `to` the last one. @internal */
export function rewindRecent(recent: BlockRef[], to: BlockRef): void {
  const kept = recent.filter((ref) => ref.number <= to.number)
  const last = kept.at(-1)
  if (!last || last.number !== to.number || last.hash !== to.hash) {
    if (last?.number === to.number) kept.pop()
    kept.push({ number: to.number, hash: to.hash })
  }
  recent.splice(0, recent.length, ...kept)
}
