import { createRequire } from 'node:module'
import type { Abi, Hex } from 'viem'

/** ABI and creation bytecode of a contract shipped on npm. */
export interface Artifact {
  /** Contract ABI. */
  abi: Abi
  /** Creation bytecode, 0x-prefixed. */
  bytecode: Hex
}

const require = createRequire(import.meta.url)

/** npm module paths of the real protocol artifacts the devnet deploys. */
export const ARTIFACT_PATHS = {
  WETH9: '@uniswap/v2-periphery/build/WETH9.json',
  UniswapV3Factory: '@uniswap/v3-core/artifacts/contracts/UniswapV3Factory.sol/UniswapV3Factory.json',
  UniswapV3Pool: '@uniswap/v3-core/artifacts/contracts/UniswapV3Pool.sol/UniswapV3Pool.json',
  NonfungiblePositionManager:
    '@uniswap/v3-periphery/artifacts/contracts/NonfungiblePositionManager.sol/NonfungiblePositionManager.json',
  SwapRouter: '@uniswap/v3-periphery/artifacts/contracts/SwapRouter.sol/SwapRouter.json',
  QuoterV2: '@uniswap/v3-periphery/artifacts/contracts/lens/QuoterV2.sol/QuoterV2.json',
} as const

/** Names of the npm artifacts the devnet uses. */
export type ArtifactName = keyof typeof ARTIFACT_PATHS

const cache = new Map<ArtifactName, Artifact>()

/**
 * Loads a contract artifact from its npm package (Hardhat or Waffle JSON).
 *
 * @param name - Which artifact.
 * @returns Its ABI and creation bytecode.
 */
export function loadArtifact(name: ArtifactName): Artifact {
  const hit = cache.get(name)
  if (hit) return hit
  const json = require(ARTIFACT_PATHS[name]) as { abi: Abi; bytecode: string }
  const hex = json.bytecode.startsWith('0x') ? json.bytecode : `0x${json.bytecode}`
  const artifact = { abi: json.abi, bytecode: hex as Hex }
  cache.set(name, artifact)
  return artifact
}
