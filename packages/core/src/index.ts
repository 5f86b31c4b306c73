/**
 * The Qenus Dataplane SDK and runtime: component contracts, plugin and config definitions, the
 * feature schema and its codecs, the chain registry, the pipeline runtime and observability.
 *
 * @packageDocumentation
 */
import 'reflect-metadata'

// --- dependency injection
export { inject } from 'tsyringe'
// --- plugins
export { z } from 'zod'
export { ConfigError, type ConfigErrorParameters, type ConfigIssue, isConfigError } from './config/error.js'
export { type InterpolateEnvResult, interpolateEnv } from './config/interpolate.js'
export { CONFIG_FILE_NAMES, type LoadConfigOptions, loadConfig } from './config/load.js'
export { type ResolveConfigOptions, resolveConfig } from './config/resolve.js'
export { configJsonSchema } from './config/schema.js'
export type {
  ChainEntry,
  ComponentEntry,
  QenusConfig,
  ResolvedChain,
  ResolvedComponent,
  ResolvedConfig,
  Selector,
} from './config/types.js'
// --- config
export { defineConfig } from './config/types.js'
// --- contracts
export type {
  BlockEvent,
  BlockHeader,
  BlockRef,
  ChainEvent,
  ChainReader,
  Hex,
  Log,
  LogFilter,
  MulticallResult,
  PendingEvent,
  ReadContractParameters,
  Receipt,
  RevertEvent,
} from './contracts/chain.js'
export type { Detector, DetectorContext } from './contracts/detector.js'
export type { BlockContext, Extractor, PendingContext, RevertContext, TickContext } from './contracts/extractor.js'
export type { FeatureBatch, RetractedFeature, Retraction, Sink, SinkStartContext } from './contracts/sink.js'
export type { Source, StreamRequest } from './contracts/source.js'
export {
  ChainRegistryToken,
  ChainToken,
  CheckpointStoreToken,
  ClockToken,
  ContextToken,
  DetectorToken,
  ExtractorToken,
  FeatureStoreToken,
  LoggerToken,
  MetricsToken,
  OptionsToken,
  SinkToken,
  SourceToken,
} from './di/tokens.js'
export type { QenusErrorParameters } from './errors.js'
// --- errors
export { FatalError, isQenusError, QenusError, RetryableError } from './errors.js'
// --- observability
export type { ChainHealth, HealthReport, LaneState } from './observability/health.js'
export { type CreateLoggerOptions, createLogger, type Logger } from './observability/logger.js'
export { type ComponentLabels, Metrics, type MetricsOptions } from './observability/metrics.js'
export { redactUrl, redactUrlsDeep, redactUrlsInText } from './observability/redact.js'
export { type ObservabilityServer, type StartServerOptions, startServer } from './observability/server.js'
export type {
  ComponentDefinition,
  ComponentInstanceMap,
  ComponentRole,
  ComponentSpec,
  InjectableClass,
  Plugin,
  PluginComponents,
  PluginSpec,
  Stability,
} from './plugin/define.js'
export {
  defineDetector,
  defineExtractor,
  definePlugin,
  defineSink,
  defineSource,
  isPlugin,
} from './plugin/define.js'
export { OPTIONS_TABLE_MARKERS, optionsTable, withOptionsTable } from './plugin/docs.js'
export { loadPlugin } from './plugin/load.js'
// --- runtime
export { appendFileDurable, syncDir, writeFileAtomic } from './runtime/atomic-file.js'
export { type BlockFeatures, type Checkpoint, type CheckpointStore, FileCheckpointStore } from './runtime/checkpoint.js'
export type { ComponentContext } from './runtime/context.js'
export { Pipeline, type PipelineOptions } from './runtime/pipeline.js'
export { installSignalHandlers, type SignalHandlerOptions } from './runtime/signals.js'
export { type BlockFeatureInput, blockFeature } from './schema/block-feature.js'
export type { BlobScheduleEntry, ChainFamily, ChainInfo, FeeMarket, FinalityMode } from './schema/chains.js'
// --- schema
export { ChainRegistry, KNOWN_CHAINS } from './schema/chains.js'
export { getCodec, jsonCodec, protobufCodec } from './schema/codec.js'
export { PROTO_FILE, protoIncludeDirs, protoPath } from './schema/codec-schema.js'
export type { CodecName, FeatureCodec, RetractionRecord } from './schema/codec-types.js'
export { toRetractionRecord } from './schema/codec-types.js'
export type {
  AmmLiquidityData,
  AmmPoolData,
  AmmSwapData,
  BridgeLiquidityData,
  BridgeTransferData,
  DepthLevel,
  Feature,
  FeatureDataMap,
  FeatureEnvelope,
  FeatureIdParts,
  FeatureKind,
  FlashloanEventData,
  FlashloanLiquidityData,
  GasBlockData,
  GasL2FeeData,
  MempoolSwapData,
  MevBidData,
  OpportunityData,
  OpportunityLeg,
  SequencerHealthData,
  TipInclusion,
  TipInclusionBucket,
} from './schema/feature.js'
export { FEATURE_KINDS, featureId } from './schema/feature.js'
export { decodeFeatureJson, decodeRetractionJson, encodeFeatureJson, encodeRetractionJson } from './schema/json.js'
export {
  decodeFeatureProto,
  decodeRetractionProto,
  encodeFeatureProto,
  encodeRetractionProto,
} from './schema/protobuf.js'
// --- state
export type { InMemoryFeatureStoreOptions } from './state/store.js'
export { InMemoryFeatureStore } from './state/store.js'
export type { FeatureStore, FeatureStoreView, FeatureStoreWindow } from './state/types.js'
export { CircuitBreaker, type CircuitBreakerOptions, type CircuitState } from './util/circuit-breaker.js'
export { type Clock, systemClock } from './util/clock.js'
export { compileFilter, compileFilters, type LogMatcher, matchesFilter } from './util/filter.js'
export { BoundedQueue } from './util/queue.js'
export { RateLimiter, type RateLimiterOptions } from './util/rate-limiter.js'
export { backoffDelay, isRetryable, type RetryOptions, retry } from './util/retry.js'
export { sleep } from './util/sleep.js'
