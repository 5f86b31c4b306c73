/**
 * Test helpers that answer from outside the detector: pool state read with viem straight from
 * the pool contract, and swap outputs from `@uniswap/v3-sdk` (its own tick walk and math).
 */
import { createRequire } from 'node:module'
import type { Hex } from '@qenus/core'
import { loadArtifact } from '@qenus/testkit'
import { type Abi, type PublicClient, parseAbi } from 'viem'

const require = createRequire(import.meta.url)
// The v3-sdk's ESM build does not load under Node (directory imports).
const sdk = require('@uniswap/v3-sdk') as typeof import('@uniswap/v3-sdk')
const core = require('@uniswap/sdk-core') as typeof import('@uniswap/sdk-core')

const poolAbi = loadArtifact('UniswapV3Pool').abi as Abi
const routerAbi = loadArtifact('SwapRouter').abi as Abi

export { routerAbi }
export const erc20Abi = parseAbi(['function balanceOf(address) view returns (uint256)'])

/** A pool as read from the chain at one block. */
export interface ChainPool {
  address: Hex
  token0: Hex
  token1: Hex
  fee: number
  sqrtPriceX96: bigint
  tick: number
  liquidity: bigint
  ticks: { index: number; liquidityNet: bigint; liquidityGross: bigint }[]
}

/** Reads slot0, liquidity, the whole tick bitmap and every initialized tick at `blockNumber`. */
export async function readPool(
  client: PublicClient,
  pool: { address: Hex; token0: Hex; token1: Hex; fee: number; tickSpacing: number },
  blockNumber: bigint,
): Promise<ChainPool> {
  const at = { blockNumber }
  const read = (functionName: string, args: unknown[] = []) =>
    client.readContract({ address: pool.address, abi: poolAbi, functionName, args, ...at })
  const slot0 = (await read('slot0')) as readonly [bigint, number]
  const liquidity = (await read('liquidity')) as bigint
  const compressedMin = Math.floor(-887272 / pool.tickSpacing)
  const compressedMax = Math.floor(887272 / pool.tickSpacing)
  const words: number[] = []
  for (let w = compressedMin >> 8; w <= compressedMax >> 8; w++) words.push(w)
  const bitmaps = await client.multicall({
    contracts: words.map((w) => ({ address: pool.address, abi: poolAbi, functionName: 'tickBitmap', args: [w] })),
    allowFailure: false,
    ...at,
  })
  const indexes: number[] = []
  words.forEach((w, i) => {
    const word = bitmaps[i] as bigint
    for (let bit = 0; bit < 256; bit++) if ((word >> BigInt(bit)) & 1n) indexes.push((w * 256 + bit) * pool.tickSpacing)
  })
  const infos = await client.multicall({
    contracts: indexes.map((t) => ({ address: pool.address, abi: poolAbi, functionName: 'ticks', args: [t] })),
    allowFailure: false,
    ...at,
  })
  const ticks = indexes.map((index, i) => {
    const info = infos[i] as readonly [bigint, bigint]
    return { index, liquidityGross: info[0], liquidityNet: info[1] }
  })
  return { ...pool, sqrtPriceX96: slot0[0], tick: Number(slot0[1]), liquidity, ticks }
}

/** A v3-sdk Pool over a chain read; decimals do not matter to raw swap amounts. */
export function sdkPool(chainId: number, p: ChainPool): InstanceType<typeof sdk.Pool> {
  const t0 = new core.Token(chainId, p.token0, 18)
  const t1 = new core.Token(chainId, p.token1, 18)
  const ticks = p.ticks.map(
    (t) =>
      new sdk.Tick({
        index: t.index,
        liquidityGross: t.liquidityGross.toString(),
        liquidityNet: t.liquidityNet.toString(),
      }),
  )
  return new sdk.Pool(t0, t1, p.fee, p.sqrtPriceX96.toString(), p.liquidity.toString(), p.tick, ticks)
}

/** The v3-sdk's exact-input output of `amountIn` of `tokenIn`, or undefined where it gives up. */
export async function sdkOut(
  pool: InstanceType<typeof sdk.Pool>,
  tokenIn: Hex,
  amountIn: bigint,
): Promise<bigint | undefined> {
  if (amountIn <= 0n) return undefined
  const token = pool.token0.address.toLowerCase() === tokenIn ? pool.token0 : pool.token1
  try {
    const [out] = await pool.getOutputAmount(core.CurrencyAmount.fromRawAmount(token, amountIn.toString()))
    return BigInt(out.quotient.toString())
  } catch {
    return undefined
  }
}

/**
 * Brute force: the best `out(sell, out(buy, x)) − x` over a geometric grid of `points` inputs
 * between `from` and `to`, with the v3-sdk.
 */
export async function bruteForce(
  buy: InstanceType<typeof sdk.Pool>,
  sell: InstanceType<typeof sdk.Pool>,
  quote: Hex,
  base: Hex,
  from: bigint,
  to: bigint,
  points: number,
): Promise<{ x: bigint; profit: bigint }> {
  let best = { x: 0n, profit: 0n }
  const ratio = (Number(to) / Number(from)) ** (1 / (points - 1))
  for (let i = 0; i < points; i++) {
    const x = BigInt(Math.round(Number(from) * ratio ** i))
    const mid = await sdkOut(buy, quote, x)
    const out = mid === undefined ? undefined : await sdkOut(sell, base, mid)
    if (out !== undefined && out - x > best.profit) best = { x, profit: out - x }
  }
  return best
}
