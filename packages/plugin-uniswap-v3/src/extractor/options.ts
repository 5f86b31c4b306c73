import { type Hex, z } from '@qenus/core'

const poolAddress = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, 'expected a pool address: 0x followed by 40 hex digits')
  .transform((address) => address.toLowerCase() as Hex)

/**
 * Options of the `uniswap-v3` extractor.
 *
 * @remarks
 * `pools` selects what is extracted. Later selectors (`pairs`, `factory`, `top:N`) will be
 * further members of its union, so a config written today stays valid.
 */
export const uniswapV3Options = z.strictObject({
  /**
   * `'all'`: every Uniswap V3 pool (and any contract emitting the same `Swap` event) on the chain,
   * filtered on the `Swap` topic only. Or a non-empty list of pool addresses, compared lower-case.
   * @defaultValue `'all'`
   */
  pools: z
    .union([z.literal('all'), z.array(poolAddress).nonempty('expected at least one pool address')])
    .default('all')
    .describe("'all', or a non-empty list of pool addresses (0x + 40 hex digits)"),
})

/** The validated options of the `uniswap-v3` extractor. */
export type UniswapV3Options = z.output<typeof uniswapV3Options>
