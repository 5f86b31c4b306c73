/**
 * Test kit for Qenus Dataplane and its plugins: a real anvil devnet with Uniswap V3 and
 * reproducible traffic, a Kafka mock cluster with an independent reader, fixtures of real
 * mainnet data, the sink conformance suite, and helpers that run the real `qenus` CLI.
 *
 * @packageDocumentation
 */

// --- chain
export { type AnvilProcess, resolveAnvilBinary, spawnAnvil } from './anvil.js'
export { ARTIFACT_PATHS, type Artifact, type ArtifactName, loadArtifact } from './artifacts.js'
// --- cli
export {
  checkpointOf,
  freePort,
  killStrays,
  type QenusOptions,
  type QenusResult,
  type RunningQenus,
  resolveQenusBin,
  runQenus,
  startQenus,
  testDir,
  waitFor,
} from './cli.js'
// --- conformance (imports vitest: an optional peer needed only by this suite)
export {
  describeSinkConformance,
  retractionOf,
  type SinkConformanceContext,
  type SinkConformanceOptions,
  type SinkUnderTest,
} from './conformance.js'
export {
  type DeployedStack,
  type DevnetContracts,
  type DevnetPool,
  type DevnetPosition,
  MULTICALL3_ADDRESS,
} from './deploy.js'
export {
  DEVNET_CHAIN_ID,
  DEVNET_GENESIS_TIMESTAMP,
  DEVNET_MNEMONIC,
  type Devnet,
  type DevnetOptions,
  startDevnet,
} from './devnet.js'
// --- faults
export {
  type Fault,
  type FaultHandle,
  type FaultProxy,
  type FaultRule,
  type KafkaFaultProxy,
  type ProxiedCall,
  type ProxiedLog,
  type ProxiedReply,
  startFaultProxy,
  startKafkaFaultProxy,
  startTcpProxy,
  type TcpConnectionTransform,
  type TcpCutMode,
  type TcpFaultProxy,
  type TcpProxyOptions,
  type WsRelay,
} from './faults/index.js'
// --- fixtures
export {
  type FeatureBatchOptions,
  fakeBlockHash,
  makeFeatureBatches,
  makeFeatures,
  makeSwapFeature,
  type SwapFeatureInput,
} from './features.js'
export { type EtlBlock, type EtlFixture, type EtlTransfer, fixturePath, loadEthereumEtlBlocks } from './fixtures.js'
export { parseJsonExact } from './json.js'
// --- kafka
export {
  type ConsumeOptions,
  consumeWithKcat,
  type KafkaCluster,
  type KafkaOptions,
  type KcatRecord,
  startKafka,
} from './kafka.js'
export { Prng } from './prng.js'
export { type CompiledContract, type CompileOptions, compileSolidity, defaultCacheDir } from './solidity/compile.js'
export { compileTestContracts, type TestContracts } from './solidity/index.js'
export {
  type Action as TrafficAction,
  type ContinuousTraffic,
  type RunTrafficOptions,
  runTraffic,
  type TrafficBlock,
  TrafficGenerator,
  type TrafficOptions,
  type TrafficResult,
} from './traffic.js'
export {
  floorTick,
  fullRange,
  isqrt,
  MAX_TICK,
  MIN_TICK,
  priceFromSqrtPriceX96,
  sqrtPriceX96FromPrice,
  TICK_SPACING,
} from './uniswap.js'
