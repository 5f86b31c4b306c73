import { decodeFunctionResult, encodeFunctionData, erc20Abi, type Hex } from 'viem'
import { loadArtifact } from './artifacts.js'
import { type DevnetPool, type DevnetPosition, mintCalldata, mintedPositions, readTick } from './deploy.js'
import type { Devnet } from './devnet.js'
import { Prng } from './prng.js'
import { blockReceipts, type RawRequest, sendTx, type TxRequest } from './rpc.js'
import { floorTick, MAX_TICK, MIN_TICK } from './uniswap.js'

/** Options of {@link Devnet.traffic}. */
export interface TrafficOptions {
  /** PRNG seed: the same seed on a fresh devnet sends the same transactions. */
  seed: number | string
  /** Number of `exactInputSingle` swaps through the SwapRouter, both directions, both pools. */
  swaps: number
  /** Number of position mints. @default 0 */
  mints?: number | undefined
  /** Number of partial burns (`decreaseLiquidity` + `collect` in one multicall). @default 0 */
  burns?: number | undefined
  /** Transactions per mined block. @default 10 */
  txPerBlock?: number | undefined
  /** Spread the transactions over this many blocks instead (overrides `txPerBlock`). */
  blocks?: number | undefined
}

/** One block mined by the traffic generator. */
export interface TrafficBlock {
  /** Block number. */
  number: bigint
  /** Block hash. */
  hash: Hex
  /** Hashes of its transactions, in block order. */
  txHashes: Hex[]
}

/** What {@link Devnet.traffic} did. */
export interface TrafficResult {
  /** The mined blocks, in order. */
  blocks: TrafficBlock[]
  /** Swaps sent. */
  swaps: number
  /** Mints sent. */
  mints: number
  /** Burns sent. */
  burns: number
  /** Wall time, milliseconds. */
  durationMs: number
}

/** One kind of traffic transaction. */
export type Action = 'swap' | 'mint' | 'burn'

/** A transaction to send, and for a mint the position it opens (its id comes from the receipt). */
interface PlannedTx {
  tx: TxRequest
  mint?: Pick<DevnetPosition, 'owner' | 'pool' | 'tickLower' | 'tickUpper'>
}

/** Gas limits are fixed so that a block's contents never depend on estimation against stale state. */
const GAS: Record<Action, bigint> = { swap: 500_000n, mint: 1_000_000n, burn: 500_000n }
const BLOCK_GAS_LIMIT = 30_000_000n
const DEADLINE = 2n ** 40n
const MAX_UINT128 = 2n ** 128n - 1n

/**
 * Sends reproducible Uniswap V3 traffic to a devnet: it builds transactions from a seeded PRNG and
 * the chain state, sends them with automine off, and mines one block per batch with `evm_mine`.
 */
export class TrafficGenerator {
  readonly #devnet: Devnet
  readonly #prng: Prng
  readonly #request: RawRequest
  #reserves: Map<Hex, Record<Hex, bigint>> | undefined

  /**
   * @param devnet - The devnet to drive.
   * @param seed - PRNG seed.
   */
  constructor(devnet: Devnet, seed: number | string) {
    this.#devnet = devnet
    this.#prng = new Prng(seed)
    this.#request = devnet.publicClient.request as unknown as RawRequest
  }

  /** Sends and mines the given numbers of swaps, mints and burns, shuffled. */
  async run(options: TrafficOptions): Promise<TrafficResult> {
    const started = performance.now()
    const counts = { swap: options.swaps, mint: options.mints ?? 0, burn: options.burns ?? 0 }
    for (const [name, n] of Object.entries(counts)) {
      if (!Number.isInteger(n) || n < 0) throw new Error(`traffic: ${name}s must be a non-negative integer, got ${n}`)
    }
    const actions = this.#prng.shuffle(
      (Object.entries(counts) as [Action, number][]).flatMap(([a, n]) => Array<Action>(n).fill(a)),
    )
    const perBlock = options.blocks ? Math.ceil(actions.length / options.blocks) : (options.txPerBlock ?? 10)
    const blocks: TrafficBlock[] = []
    for (let i = 0; i < actions.length; i += perBlock) blocks.push(await this.block(actions.slice(i, i + perBlock)))
    const done = { swap: 0, mint: 0, burn: 0 }
    for (const a of actions) done[a]++
    return { blocks, swaps: done.swap, mints: done.mint, burns: done.burn, durationMs: performance.now() - started }
  }

  /** Sends one block of a random mix (80% swaps, 10% mints, 10% burns) and mines it. */
  mixedBlock(size: number): Promise<TrafficBlock> {
    const actions = Array.from({ length: size }, (): Action => {
      const r = this.#prng.next()
      return r < 0.8 ? 'swap' : r < 0.9 ? 'mint' : 'burn'
    })
    return this.block(actions)
  }

  /** Sends the actions as transactions, mines them into one block and checks every receipt. */
  async block(actions: Action[]): Promise<TrafficBlock> {
    const gas = actions.reduce((sum, a) => sum + GAS[a], 0n)
    if (gas > BLOCK_GAS_LIMIT) {
      throw new Error(`traffic: ${actions.length} transactions per block need ${gas} gas, over the block limit`)
    }
    this.#reserves ??= await this.#readReserves()
    const ticks = actions.includes('mint') ? await this.#readTicks() : new Map<Hex, number>()
    const txs = actions.map((a) => this.#build(a, ticks))
    const hashes: Hex[] = []
    // One at a time: with FIFO ordering, the send order is the block order.
    for (const { tx } of txs) hashes.push(await sendTx(this.#request, tx))
    await this.#request({ method: 'evm_mine', params: [] })
    const block = (await this.#request({ method: 'eth_getBlockByNumber', params: ['latest', false] })) as {
      number: Hex
      hash: Hex
      transactions: Hex[]
    }
    const number = BigInt(block.number)
    if (block.transactions.join() !== hashes.join()) {
      throw new Error(
        `traffic: block ${number} holds ${block.transactions.length} of ${hashes.length} sent transactions`,
      )
    }
    await this.#checkReceipts(number, txs)
    return { number, hash: block.hash, txHashes: hashes }
  }

  #build(action: Action, ticks: Map<Hex, number>): PlannedTx {
    const pools = this.#devnet.pools
    if (action === 'burn') {
      const tx = this.#burn()
      if (tx) return { tx }
    }
    if (action === 'mint') return this.#mint(this.#prng.pick(pools), ticks)
    return { tx: this.#swap(this.#prng.pick(pools)) }
  }

  #swap(pool: DevnetPool): TxRequest {
    const zeroForOne = this.#prng.next() < 0.5
    const [tokenIn, tokenOut] = zeroForOne ? [pool.token0, pool.token1] : [pool.token1, pool.token0]
    const trader = this.#prng.pick(this.#devnet.accounts.slice(1))
    // 0.05% to 1.5% of the pool's genesis balance of the input token: real-sized, never draining.
    const amountIn = this.#prng.fraction(this.#reserves!.get(pool.address)![tokenIn]!, 500, 15_000)
    const data = encodeFunctionData({
      abi: loadArtifact('SwapRouter').abi,
      functionName: 'exactInputSingle',
      args: [
        {
          tokenIn,
          tokenOut,
          fee: pool.fee,
          recipient: trader,
          deadline: DEADLINE,
          amountIn,
          amountOutMinimum: 0n,
          sqrtPriceLimitX96: 0n,
        },
      ],
    })
    return { from: trader, to: this.#devnet.contracts.swapRouter, data, gas: GAS.swap }
  }

  #mint(pool: DevnetPool, ticks: Map<Hex, number>): PlannedTx {
    const s = pool.tickSpacing
    const center = floorTick(ticks.get(pool.address)! + this.#prng.int(-20, 20) * s, s)
    const half = this.#prng.pick([1, 2, 5, 10, 25]) * s
    const tickLower = Math.max(center - half, Math.ceil(MIN_TICK / s) * s)
    const tickUpper = Math.min(center + half, Math.floor(MAX_TICK / s) * s)
    const owner = this.#prng.pick(this.#devnet.accounts.slice(1))
    const reserves = this.#reserves!.get(pool.address)!
    const data = mintCalldata({
      owner,
      pool,
      tickLower,
      tickUpper,
      amount0: this.#prng.fraction(reserves[pool.token0]!, 1_000, 20_000),
      amount1: this.#prng.fraction(reserves[pool.token1]!, 1_000, 20_000),
    })
    return {
      tx: { from: owner, to: this.#devnet.contracts.positionManager, data, gas: GAS.mint },
      mint: { owner, pool: pool.address, tickLower, tickUpper },
    }
  }

  #burn(): TxRequest | undefined {
    const candidates = this.#devnet.positions.filter((p) => p.burnable && p.liquidity > 1000n)
    if (candidates.length === 0) return undefined
    const position = this.#prng.pick(candidates)
    const liquidity = (position.liquidity * BigInt(this.#prng.int(10, 60))) / 100n
    // Later burns in the same block must see what this one leaves.
    position.liquidity -= liquidity
    const npm = loadArtifact('NonfungiblePositionManager').abi
    const decrease = encodeFunctionData({
      abi: npm,
      functionName: 'decreaseLiquidity',
      args: [{ tokenId: position.tokenId, liquidity, amount0Min: 0n, amount1Min: 0n, deadline: DEADLINE }],
    })
    const collect = encodeFunctionData({
      abi: npm,
      functionName: 'collect',
      args: [
        { tokenId: position.tokenId, recipient: position.owner, amount0Max: MAX_UINT128, amount1Max: MAX_UINT128 },
      ],
    })
    const data = encodeFunctionData({ abi: npm, functionName: 'multicall', args: [[decrease, collect]] })
    return { from: position.owner, to: this.#devnet.contracts.positionManager, data, gas: GAS.burn }
  }

  async #checkReceipts(number: bigint, txs: PlannedTx[]) {
    const receipts = await blockReceipts(this.#request, number)
    receipts.forEach((receipt, i) => {
      if (receipt.status !== 'success') {
        throw new Error(`traffic: transaction ${receipt.transactionHash} in block ${number} reverted`)
      }
      const mint = txs[i]!.mint
      const [minted] = mint ? mintedPositions(receipt.logs) : []
      if (mint && minted) this.#devnet.positions.push({ ...mint, ...minted, burnable: true })
    })
  }

  async #readTicks(): Promise<Map<Hex, number>> {
    const ticks = new Map<Hex, number>()
    for (const pool of this.#devnet.pools) ticks.set(pool.address, await readTick(this.#request, pool.address))
    return ticks
  }

  async #readReserves(): Promise<Map<Hex, Record<Hex, bigint>>> {
    const reserves = new Map<Hex, Record<Hex, bigint>>()
    for (const pool of this.#devnet.pools) {
      const balances: Record<Hex, bigint> = {}
      for (const token of [pool.token0, pool.token1]) {
        const data = encodeFunctionData({ abi: erc20Abi, functionName: 'balanceOf', args: [pool.address] })
        const raw = (await this.#request({ method: 'eth_call', params: [{ to: token, data }, 'latest'] })) as Hex
        balances[token] = decodeFunctionResult({ abi: erc20Abi, functionName: 'balanceOf', data: raw })
      }
      reserves.set(pool.address, balances)
    }
    return reserves
  }
}

/** Options of {@link runTraffic}. */
export interface RunTrafficOptions {
  /** Blocks per second. @default 1 */
  rate?: number | undefined
  /** PRNG seed. @default 1 */
  seed?: number | string | undefined
  /** Transactions per block (80% swaps, 10% mints, 10% burns). @default 10 */
  txPerBlock?: number | undefined
  /** Called with each mined block. */
  onBlock?: ((block: TrafficBlock) => void) | undefined
  /** Called when a block fails; the loop stops. @default rethrown from `stop()` */
  onError?: ((error: unknown) => void) | undefined
}

/** A running continuous traffic loop. */
export interface ContinuousTraffic {
  /** Blocks mined so far. */
  readonly blocks: number
  /** Stops after the block in progress; rejects with the error that stopped the loop, if any. */
  stop(): Promise<void>
}

/**
 * Mines `rate` blocks of mixed Uniswap traffic per second until stopped, e.g. behind `qenus dev`.
 *
 * @param devnet - The devnet to drive.
 * @param options - See {@link RunTrafficOptions}.
 * @example
 * ```ts
 * const loop = runTraffic(devnet, { rate: 2 })
 * // ...
 * await loop.stop()
 * ```
 */
export function runTraffic(devnet: Devnet, options: RunTrafficOptions = {}): ContinuousTraffic {
  const rate = options.rate ?? 1
  if (!(rate > 0)) throw new Error(`runTraffic: rate must be a positive number of blocks per second, got ${rate}`)
  const generator = new TrafficGenerator(devnet, options.seed ?? 1)
  let stopped = false
  let blocks = 0
  let failure: unknown
  let wake: (() => void) | undefined
  const loop = (async () => {
    while (!stopped) {
      const started = performance.now()
      try {
        const block = await generator.mixedBlock(options.txPerBlock ?? 10)
        blocks++
        options.onBlock?.(block)
      } catch (err) {
        failure = err
        options.onError?.(err)
        return
      }
      const wait = 1000 / rate - (performance.now() - started)
      if (wait > 0 && !stopped) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait)
          wake = () => {
            clearTimeout(timer)
            resolve()
          }
        })
      }
    }
  })()
  return {
    get blocks() {
      return blocks
    },
    async stop() {
      stopped = true
      wake?.()
      await loop
      if (failure !== undefined && !options.onError) throw failure
    },
  }
}
