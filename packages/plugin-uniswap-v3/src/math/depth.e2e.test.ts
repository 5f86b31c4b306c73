import { type Devnet, type DevnetPool, loadArtifact, startDevnet } from '@qenus/testkit'
import { type Abi, type Hex, parseEventLogs } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_DEPTH_BPS, depth, depthTargets } from './depth.js'
import { applyBurn, applyMint, applySwap, type PoolState, simulateSwap } from './pool.js'
import { bitmapWordRange, decodeBitmapWord } from './tick-bitmap.js'
import { MAX_SQRT_RATIO, MAX_TICK, MIN_SQRT_RATIO, MIN_TICK } from './tick-math.js'

const poolAbi = loadArtifact('UniswapV3Pool').abi as Abi
const quoterAbi = loadArtifact('QuoterV2').abi as Abi
/** An output no swap can deliver: the quoted swap runs until its price limit. */
const UNBOUNDED_OUTPUT = (1n << 255n) - 1n

let devnet: Devnet

beforeAll(async () => {
  devnet = await startDevnet()
  // Mints and burns across tick ranges between swaps, so the tick book is not trivial.
  await devnet.traffic({ seed: 'math-depth', swaps: 120, mints: 30, burns: 12, txPerBlock: 8 })
})

afterAll(async () => {
  await devnet?.stop()
})

/** The pool's state read on chain: slot0, liquidity, and every initialized tick via the bitmap. */
async function readPoolState(pool: DevnetPool): Promise<PoolState> {
  const read = (functionName: string, args: unknown[] = []) =>
    devnet.publicClient.readContract({ address: pool.address, abi: poolAbi, functionName, args })
  const [slot0, liquidity] = (await Promise.all([read('slot0'), read('liquidity')])) as [readonly unknown[], bigint]
  const words = bitmapWordRange(MIN_TICK, MAX_TICK, pool.tickSpacing)
  const bitmap = (await Promise.all(words.map((w) => read('tickBitmap', [w])))) as bigint[]
  const initialized = words.flatMap((w, i) => decodeBitmapWord(w, bitmap[i]!, pool.tickSpacing))
  const infos = (await Promise.all(initialized.map((t) => read('ticks', [t])))) as (readonly bigint[])[]
  return {
    sqrtPriceX96: slot0[0] as bigint,
    tick: Number(slot0[1]),
    liquidity,
    fee: pool.fee,
    tickSpacing: pool.tickSpacing,
    ticks: new Map(initialized.map((t, i) => [t, { liquidityGross: infos[i]![0]!, liquidityNet: infos[i]![1]! }])),
  }
}

async function quoteInputTo(pool: DevnetPool, zeroForOne: boolean, limit: bigint): Promise<bigint> {
  const [tokenIn, tokenOut] = zeroForOne ? [pool.token0, pool.token1] : [pool.token1, pool.token0]
  const { result } = await devnet.publicClient.simulateContract({
    address: devnet.contracts.quoterV2,
    abi: quoterAbi,
    functionName: 'quoteExactOutputSingle',
    args: [{ tokenIn, tokenOut, amount: UNBOUNDED_OUTPUT, fee: pool.fee, sqrtPriceLimitX96: limit }],
  })
  return (result as readonly bigint[])[0]!
}

async function quoteExactIn(pool: DevnetPool, zeroForOne: boolean, amountIn: bigint, limit: bigint) {
  const [tokenIn, tokenOut] = zeroForOne ? [pool.token0, pool.token1] : [pool.token1, pool.token0]
  const { result } = await devnet.publicClient.simulateContract({
    address: devnet.contracts.quoterV2,
    abi: quoterAbi,
    functionName: 'quoteExactInputSingle',
    args: [{ tokenIn, tokenOut, amountIn, fee: pool.fee, sqrtPriceLimitX96: limit }],
  })
  const [amountOut, sqrtPriceX96After] = result as readonly bigint[]
  return { amountOut: amountOut!, sqrtPriceX96After: sqrtPriceX96After! }
}

describe('math on a real Uniswap V3 pool (anvil)', () => {
  it('replays every Initialize, Mint, Burn and Swap log into the state read on chain, each swap exact', async () => {
    for (const pool of devnet.pools) {
      const logs = parseEventLogs({
        abi: poolAbi,
        logs: await devnet.publicClient.getLogs({ address: pool.address, fromBlock: 0n }),
      })
      let state: PoolState | undefined
      let swaps = 0
      for (const log of logs) {
        const a = log.args as Record<string, bigint | number | Hex>
        if (log.eventName === 'Initialize') {
          const sqrtPriceX96 = a.sqrtPriceX96 as bigint
          state = {
            sqrtPriceX96,
            tick: Number(a.tick),
            liquidity: 0n,
            fee: pool.fee,
            tickSpacing: pool.tickSpacing,
            ticks: new Map(),
          }
        } else if (state && log.eventName === 'Mint') {
          applyMint(state, Number(a.tickLower), Number(a.tickUpper), a.amount as bigint)
        } else if (state && log.eventName === 'Burn') {
          applyBurn(state, Number(a.tickLower), Number(a.tickUpper), a.amount as bigint)
        } else if (state && log.eventName === 'Swap') {
          // The traffic swaps exact input with no price limit: the router passes the bound ± 1.
          const zeroForOne = (a.amount0 as bigint) > 0n
          const amountIn = zeroForOne ? (a.amount0 as bigint) : (a.amount1 as bigint)
          const limit = zeroForOne ? MIN_SQRT_RATIO + 1n : MAX_SQRT_RATIO - 1n
          const sim = simulateSwap(state, zeroForOne, amountIn, limit)
          expect(sim).toEqual({
            amount0: a.amount0,
            amount1: a.amount1,
            sqrtPriceX96: a.sqrtPriceX96,
            tick: Number(a.tick),
            liquidity: a.liquidity,
          })
          applySwap(state, sim)
          swaps++
        }
      }
      expect(swaps).toBeGreaterThan(20)
      expect(state).toEqual(await readPoolState(pool))
    }
  })

  it('depth equals the QuoterV2 input to each target price, and that input reaches exactly the target', async () => {
    for (const pool of devnet.pools) {
      const state = await readPoolState(pool)
      expect(state.ticks.size).toBeGreaterThan(4)
      const levels = depth(state, [...DEFAULT_DEPTH_BPS, 300])
      for (const level of levels) {
        const { down, up } = depthTargets(state.sqrtPriceX96, level.bps)
        expect({ bps: level.bps, amount0In: level.amount0In, amount1In: level.amount1In }).toEqual({
          bps: level.bps,
          amount0In: await quoteInputTo(pool, true, down),
          amount1In: await quoteInputTo(pool, false, up),
        })
        expect((await quoteExactIn(pool, true, level.amount0In, down)).sqrtPriceX96After).toBe(down)
        expect((await quoteExactIn(pool, false, level.amount1In, up)).sqrtPriceX96After).toBe(up)
      }
    }
  })
})
