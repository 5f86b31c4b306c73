import { encodeFunctionData, type Hex, parseAbi, serializeTransaction } from 'viem'

const SWAP_ROUTER_02: Hex = '0x68b3465833fb72a70ecdf485e0e4c7bd8665fc45'
const ROUTER_ABI = parseAbi([
  'struct ExactInputSingleParams { address tokenIn; address tokenOut; uint24 fee; address recipient; uint256 amountIn; uint256 amountOutMinimum; uint160 sqrtPriceLimitX96; }',
  'function exactInputSingle(ExactInputSingleParams params) payable returns (uint256 amountOut)',
])

/**
 * A representative signed swap: an EIP-1559 Uniswap V3 SwapRouter02 `exactInputSingle` of
 * 1.5 WETH-sized input with realistic (non-zero, incompressible) field values and a fixed
 * signature, serialized for `chainId`. Its size (~ 300 bytes) is what an arbitrage leg posts to L1.
 *
 * @param chainId - Chain the transaction is for.
 * @returns The serialized signed transaction, 0x-prefixed.
 * @example
 * ```ts
 * import { referenceSwapTx } from '@qenus/plugin-gas'
 * const tx = referenceSwapTx(8453)
 * ```
 */
export function referenceSwapTx(chainId: number): Hex {
  const data = encodeFunctionData({
    abi: ROUTER_ABI,
    functionName: 'exactInputSingle',
    args: [
      {
        tokenIn: '0x4200000000000000000000000000000000000006',
        tokenOut: '0x833589fcd6edb6e08f4c7c32d4f71b54bda02913',
        fee: 500,
        recipient: '0x8e2f2b1a6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f',
        amountIn: 1_537_284_912_345_678_901n,
        amountOutMinimum: 4_812_345_678n,
        sqrtPriceLimitX96: 0n,
      },
    ],
  })
  return serializeTransaction(
    {
      chainId,
      type: 'eip1559',
      nonce: 1_234,
      gas: 184_523n,
      maxFeePerGas: 12_345_678_901n,
      maxPriorityFeePerGas: 1_234_567n,
      to: SWAP_ROUTER_02,
      value: 0n,
      data,
    },
    {
      r: '0x6b2e1c9a7f3d5e8b0a4c6d2f1e9b7a5c3d8e0f2a4b6c8d0e1f3a5b7c9d1e3f5a',
      s: '0x3c5e7a9b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a3c5e7b9d1f3a5c',
      yParity: 1,
    },
  )
}
