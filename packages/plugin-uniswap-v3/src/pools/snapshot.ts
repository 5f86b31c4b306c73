import type { ChainReader, Hex, MulticallResult, ReadContractParameters } from '@qenus/core'
import { erc20Abi, parseAbi } from 'viem'
import type { PoolState, TickInfo } from '../math/pool.js'
import { bitmapWordRange, decodeBitmapWord } from '../math/tick-bitmap.js'
import { MAX_TICK, MIN_TICK } from '../math/tick-math.js'

const poolAbi = parseAbi([
  'function slot0() view returns (uint160 sqrtPriceX96, int24 tick, uint16 observationIndex, uint16 observationCardinality, uint16 observationCardinalityNext, uint8 feeProtocol, bool unlocked)',
  'function liquidity() view returns (uint128)',
  'function tickSpacing() view returns (int24)',
  'function tickBitmap(int16 wordPosition) view returns (uint256)',
  'function ticks(int24 tick) view returns (uint128 liquidityGross, int128 liquidityNet, uint256 feeGrowthOutside0X128, uint256 feeGrowthOutside1X128, int56 tickCumulativeOutside, uint160 secondsPerLiquidityOutsideX128, uint32 secondsOutside, bool initialized)',
])

/** Calls per multicall: one `eth_call` must stay well under a block's gas limit. */
const CHUNK = 500

/** A pool whose state could not be read, and why. */
export interface SnapshotFailure {
  /** Why. */
  reason: string
}

/** What {@link readPoolSnapshots} reads per pool. */
export interface SnapshotRequest {
  /** Pool address. */
  pool: Hex
  /** Fee in pips, from the pool's metadata. */
  fee: number
}

type Call = ReadContractParameters

/** Runs calls in chunks of {@link CHUNK} multicalls, concurrently, keeping their order. */
async function multicall(reader: ChainReader, calls: Call[]): Promise<MulticallResult[]> {
  const chunks: Call[][] = []
  for (let i = 0; i < calls.length; i += CHUNK) chunks.push(calls.slice(i, i + CHUNK))
  return (await Promise.all(chunks.map((chunk) => reader.multicall(chunk)))).flat()
}

const call = (address: Hex, functionName: string, args?: readonly unknown[]): Call =>
  ({ address, abi: poolAbi, functionName, args }) as Call

function value<T>(result: MulticallResult | undefined, what: string): T {
  if (result?.status !== 'success') throw new Error(`${what} reverted`)
  return result.result as T
}

/**
 * Reads the swap-relevant state of pools at the reader's block: slot0, liquidity and tick spacing,
 * then every word of the tick bitmap over the whole tick range, then every initialized tick, in
 * three batches of multicalls shared by all pools.
 *
 * @remarks
 * The whole bitmap is read (116 words at tick spacing 60, 6,932 at 1) so the kept state is exact
 * wherever the price goes; it is read once per pool, then kept current from the pool's events.
 *
 * @param reader - Reader bound to the block whose end state is wanted.
 * @param requests - The pools and their fees.
 * @returns Each pool's state, or why it could not be read (a revert, an uninitialized pool).
 */
export async function readPoolSnapshots(
  reader: ChainReader,
  requests: readonly SnapshotRequest[],
): Promise<Map<Hex, PoolState | SnapshotFailure>> {
  const out = new Map<Hex, PoolState | SnapshotFailure>()
  const heads = await multicall(
    reader,
    requests.flatMap(({ pool }) => [call(pool, 'slot0'), call(pool, 'liquidity'), call(pool, 'tickSpacing')]),
  )
  const states: PoolState[] = []
  requests.forEach(({ pool, fee }, i) => {
    try {
      const slot0 = value<readonly [bigint, number]>(heads[3 * i], 'slot0()')
      const state: PoolState = {
        sqrtPriceX96: slot0[0],
        tick: Number(slot0[1]),
        liquidity: value<bigint>(heads[3 * i + 1], 'liquidity()'),
        fee,
        tickSpacing: Number(value<number>(heads[3 * i + 2], 'tickSpacing()')),
        ticks: new Map(),
      }
      if (state.sqrtPriceX96 === 0n) throw new Error('the pool is not initialized')
      out.set(pool, state)
      states.push(state)
    } catch (error) {
      out.set(pool, { reason: `pool ${pool}: ${(error as Error).message}` })
    }
  })
  const read = requests.filter(({ pool }) => 'tick' in out.get(pool)!).map(({ pool }) => pool)
  const bitmaps = await readInitializedTicks(reader, read, states)
  bitmaps.forEach((ticks, i) => {
    if (!Array.isArray(ticks)) out.set(read[i]!, ticks)
  })
  const pools = read.filter((_, i) => Array.isArray(bitmaps[i]))
  const initialized = bitmaps.filter((ticks) => Array.isArray(ticks))
  const kept = states.filter((_, i) => Array.isArray(bitmaps[i]))
  const infos = await multicall(
    reader,
    initialized.flatMap((ticks, i) => ticks.map((tick) => call(pools[i]!, 'ticks', [tick]))),
  )
  let next = 0
  pools.forEach((pool, i) => {
    try {
      for (const tick of initialized[i]!) {
        const info = value<readonly [bigint, bigint]>(infos[next++], `ticks(${tick})`)
        kept[i]!.ticks.set(tick, { liquidityGross: info[0], liquidityNet: info[1] } satisfies TickInfo)
      }
    } catch (error) {
      out.set(pool, { reason: `pool ${pool}: ${(error as Error).message}` })
    }
  })
  return out
}

/** Reads every bitmap word of each pool and returns its initialized ticks, ascending. */
async function readInitializedTicks(
  reader: ChainReader,
  pools: Hex[],
  states: PoolState[],
): Promise<(number[] | SnapshotFailure)[]> {
  const words = states.map((state) => bitmapWordRange(MIN_TICK, MAX_TICK, state.tickSpacing))
  const results = await multicall(
    reader,
    pools.flatMap((pool, i) => words[i]!.map((word) => call(pool, 'tickBitmap', [word]))),
  )
  let next = 0
  return states.map((state, i) => {
    const ticks: number[] = []
    let failed: SnapshotFailure | undefined
    for (const word of words[i]!) {
      const result = results[next++]
      if (result?.status === 'success')
        ticks.push(...decodeBitmapWord(word, result.result as bigint, state.tickSpacing))
      else failed ??= { reason: `pool ${pools[i]}: tickBitmap(${word}) reverted` }
    }
    return failed ?? ticks
  })
}

/**
 * Reads each pool's token balances (`balanceOf(pool)` on token0 and token1) in one multicall.
 *
 * @param reader - Reader bound to the block.
 * @param pools - Pools with their tokens.
 * @returns Each pool's `[balance0, balance1]`, or why they could not be read.
 */
export async function readReserves(
  reader: ChainReader,
  pools: readonly { pool: Hex; token0: Hex; token1: Hex }[],
): Promise<Map<Hex, [bigint, bigint] | SnapshotFailure>> {
  const calls = pools.flatMap(({ pool, token0, token1 }) =>
    [token0, token1].map((address) => ({ address, abi: erc20Abi, functionName: 'balanceOf', args: [pool] }) as Call),
  )
  const results = calls.length === 0 ? [] : await multicall(reader, calls)
  return new Map<Hex, [bigint, bigint] | SnapshotFailure>(
    pools.map(({ pool }, i) => {
      try {
        return [
          pool,
          [value<bigint>(results[2 * i], 'balanceOf(token0)'), value<bigint>(results[2 * i + 1], 'balanceOf(token1)')],
        ]
      } catch (error) {
        return [pool, { reason: `pool ${pool}: ${(error as Error).message}` }]
      }
    }),
  )
}
