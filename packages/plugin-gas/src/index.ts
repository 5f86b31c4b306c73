/**
 * Qenus Dataplane extractor for gas and fee features on L1 and L2s, and sequencer health:
 * `gas.block`, `gas.l2fee` and `sequencer.health`, wei-exact.
 *
 * @packageDocumentation
 */
import { createRequire } from 'node:module'
import { definePlugin } from '@qenus/core'
import { gasExtractor } from './extractor/index.js'

// --- batch posting lag (L2 batches on L1)
export {
  type BatchPoster,
  BatchTracker,
  batchTransactions,
  type LastBatch,
  MAINNET_BATCH_POSTERS,
  SEQUENCER_BATCH_DELIVERED,
} from './batches/posting.js'
// --- extractor
export type { GasExtractorLogger, GasQuarantineCode } from './extractor/extractor.js'
export { GasExtractor } from './extractor/extractor.js'
export { CHAIN_WIDE_ADDRESS } from './extractor/features.js'
export { gasExtractor } from './extractor/index.js'
export {
  GAS_EMIT_KINDS,
  type GasEmitKind,
  type GasOptions,
  type GasOptionsInput,
  gasOptions,
} from './extractor/options.js'
// --- fees (exact, bigint)
export {
  checkFeeFields,
  describeBlock,
  type GasBlockCore,
  gasBlockData,
  hasBaseFee,
  TIP_PERCENTILES,
} from './fees/block.js'
export {
  blobBaseFee,
  blobParametersAt,
  type Eip1559Parameters,
  ETHEREUM_EIP1559,
  fakeExponential,
  feeMarketOf,
  MIN_BASE_FEE_PER_BLOB_GAS,
  nextBaseFee,
  type ParentGas,
} from './fees/eip1559.js'
export { GAS_INPUT_ERROR_CODE, GasInputError } from './fees/errors.js'
export { INCLUSION_TARGETS, TipRecommender, type TipRecommenderOptions } from './fees/recommend.js'
export { type TipSample, tipPercentiles, tipSamples } from './fees/tips.js'
// --- L2 fees
export {
  ARB_GAS_INFO,
  ARB_GAS_INFO_ABI,
  type ArbitrumPrices,
  arbitrumL1FeeEstimate,
  readArbitrumPrices,
} from './l2/arbitrum.js'
export {
  ecotoneL1Fee,
  GAS_PRICE_ORACLE,
  GAS_PRICE_ORACLE_ABI,
  L1_BLOCK,
  type OpStackFee,
  readOpStackFee,
} from './l2/op-stack.js'
export { referenceSwapTx } from './l2/reference-tx.js'
export { weiToUsd } from './l2/usd.js'
// --- mempool: time to inclusion
export {
  DEFAULT_TIP_BUCKETS_GWEI,
  gweiToWei,
  InclusionTracker,
  type InclusionTrackerOptions,
  tipBid,
} from './mempool/inclusion.js'
// --- sequencer
export {
  SequencerMonitor,
  type SequencerMonitorOptions,
  type SequencerReport,
  type SequencerStatus,
} from './sequencer/monitor.js'

const { version } = createRequire(import.meta.url)('../package.json') as { version: string }

/** The plugin: one extractor, `gas`. */
export default definePlugin({
  name: '@qenus/plugin-gas',
  version,
  apiVersion: '^0.1.0',
  components: { extractors: { gas: gasExtractor } },
})
