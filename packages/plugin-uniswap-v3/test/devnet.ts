import { createRequire } from 'node:module'
import type {
  BlockHeader,
  ChainReader,
  Extractor,
  Feature,
  Hex,
  Log,
  MulticallResult,
  ReadContractParameters,
} from '@qenus/core'
import { compileFilters, KNOWN_CHAINS } from '@qenus/core'
import { type Devnet, type DevnetPool, loadArtifact } from '@qenus/testkit'
import { type Abi, erc20Abi } from 'viem'

const require = createRequire(import.meta.url)
const { Token, CurrencyAmount } = require('@uniswap/sdk-core') as typeof import('@uniswap/sdk-core')
const { Pool } = require('@uniswap/v3-sdk') as typeof import('@uniswap/v3-sdk')
const JSBI = require('jsbi') as { BigInt(value: string): never }

export const chain = KNOWN_CHAINS.devnet!
export const poolAbi = loadArtifact('UniswapV3Pool').abi as Abi
export const quoterAbi = loadArtifact('QuoterV2').abi as Abi
const MIN_TICK = -887272
const MAX_TICK = 887272

/** A devnet block as a source would hand it over: header and every log, in log order. */
export interface DevnetBlock {
  header: BlockHeader
  logs: Log[]
}

/** A ChainReader over the devnet's JSON-RPC, bound to one block. */
export function readerAt(devnet: Devnet, block: { number: bigint; hash: Hex }): ChainReader {
  return {
    block,
    call: async ({ to, data }) =>
      (await devnet.publicClient.call({ to, data, blockNumber: block.number })).data ?? '0x',
    readContract: (p) =>
      devnet.publicClient.readContract({ ...(p as ReadContractParameters), blockNumber: block.number } as never),
    async multicall(calls: readonly ReadContractParameters[]): Promise<MulticallResult[]> {
      const results: { status: 'success' | 'failure'; result?: unknown; error?: Error }[] =
        await devnet.publicClient.multicall({
          contracts: calls as never,
          allowFailure: true,
          blockNumber: block.number,
        })
      return results.map((r) =>
        r.status === 'success'
          ? { status: 'success', result: r.result }
          : { status: 'failure', error: r.error ?? new Error('call failed') },
      )
    },
  }
}

/** A viem log (from getLogs or a receipt) as the core `Log`, address lower-cased. */
export function toLog(l: {
  address: string
  topics: readonly Hex[]
  data: Hex
  blockNumber: bigint | null
  blockHash: Hex | null
  transactionHash: Hex | null
  transactionIndex: number | null
  logIndex: number | null
}): Log {
  return {
    address: l.address.toLowerCase() as Hex,
    topics: [...l.topics],
    data: l.data,
    blockNumber: l.blockNumber!,
    blockHash: l.blockHash!,
    transactionHash: l.transactionHash!,
    transactionIndex: l.transactionIndex!,
    logIndex: l.logIndex!,
  }
}

/** Headers and logs of blocks `from`..`to` of the devnet's current chain. */
export async function fetchBlocks(devnet: Devnet, from: bigint, to: bigint): Promise<DevnetBlock[]> {
  const logs = await devnet.publicClient.getLogs({ fromBlock: from, toBlock: to })
  const blocks: DevnetBlock[] = []
  for (let n = from; n <= to; n++) {
    const b = await devnet.publicClient.getBlock({ blockNumber: n })
    blocks.push({
      header: {
        number: b.number,
        hash: b.hash,
        parentHash: b.parentHash,
        timestamp: b.timestamp,
        gasUsed: b.gasUsed,
        gasLimit: b.gasLimit,
      },
      logs: logs.filter((l) => l.blockHash === b.hash).map(toLog),
    })
  }
  return blocks
}

/** Runs an extractor over blocks as a lane does: only the logs its filters match, a reader at each block. */
export async function runBlocks(devnet: Devnet, extractor: Extractor, blocks: DevnetBlock[]): Promise<Feature[]> {
  const match = compileFilters(extractor.logFilters(chain))
  const out: Feature[] = []
  for (const { header, logs } of blocks) {
    const reader = readerAt(devnet, header)
    out.push(...(await extractor.onBlock({ chain, header, logs: logs.filter(match), reader })))
  }
  return out
}

/** A pool's state and balances read on chain with its own view functions at a block: the independent side. */
export interface ChainPoolState {
  sqrtPriceX96: bigint
  tick: number
  liquidity: bigint
  reserves: [bigint, bigint]
  ticks: { index: number; liquidityGross: bigint; liquidityNet: bigint }[]
}

export async function readChainPool(devnet: Devnet, pool: DevnetPool, blockNumber: bigint): Promise<ChainPoolState> {
  const at = { blockNumber, allowFailure: false } as const
  const c = (functionName: string, args?: unknown[]) => ({ address: pool.address, abi: poolAbi, functionName, args })
  const [slot0, liquidity, balance0, balance1] = (await devnet.publicClient.multicall({
    ...at,
    contracts: [
      c('slot0'),
      c('liquidity'),
      { address: pool.token0, abi: erc20Abi, functionName: 'balanceOf', args: [pool.address] },
      { address: pool.token1, abi: erc20Abi, functionName: 'balanceOf', args: [pool.address] },
    ] as never,
  })) as [readonly [bigint, number], bigint, bigint, bigint]
  const compressedMin = Math.floor(MIN_TICK / pool.tickSpacing)
  const compressedMax = Math.floor(MAX_TICK / pool.tickSpacing)
  const words: number[] = []
  for (let w = compressedMin >> 8; w <= compressedMax >> 8; w++) words.push(w)
  const bitmap = (await devnet.publicClient.multicall({
    ...at,
    contracts: words.map((w) => c('tickBitmap', [w])) as never,
  })) as bigint[]
  const indexes = words.flatMap((w, i) => {
    const set: number[] = []
    for (let bit = 0; bit < 256; bit++)
      if ((bitmap[i]! >> BigInt(bit)) & 1n) set.push(((w << 8) + bit) * pool.tickSpacing)
    return set
  })
  const infos = (await devnet.publicClient.multicall({
    ...at,
    contracts: indexes.map((t) => c('ticks', [t])) as never,
  })) as (readonly bigint[])[]
  return {
    sqrtPriceX96: slot0[0],
    tick: Number(slot0[1]),
    liquidity,
    reserves: [balance0, balance1],
    ticks: indexes.map((index, i) => ({ index, liquidityGross: infos[i]![0]!, liquidityNet: infos[i]![1]! })),
  }
}

/** The @uniswap/v3-sdk Pool of that state. */
export function sdkPool(devnet: Devnet, pool: DevnetPool, state: ChainPoolState) {
  const j = (x: bigint) => JSBI.BigInt(x.toString())
  return new Pool(
    new Token(devnet.chainId, pool.token0, pool.decimals0),
    new Token(devnet.chainId, pool.token1, pool.decimals1),
    pool.fee,
    j(state.sqrtPriceX96),
    j(state.liquidity),
    state.tick,
    state.ticks.map((t) => ({ index: t.index, liquidityGross: j(t.liquidityGross), liquidityNet: j(t.liquidityNet) })),
  )
}

const HUGE = (1n << 255n) - 1n

/** Input the SDK says a swap to `limit` takes: token0 in when `zeroForOne`, else token1 in. */
export async function sdkInputTo(pool: ReturnType<typeof sdkPool>, zeroForOne: boolean, limit: bigint) {
  const out = CurrencyAmount.fromRawAmount(zeroForOne ? pool.token1 : pool.token0, JSBI.BigInt(HUGE.toString()))
  const [input] = await pool.getInputAmount(out, JSBI.BigInt(limit.toString()))
  return BigInt(input.quotient.toString())
}

/** QuoterV2's input for an exact-output swap of an unreachable amount, stopped at `limit`. */
export async function quoterInputTo(
  devnet: Devnet,
  pool: DevnetPool,
  zeroForOne: boolean,
  limit: bigint,
  blockNumber: bigint,
) {
  const [tokenIn, tokenOut] = zeroForOne ? [pool.token0, pool.token1] : [pool.token1, pool.token0]
  const { result } = await devnet.publicClient.simulateContract({
    address: devnet.contracts.quoterV2,
    abi: quoterAbi,
    functionName: 'quoteExactOutputSingle',
    args: [{ tokenIn, tokenOut, amount: HUGE, fee: pool.fee, sqrtPriceLimitX96: limit }],
    blockNumber,
  })
  return (result as readonly bigint[])[0]!
}
