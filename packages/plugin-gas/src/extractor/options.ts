import { z } from '@qenus/core'

/** What the extractor emits: `block` → `gas.block`, `l2fee` → `gas.l2fee`, `sequencer` → `sequencer.health`. */
export const GAS_EMIT_KINDS = ['block', 'l2fee', 'sequencer'] as const

/** One of {@link GAS_EMIT_KINDS}. */
export type GasEmitKind = (typeof GAS_EMIT_KINDS)[number]

const decimal = z
  .string()
  .regex(/^\d+(\.\d+)?$/, 'expected a non-negative decimal string, e.g. "3150.25"')
  .describe('a non-negative decimal string')

/**
 * Options of the `gas` extractor.
 *
 * @example
 * ```ts
 * // qenus.config.ts
 * extractors: [{ use: '@qenus/plugin-gas', nativeUsd: { ethereum: '3150', base: '3150', arbitrum: '3150' } }]
 * ```
 */
export const gasOptions = z.strictObject({
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
})

/** The options of the `gas` extractor as written in a config. */
export type GasOptionsInput = z.input<typeof gasOptions>

/** The validated options of the `gas` extractor. */
export type GasOptions = z.output<typeof gasOptions>
