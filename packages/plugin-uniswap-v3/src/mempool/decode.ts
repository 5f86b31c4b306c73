import type { Hex } from '@qenus/core'
import { decodeFunctionData, parseAbi } from 'viem'

/** A pending swap's intent on one pool: the pool whose amount the caller fixed. */
export interface SwapIntent {
  /** Called function, e.g. `exactInputSingle`, or `swap` for a direct pool call. */
  method: string
  /** Token the trader pays, over the whole path. */
  tokenIn: Hex
  /** Token the trader receives, over the whole path. */
  tokenOut: Hex
  /** Exact input, or the most paid for an exact output. */
  amountIn: bigint
  /** Least received, or the exact output. */
  amountOutMin: bigint
  /** Whether the output amount is exact. */
  exactOutput: boolean
  /** Pools on the path. */
  hops: number
  /** The pool whose amount is exact: by its tokens and fee (router calls) or its address (direct calls). */
  pool: { tokenA: Hex; tokenB: Hex; fee: number } | { address: Hex }
  /** That pool's swap direction: token0 in. */
  zeroForOne: boolean
  /** That pool's `amountSpecified`: > 0 exact input, < 0 exact output. */
  amountSpecified: bigint
  /** The price limit, 0 for none. */
  sqrtPriceLimitX96: bigint
}

// SwapRouter (periphery 1.x) takes a deadline in its params; SwapRouter02 does not.
const ROUTER_ABI = parseAbi([
  'function exactInputSingle((address tokenIn, address tokenOut, uint24 fee, address recipient, uint256 deadline, uint256 amountIn, uint256 amountOutMinimum, uint160 sqrtPriceLimitX96) params)',
  'function exactOutputSingle((address tokenIn, address tokenOut, uint24 fee, address recipient, uint256 deadline, uint256 amountOut, uint256 amountInMaximum, uint160 sqrtPriceLimitX96) params)',
  'function exactInput((bytes path, address recipient, uint256 deadline, uint256 amountIn, uint256 amountOutMinimum) params)',
  'function exactOutput((bytes path, address recipient, uint256 deadline, uint256 amountOut, uint256 amountInMaximum) params)',
  'function multicall(bytes[] data)',
  'function multicall(uint256 deadline, bytes[] data)',
  'function swap(address recipient, bool zeroForOne, int256 amountSpecified, uint160 sqrtPriceLimitX96, bytes data)',
])
const ROUTER02_ABI = parseAbi([
  'function exactInputSingle((address tokenIn, address tokenOut, uint24 fee, address recipient, uint256 amountIn, uint256 amountOutMinimum, uint160 sqrtPriceLimitX96) params)',
  'function exactOutputSingle((address tokenIn, address tokenOut, uint24 fee, address recipient, uint256 amountOut, uint256 amountInMaximum, uint160 sqrtPriceLimitX96) params)',
  'function exactInput((bytes path, address recipient, uint256 amountIn, uint256 amountOutMinimum) params)',
  'function exactOutput((bytes path, address recipient, uint256 amountOut, uint256 amountInMaximum) params)',
  'function multicall(bytes32 previousBlockhash, bytes[] data)',
])

const lower = (a: string) => a.toLowerCase() as Hex

/** Splits a Uniswap V3 path (token, fee, token, …) into its tokens and fees. */
function splitPath(path: Hex): { tokens: Hex[]; fees: number[] } | undefined {
  const bytes = (path.length - 2) / 2
  if (bytes < 43 || (bytes - 20) % 23 !== 0) return undefined
  const tokens: Hex[] = []
  const fees: number[] = []
  for (let at = 2; ; at += 46) {
    tokens.push(lower(`0x${path.slice(at, at + 40)}`))
    if (at + 40 >= path.length) break
    fees.push(Number.parseInt(path.slice(at + 40, at + 46), 16))
  }
  return { tokens, fees }
}

function single(method: string, p: Record<string, unknown>, exactOutput: boolean): SwapIntent {
  const tokenIn = lower(p.tokenIn as string)
  const tokenOut = lower(p.tokenOut as string)
  const amount = (exactOutput ? p.amountOut : p.amountIn) as bigint
  return {
    method,
    tokenIn,
    tokenOut,
    amountIn: (exactOutput ? p.amountInMaximum : p.amountIn) as bigint,
    amountOutMin: (exactOutput ? p.amountOut : p.amountOutMinimum) as bigint,
    exactOutput,
    hops: 1,
    pool: { tokenA: tokenIn, tokenB: tokenOut, fee: Number(p.fee) },
    zeroForOne: tokenIn < tokenOut,
    amountSpecified: exactOutput ? -amount : amount,
    sqrtPriceLimitX96: p.sqrtPriceLimitX96 as bigint,
  }
}

/** A path call: the first pool of the path is the one whose amount is exact (exact output paths run backwards). */
function path(method: string, p: Record<string, unknown>, exactOutput: boolean): SwapIntent | undefined {
  const split = splitPath(p.path as Hex)
  if (!split) return undefined
  const { tokens, fees } = split
  const [first, second] = tokens as [Hex, Hex]
  const amount = (exactOutput ? p.amountOut : p.amountIn) as bigint
  // Exact input: first → second is paid in. Exact output: second is paid in, first comes out.
  const payIn = exactOutput ? second : first
  const payOut = exactOutput ? first : second
  return {
    method,
    tokenIn: exactOutput ? tokens.at(-1)! : first,
    tokenOut: exactOutput ? first : tokens.at(-1)!,
    amountIn: (exactOutput ? p.amountInMaximum : p.amountIn) as bigint,
    amountOutMin: (exactOutput ? p.amountOut : p.amountOutMinimum) as bigint,
    exactOutput,
    hops: fees.length,
    pool: { tokenA: first, tokenB: second, fee: fees[0]! },
    zeroForOne: payIn < payOut,
    amountSpecified: exactOutput ? -amount : amount,
    sqrtPriceLimitX96: 0n,
  }
}

function decodeCall(to: Hex, data: Hex, depth: number): SwapIntent[] {
  for (const abi of [ROUTER_ABI, ROUTER02_ABI]) {
    let call: { functionName: string; args?: readonly unknown[] | undefined }
    try {
      call = decodeFunctionData({ abi, data })
    } catch {
      continue
    }
    const args = call.args ?? []
    const p = args[0] as Record<string, unknown>
    switch (call.functionName) {
      case 'exactInputSingle':
        return [single(call.functionName, p, false)]
      case 'exactOutputSingle':
        return [single(call.functionName, p, true)]
      case 'exactInput':
      case 'exactOutput': {
        const intent = path(call.functionName, p, call.functionName === 'exactOutput')
        return intent ? [intent] : []
      }
      case 'multicall': {
        if (depth > 0) return []
        const inner = args.at(-1) as readonly Hex[]
        return inner.flatMap((item) => decodeCall(to, item, depth + 1))
      }
      case 'swap': {
        const [, zeroForOne, amountSpecified, sqrtPriceLimitX96] = args as [Hex, boolean, bigint, bigint, Hex]
        const exactOutput = amountSpecified < 0n
        return [
          {
            method: 'swap',
            tokenIn: '0x',
            tokenOut: '0x',
            amountIn: exactOutput ? 0n : amountSpecified,
            amountOutMin: exactOutput ? -amountSpecified : 0n,
            exactOutput,
            hops: 1,
            pool: { address: to },
            zeroForOne,
            amountSpecified,
            sqrtPriceLimitX96,
          },
        ]
      }
    }
  }
  return []
}

/**
 * The Uniswap V3 swaps a pending transaction asks for: SwapRouter and SwapRouter02
 * `exactInputSingle`, `exactOutputSingle`, `exactInput`, `exactOutput`, their `multicall`
 * (one level), and a direct pool `swap`. Anything else decodes to no swap.
 *
 * @param transaction - The transaction as the node reports it (`to`, `input` or `data`).
 * @returns One intent per swap call, in call order.
 * @example
 * ```ts
 * const intents = decodePendingSwaps(await client.getTransaction({ hash }))
 * ```
 */
export function decodePendingSwaps(transaction: Record<string, unknown>): SwapIntent[] {
  const to = transaction.to
  const data = transaction.input ?? transaction.data
  if (typeof to !== 'string' || typeof data !== 'string' || data.length < 10) return []
  return decodeCall(lower(to), data as Hex, 0)
}
