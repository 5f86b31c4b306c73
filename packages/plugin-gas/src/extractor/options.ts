import { z } from '@qenus/core'
import { DEFAULT_TIP_BUCKETS_GWEI } from '../mempool/inclusion.js'

/** What the extractor emits: `block` → `gas.block`, `l2fee` → `gas.l2fee`, `sequencer` → `sequencer.health`. */
export const GAS_EMIT_KINDS = ['block', 'l2fee', 'sequencer'] as const

/** One of {@link GAS_EMIT_KINDS}. */
export type GasEmitKind = (typeof GAS_EMIT_KINDS)[number]

const decimal = z
  .string()
  .regex(/^\d+(\.\d+)?$/, 'expected a non-negative decimal string, e.g. "3150.25"')
  .describe('a non-negative decimal string')

const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, 'expected a 0x-prefixed 20-byte address')
  .transform((a) => a.toLowerCase() as `0x${string}`)

/** One L2's batch posting target on its L1, as written in the config. */
const batchPosterEntry = z
  .strictObject({
    l2Chain: z.string().min(1).describe("the L2's chain name"),
    l2ChainId: z.number().int().positive().describe("the L2's chain id"),
    l1ChainId: z.number().int().positive().default(1).describe('chain id of the L1 the batches go to'),
    type: z.literal(['arbitrum', 'op-stack']).describe('arbitrum: SequencerBatchDelivered logs; op-stack: batcher txs'),
    inbox: address.describe('SequencerInbox (Arbitrum) or batch inbox (OP Stack)'),
    batcher: address.optional().describe('OP Stack: the batcher account'),
  })
  .refine((p) => p.type !== 'op-stack' || p.batcher !== undefined, {
    message: 'an op-stack entry needs its batcher address',
    path: ['batcher'],
  })

/**
 * Options of the `gas` extractor.
 *
 * @example
 * ```ts
 * // qenus.config.ts
 * extractors: [{ use: '@qenus/plugin-gas', nativeUsd: { ethereum: '3150', base: '3150', arbitrum: '3150' } }]
 * ```
 */
export const gasOptions = z
  .strictObject({
    /**
     * Feature kinds to emit; `l2fee` and `sequencer` only on OP Stack and Arbitrum chains.
     * @defaultValue `['block', 'l2fee', 'sequencer']`
     */
    emit: z
      .array(z.literal(GAS_EMIT_KINDS))
      .nonempty('expected at least one of block, l2fee, sequencer')
      .default([...GAS_EMIT_KINDS])
      .describe("feature kinds: 'block' (gas.block), 'l2fee' (gas.l2fee), 'sequencer' (sequencer.health)"),
    /**
     * Blocks the priority fee recommendations look back on.
     * @defaultValue 20
     */
    predictionWindow: z
      .number()
      .int()
      .min(1)
      .max(1024)
      .default(20)
      .describe('recent blocks behind the tip recommendations'),
    /**
     * Wanted probability of inclusion within 1, 3 and 10 blocks.
     * @defaultValue 0.9
     */
    confidence: z.number().gt(0).lt(1).default(0.9).describe('probability of inclusion the recommendations aim at'),
    /**
     * L2 gas of the reference swap whose total cost `gas.l2fee` reports.
     * @defaultValue 150000
     */
    referenceSwapGas: z.number().int().positive().default(150_000).describe('L2 gas of the reference swap'),
    /**
     * The reference swap as a signed serialized transaction; omitted: a Uniswap V3 `exactInputSingle` built for each chain.
     */
    referenceTx: z
      .string()
      .regex(/^0x([0-9a-fA-F]{2})+$/, 'expected 0x-prefixed hex bytes')
      .optional()
      .describe('signed serialized reference transaction (hex); default: a Uniswap V3 exactInputSingle'),
    /**
     * USD per unit of each chain's native token, by chain name, for `totalCostUsd`; chains without
     * one get no USD figure.
     */
    nativeUsd: z
      .record(z.string(), decimal)
      .default({})
      .describe('USD price of the native token by chain name, e.g. { base: "3150" }'),
    /**
     * Sequencer health: a block time over this factor × the expected one is a gap.
     * @defaultValue 3
     */
    degradedFactor: z.number().gt(1).default(3).describe('block time over this × the expected one counts as a gap'),
    /**
     * Sequencer health: recent blocks the cadence and gap count look back on.
     * @defaultValue 20
     */
    sequencerWindow: z
      .number()
      .int()
      .min(2)
      .max(10_000)
      .default(20)
      .describe('recent blocks behind cadence and gap counts'),
    /**
     * Sequencer health: no block for this long means halted.
     * @defaultValue 10 × the chain's block time, at least 5000
     */
    haltedAfterMs: z
      .number()
      .int()
      .positive()
      .optional()
      .describe("ms without a block that mean halted; default 10× the chain's block time, at least 5000"),
    /**
     * Time to inclusion per tip bucket on `gas.block`, from the source's mempool: pending
     * transactions are tracked, not turned into features.
     * @defaultValue false
     */
    mempool: z.boolean().default(false).describe('measure time to inclusion per tip bucket from pending transactions'),
    /**
     * Upper edges of the tip buckets in gwei, ascending: buckets [0, e1), [e1, e2), … [eN, ∞).
     * @defaultValue `['0.1', '0.5', '1', '2', '5', '10']`
     */
    tipBucketsGwei: z
      .array(decimal)
      .nonempty('expected at least one bucket edge')
      .default([...DEFAULT_TIP_BUCKETS_GWEI] as [string, ...string[]])
      .describe('upper edges of the tip buckets, gwei, ascending'),
    /**
     * Recent blocks whose inclusions the tip buckets cover.
     * @defaultValue 50
     */
    inclusionWindow: z.number().int().min(1).max(10_000).default(50).describe('recent blocks behind the tip buckets'),
    /**
     * A pending transaction not included within this many blocks of the head it was seen at is dropped (and counted).
     * @defaultValue 50
     */
    maxPendingBlocks: z
      .number()
      .int()
      .min(1)
      .default(50)
      .describe('a pending tx not included within this many blocks is dropped'),
    /**
     * Most pending transactions tracked at once; the oldest are dropped (and counted) beyond it.
     * @defaultValue 50000
     */
    maxPending: z.number().int().min(1).default(50_000).describe('most pending transactions tracked at once'),
    /**
     * L2s whose batch posting lag to follow on their L1's lane: a mainnet preset by name
     * (`arbitrum`, `optimism`, `base`, see `MAINNET_BATCH_POSTERS`) or an entry of your own.
     * @defaultValue `[]`
     */
    batchPosting: z
      .array(z.union([z.literal(['arbitrum', 'optimism', 'base']), batchPosterEntry]))
      .default([])
      .describe(
        'L2 batch posting to follow on L1: "arbitrum" | "optimism" | "base" or { l2Chain, l2ChainId, type, inbox, batcher? }',
      ),
  })
  .refine((o) => !o.mempool || o.emit.includes('block'), {
    message: "mempool needs 'block' in emit (its figures ride on gas.block)",
    path: ['mempool'],
  })
  .refine((o) => o.tipBucketsGwei.every((e, i) => Number(e) > (i === 0 ? 0 : Number(o.tipBucketsGwei[i - 1]))), {
    message: 'expected positive, strictly ascending bucket edges',
    path: ['tipBucketsGwei'],
  })

/** The options of the `gas` extractor as written in a config. */
export type GasOptionsInput = z.input<typeof gasOptions>

/** The validated options of the `gas` extractor. */
export type GasOptions = z.output<typeof gasOptions>
