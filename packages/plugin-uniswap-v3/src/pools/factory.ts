import { type ChainInfo, FatalError, type Hex } from '@qenus/core'
import { encodeAbiParameters, getCreate2Address, keccak256 } from 'viem'

/**
 * The official Uniswap V3 factory per EIP-155 chain id, lower-case, from Uniswap's deployment
 * pages (docs.uniswap.org/contracts/v3/reference/deployments and v3-periphery's deploys.md):
 * Ethereum, Arbitrum, Optimism and Polygon share one address; Base has its own.
 */
export const UNISWAP_V3_FACTORIES: Readonly<Record<number, Hex>> = Object.freeze({
  1: '0x1f98431c8ad98523631ae4a59f267346ea31f984',
  42161: '0x1f98431c8ad98523631ae4a59f267346ea31f984',
  10: '0x1f98431c8ad98523631ae4a59f267346ea31f984',
  137: '0x1f98431c8ad98523631ae4a59f267346ea31f984',
  8453: '0x33128a8fc17869897dce68ed026d694621f6fdfd',
})

/** keccak256 of the UniswapV3Pool creation code: the CREATE2 salt's partner in every pool address. */
export const POOL_INIT_CODE_HASH: Hex = '0xe34f199b19b2b4f47f68442619d555527d244f78a3297ea89325f843f87b8b54'

/**
 * The factory to use on `chain`: the `override` from the options, else the built-in one.
 *
 * @param chain - The chain.
 * @param override - The `factory` option, if set.
 * @returns The factory address, lower-case.
 * @throws FatalError `UNISWAP_V3_NO_FACTORY` when neither is known, naming the chain and the option to set.
 */
export function factoryFor(chain: ChainInfo, override: Hex | undefined): Hex {
  const factory = override ?? UNISWAP_V3_FACTORIES[chain.chainId]
  if (factory !== undefined) return factory
  throw new FatalError(`uniswap-v3: no Uniswap V3 factory is known for chain ${chain.name} (id ${chain.chainId})`, {
    code: 'UNISWAP_V3_NO_FACTORY',
    details: "Set the extractor's `factory` option, or select pools by address.",
  })
}

/**
 * The address of the pool of `tokenA`/`tokenB` at `fee`, as the factory deploys it with CREATE2
 * (tokens in any order, as `PoolAddress.computeAddress` of v3-periphery).
 *
 * @param factory - The Uniswap V3 factory.
 * @param tokenA - One token.
 * @param tokenB - The other token.
 * @param fee - Fee tier in pips.
 * @returns The pool address, lower-case, whether or not the pool exists yet.
 * @example
 * ```ts
 * import { computePoolAddress, UNISWAP_V3_FACTORIES } from '@qenus/plugin-uniswap-v3'
 * // USDC/WETH 0.05% on Ethereum: 0x88e6a0c2ddd26feeb64f039a2c41296fcb3f5640
 * computePoolAddress(UNISWAP_V3_FACTORIES[1], USDC, WETH, 500)
 * ```
 */
export function computePoolAddress(factory: Hex, tokenA: Hex, tokenB: Hex, fee: number): Hex {
  const [token0, token1] = tokenA.toLowerCase() < tokenB.toLowerCase() ? [tokenA, tokenB] : [tokenB, tokenA]
  const salt = keccak256(
    encodeAbiParameters([{ type: 'address' }, { type: 'address' }, { type: 'uint24' }], [token0, token1, fee]),
  )
  return getCreate2Address({ from: factory, salt, bytecodeHash: POOL_INIT_CODE_HASH }).toLowerCase() as Hex
}
