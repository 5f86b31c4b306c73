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
  RevertEvent,
} from './contracts/chain.js'
export type { Detector, DetectorContext } from './contracts/detector.js'
export type { BlockContext, Extractor, RevertContext } from './contracts/extractor.js'
export type { FeatureBatch, Retraction, Sink } from './contracts/sink.js'
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
export type { ChainFamily, ChainInfo, FinalityMode } from './schema/chains.js'
// --- schema
export { ChainRegistry, KNOWN_CHAINS } from './schema/chains.js'
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
} from './schema/feature.js'
export { FEATURE_KINDS, featureId } from './schema/feature.js'

// --- state
export type { FeatureStore, FeatureStoreView } from './state/types.js'
