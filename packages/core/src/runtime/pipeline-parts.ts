import type { ResolvedChain, ResolvedConfig } from '../config/types.js'
import type { Extractor } from '../contracts/extractor.js'
import type { Source } from '../contracts/source.js'
import { ChainToken, ContextToken } from '../di/tokens.js'
import type { Logger } from '../observability/logger.js'
import type { Metrics } from '../observability/metrics.js'
import type { FeatureStore } from '../state/types.js'
import type { Clock } from '../util/clock.js'
import { compileFilters } from '../util/filter.js'
import type { RetryOptions } from '../util/retry.js'
import type { Checkpoint, CheckpointStore } from './checkpoint.js'
import type { Scope } from './container.js'
import type { ComponentContext } from './context.js'
import { Lane } from './lane.js'
import type { LaneStatus } from './lane-status.js'
import type { DetectorSlot, ExtractorSlot, LaneShared, SinkSlot } from './lane-types.js'

/** What the pipeline hands down to each lane. @internal */
export interface PipelineParts {
  config: ResolvedConfig
  scope: Scope
  logger: Logger
  metrics: Metrics
  clock: Clock
  checkpoints: CheckpointStore
  store: FeatureStore
  retry: RetryOptions
}

/** The pipeline-wide pieces a lane shares with the others. @internal */
export interface LaneWiring {
  sinks: SinkSlot[]
  detectors: DetectorSlot[]
  range: { from: bigint | 'head'; to: bigint | 'head' | undefined }
  signal: AbortSignal
  checkpoint: Checkpoint | undefined
}

/**
 * Creates a lane: its scope below the pipeline's (chain and context registered), its source and
 * the extractors configured for its chain, each resolved with its own options.
 *
 * @internal
 */
export function buildLane(parts: PipelineParts, chain: ResolvedChain, status: LaneStatus, wiring: LaneWiring): Lane {
  const { config, metrics, clock, checkpoints, retry } = parts
  const info = chain.info
  const logger = parts.logger.child({ chain: info.name })
  const laneContext: ComponentContext = { pipeline: config.name, role: 'lane', id: info.name, chain: info }
  const scope = parts.scope.child([
    [ChainToken, info],
    [ContextToken, laneContext],
  ])
  const context = (role: ComponentContext['role'], id: string, path: string): ComponentContext => ({
    ...laneContext,
    role,
    id,
    path,
  })
  const source = scope.instantiate(
    chain.source,
    context('source', chain.source.id, chain.source.path),
    logger,
  ) as Source
  const extractors: ExtractorSlot[] = config.extractors
    .filter((entry) => entry.chains === undefined || entry.chains.includes(info.name))
    .map((entry) => {
      const extractor = scope.instantiate(entry, context('extractor', entry.id, entry.path), logger) as Extractor
      const receipts = extractor.receipts?.(info) === true
      return { id: entry.id, extractor, match: compileFilters(extractor.logFilters(info)), receipts }
    })
  const shared: LaneShared = {
    pipeline: config.name,
    chain: info,
    logger,
    metrics,
    clock,
    retry,
    checkpoints,
    checkpoint: config.checkpoint,
    status,
    target: (role, id) => ({
      labels: { role, component: id, chain: info.name },
      logger,
      metrics,
      retry,
      onError: (error) => status.onError(error),
    }),
  }
  const lane = {
    sourceId: chain.source.id,
    source,
    extractors,
    detectors: wiring.detectors.filter((slot) => slot.select.chain(info.name)),
    sinks: wiring.sinks,
    store: parts.store,
    from: wiring.range.from,
    to: wiring.range.to,
    checkpoint: wiring.checkpoint,
    queueCapacity: config.queue.maxBlocks,
    headPollMs: Math.max(1000, info.blockTimeMs),
    finality: chain.finality,
  }
  return new Lane(shared, lane, wiring.signal)
}
