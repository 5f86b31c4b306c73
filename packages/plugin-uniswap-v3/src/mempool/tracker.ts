import type { BlockHeader, ChainInfo, Feature, Hex, Log, MempoolSwapData, PendingContext } from '@qenus/core'
import { featureId } from '@qenus/core'
import type { PoolMetadata } from '../extractor/pool-metadata.js'
import { formatRatio } from '../math/format-ratio.js'
import { type PoolState, simulateSwap } from '../math/pool.js'
import { MAX_SQRT_RATIO, MIN_SQRT_RATIO } from '../math/tick-math.js'
import type { SwapIntent } from './decode.js'

/** A pending swap waiting for its block. */
interface Waiting {
  pool: Hex
  data: MempoolSwapData
  txHash: Hex
}

/** What the tracker needs of the extractor for one pool at the pending head. */
export interface PoolAtHead {
  metadata: PoolMetadata
  state: PoolState | undefined
}

const bigintOf = (value: unknown): bigint => {
  try {
    return typeof value === 'string' || typeof value === 'bigint' || typeof value === 'number' ? BigInt(value) : 0n
  } catch {
    return 0n
  }
}

/**
 * Kept per chain: the pending swaps not yet included (bounded, oldest dropped first) and the ones
 * linked to a block still within reorg reach, which a revert puts back as pending.
 */
export class MempoolBook {
  readonly #waiting = new Map<Hex, Waiting[]>()
  readonly #linked = new Map<Hex, { block: bigint; swaps: Waiting[] }>()
  readonly #capacity: number

  /** @param capacity - Most pending transactions kept. */
  constructor(capacity: number) {
    this.#capacity = capacity
  }

  /** Whether the transaction was already seen (waiting or linked). */
  seen(txHash: Hex): boolean {
    return this.#waiting.has(txHash) || this.#linked.has(txHash)
  }

  /** Keeps a transaction's pending swaps. */
  add(txHash: Hex, swaps: Waiting[]): void {
    this.#waiting.set(txHash, swaps)
    if (this.#waiting.size > this.#capacity) this.#waiting.delete(this.#waiting.keys().next().value!)
  }

  /** The inclusion records of the block's swap logs whose transaction was seen pending, once per tx and pool. */
  link(chain: ChainInfo, header: BlockHeader, swaps: { log: Log; pool: Hex }[]): Feature[] {
    const features: Feature[] = []
    const done = new Set<string>()
    for (const { log, pool } of swaps) {
      const tx = log.transactionHash.toLowerCase() as Hex
      const waiting = this.#waiting.get(tx)?.find((w) => w.pool === pool)
      if (!waiting || done.has(`${tx}:${pool}`)) continue
      done.add(`${tx}:${pool}`)
      features.push(inclusionFeature(chain, header, log, waiting))
    }
    for (const key of done) {
      const tx = key.slice(0, 66) as Hex
      const swaps = this.#waiting.get(tx)
      if (swaps) this.#linked.set(tx, { block: header.number, swaps })
      this.#waiting.delete(tx)
    }
    return features
  }

  /** A reorg above `to`: links to dropped blocks are undone; links at or below `depth` blocks back are forgotten. */
  revertTo(to: bigint): void {
    for (const [tx, { block, swaps }] of this.#linked) {
      if (block > to) {
        this.#linked.delete(tx)
        this.#waiting.set(tx, swaps)
      }
    }
  }

  /** Forgets links older than `before`, beyond reorg reach. */
  prune(before: bigint): void {
    for (const [tx, { block }] of this.#linked) if (block < before) this.#linked.delete(tx)
  }
}

/** The `mempool.swap` data of one intent on one pool, with the expected outcome from the pool's state at the head. */
export function pendingData(context: PendingContext, intent: SwapIntent, pool: PoolAtHead): MempoolSwapData {
  const tx = context.transaction
  const { metadata, state } = pool
  const [tokenIn, tokenOut] =
    intent.method === 'swap'
      ? intent.zeroForOne
        ? [metadata.token0, metadata.token1]
        : [metadata.token1, metadata.token0]
      : [intent.tokenIn, intent.tokenOut]
  const data: MempoolSwapData = {
    pool: '0x',
    tokenIn,
    tokenOut,
    amountIn: intent.amountIn,
    amountOutMin: intent.amountOutMin,
    from: String(tx.from ?? '0x').toLowerCase() as Hex,
    maxPriorityFeePerGas: bigintOf(tx.maxPriorityFeePerGas ?? tx.gasPrice),
    method: intent.method,
    exactOutput: intent.exactOutput,
    hops: intent.hops,
    seenAtBlock: context.head.number,
    seenAtMs: BigInt(Math.trunc(context.receivedAtMs)),
  }
  return state ? { ...data, ...expected(state, intent) } : data
}

/** Runs the pool's swap on the kept state; a swap the pool would refuse leaves the expectation out. */
function expected(state: PoolState, intent: SwapIntent): Partial<MempoolSwapData> {
  const limit =
    intent.sqrtPriceLimitX96 !== 0n
      ? intent.sqrtPriceLimitX96
      : intent.zeroForOne
        ? MIN_SQRT_RATIO + 1n
        : MAX_SQRT_RATIO - 1n
  let result: ReturnType<typeof simulateSwap>
  try {
    result = simulateSwap(state, intent.zeroForOne, intent.amountSpecified, limit)
  } catch {
    return {}
  }
  const [paid, received] = intent.zeroForOne ? [result.amount0, -result.amount1] : [result.amount1, -result.amount0]
  const before = state.sqrtPriceX96 * state.sqrtPriceX96
  const after = result.sqrtPriceX96 * result.sqrtPriceX96
  return {
    expectedAmountIn: paid,
    expectedAmountOut: received,
    sqrtPriceX96Before: state.sqrtPriceX96,
    sqrtPriceX96After: result.sqrtPriceX96,
    priceImpactBps: formatRatio((after - before) * 10_000n, before, 18, 'half-up'),
  }
}

/** The pending record: bound to the head it was computed on, keyed by transaction and call. */
export function pendingFeature(
  chain: ChainInfo,
  head: BlockHeader,
  txHash: Hex,
  call: number,
  pool: Hex,
  data: MempoolSwapData,
): Feature {
  return {
    id: featureId({
      chainId: chain.chainId,
      blockHash: head.hash,
      kind: 'mempool.swap',
      discriminator: `${txHash}:${call}`,
    }),
    kind: 'mempool.swap',
    chainId: chain.chainId,
    chain: chain.name,
    blockNumber: head.number,
    blockHash: head.hash,
    blockTimestamp: head.timestamp,
    txHash,
    protocol: 'uniswap-v3',
    address: pool,
    data: { ...data, pool },
  }
}

function inclusionFeature(chain: ChainInfo, header: BlockHeader, log: Log, waiting: Waiting): Feature {
  const { data } = waiting
  const delayMs = Number(header.timestamp * 1_000n - (data.seenAtMs ?? 0n))
  return {
    id: featureId({
      chainId: chain.chainId,
      blockHash: header.hash,
      logIndex: log.logIndex,
      kind: 'mempool.swap',
      discriminator: waiting.txHash,
    }),
    kind: 'mempool.swap',
    chainId: chain.chainId,
    chain: chain.name,
    blockNumber: header.number,
    blockHash: header.hash,
    blockTimestamp: header.timestamp,
    txHash: waiting.txHash,
    txIndex: log.transactionIndex,
    logIndex: log.logIndex,
    protocol: 'uniswap-v3',
    address: waiting.pool,
    data: {
      ...data,
      delayBlocks: header.number - (data.seenAtBlock ?? header.number),
      delayMs,
    },
  }
}
