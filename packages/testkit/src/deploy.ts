import {
  type Abi,
  decodeFunctionResult,
  encodeDeployData,
  encodeFunctionData,
  type Hex,
  maxUint256,
  parseEventLogs,
  zeroAddress,
} from 'viem'
import { loadArtifact } from './artifacts.js'
import { type RawRequest, sendAndConfirm, sendAndMine, type TxRequest } from './rpc.js'
import type { TestContracts } from './solidity/index.js'
import { floorTick, fullRange, sqrtPriceX96FromPrice, TICK_SPACING } from './uniswap.js'

/** Addresses of every contract on the devnet, lower-case hex. */
export interface DevnetContracts {
  /** WETH9 from `@uniswap/v2-periphery`'s build. */
  weth9: Hex
  /** Test token with 18 decimals (`TKA`). */
  tokenA: Hex
  /** Test token with 6 decimals (`USDT`, a USD-like token). */
  tokenB: Hex
  /** Uniswap V3 factory. */
  factory: Hex
  /** Uniswap V3 NonfungiblePositionManager (no token descriptor). */
  positionManager: Hex
  /** Uniswap V3 SwapRouter. */
  swapRouter: Hex
  /** Uniswap V3 QuoterV2 lens. */
  quoterV2: Hex
  /** Multicall3-compatible test contract at the canonical address. */
  multicall3: Hex
}

/** A Uniswap V3 pool on the devnet. */
export interface DevnetPool {
  /** Pool address, lower-case hex. */
  address: Hex
  /** Fee in pips. */
  fee: number
  /** Tick spacing of the fee tier. */
  tickSpacing: number
  /** Pool token0 (the lower address). */
  token0: Hex
  /** Pool token1. */
  token1: Hex
  /** Decimals of token0. */
  decimals0: number
  /** Decimals of token1. */
  decimals1: number
}

/** A liquidity position held through the position manager. */
export interface DevnetPosition {
  /** NFT id. */
  tokenId: bigint
  /** Owner account. */
  owner: Hex
  /** Pool address. */
  pool: Hex
  /** Lower tick. */
  tickLower: number
  /** Upper tick. */
  tickUpper: number
  /** Liquidity the testkit believes the position holds. */
  liquidity: bigint
  /** Whether traffic may burn from it (full-range seed liquidity is kept so swaps never run dry). */
  burnable: boolean
}

/** The canonical Multicall3 address; the chain registry names it for the devnet. */
export const MULTICALL3_ADDRESS: Hex = '0xca11bde05977b3631167028862be2a173976ca11'

/** One TKA is worth this many USDT-like tokens at genesis. */
const INITIAL_PRICE_USD = 2500n
const FEES = [500, 3000] as const
const TA = 10n ** 18n
const TB = 10n ** 6n
/** Seed positions per pool: tick offsets around the initial tick (`null`: full range) and TKA desired. */
const SEED_RANGES: { offsets: [number, number] | null; tka: bigint }[] = [
  { offsets: null, tka: 1_000n },
  { offsets: [-1000, 1000], tka: 300n },
  { offsets: [-200, 200], tka: 100n },
  { offsets: [100, 2000], tka: 100n },
  { offsets: [-2000, -100], tka: 100n },
]

/** What `deployUniswapStack` leaves on the chain. */
export interface DeployedStack {
  contracts: DevnetContracts
  pools: DevnetPool[]
  positions: DevnetPosition[]
}

/**
 * Deploys WETH9, two test tokens, Uniswap V3 (factory, position manager, router, QuoterV2) and
 * Multicall3, creates a TKA/USDT pool per fee tier and seeds liquidity. Expects automine off.
 *
 * @param request - Raw RPC of the devnet.
 * @param accounts - Unlocked accounts; the first deploys and provides liquidity, the rest trade.
 * @param test - Compiled test contracts.
 */
export async function deployUniswapStack(
  request: RawRequest,
  accounts: Hex[],
  test: TestContracts,
): Promise<DeployedStack> {
  const deployer = accounts[0]!
  const deploy = async (what: string, abi: Abi, bytecode: Hex, args: unknown[] = []) => {
    const data = encodeDeployData({ abi, bytecode, args })
    const receipt = await sendAndConfirm(request, { from: deployer, data }, `deploy ${what}`)
    return receipt.contractAddress!.toLowerCase() as Hex
  }
  const art = (name: Parameters<typeof loadArtifact>[0]) => {
    const a = loadArtifact(name)
    return [a.abi, a.bytecode] as const
  }
  const weth9 = await deploy('WETH9', ...art('WETH9'))
  const tokenA = await deploy('TKA', test.TestERC20.abi, test.TestERC20.bytecode, ['Test Token A', 'TKA', 18])
  const tokenB = await deploy('USDT', test.TestERC20.abi, test.TestERC20.bytecode, ['Test USD', 'USDT', 6])
  const factory = await deploy('UniswapV3Factory', ...art('UniswapV3Factory'))
  const npm = art('NonfungiblePositionManager')
  const positionManager = await deploy('NonfungiblePositionManager', ...npm, [factory, weth9, zeroAddress])
  const swapRouter = await deploy('SwapRouter', ...art('SwapRouter'), [factory, weth9])
  const quoterV2 = await deploy('QuoterV2', ...art('QuoterV2'), [factory, weth9])
  await request({ method: 'anvil_setCode', params: [MULTICALL3_ADDRESS, test.Multicall3.deployedBytecode] })
  const contracts: DevnetContracts = {
    weth9,
    tokenA,
    tokenB,
    factory,
    positionManager,
    swapRouter,
    quoterV2,
    multicall3: MULTICALL3_ADDRESS,
  }
  await fundAccounts(request, accounts, contracts, test)
  const pools: DevnetPool[] = []
  const positions: DevnetPosition[] = []
  for (const fee of FEES) {
    const pool = await createPool(request, deployer, contracts, fee)
    pools.push(pool)
    positions.push(...(await seedLiquidity(request, deployer, contracts, pool)))
  }
  return { contracts, pools, positions }
}

async function fundAccounts(request: RawRequest, accounts: Hex[], c: DevnetContracts, test: TestContracts) {
  const abi = test.TestERC20.abi
  const txs: TxRequest[] = []
  for (const account of accounts) {
    for (const [token, amount] of [
      [c.tokenA, 100_000n * TA],
      [c.tokenB, 100_000n * INITIAL_PRICE_USD * TB],
    ] as const) {
      txs.push({
        from: accounts[0]!,
        to: token,
        data: encodeFunctionData({ abi, functionName: 'mint', args: [account, amount] }),
      })
      for (const spender of [c.swapRouter, c.positionManager]) {
        const data = encodeFunctionData({ abi, functionName: 'approve', args: [spender, maxUint256] })
        txs.push({ from: account, to: token, data })
      }
    }
  }
  await sendAndMine(request, txs, 'fund accounts')
}

async function createPool(request: RawRequest, from: Hex, c: DevnetContracts, fee: number): Promise<DevnetPool> {
  const aFirst = BigInt(c.tokenA) < BigInt(c.tokenB)
  const [token0, token1] = aFirst ? [c.tokenA, c.tokenB] : [c.tokenB, c.tokenA]
  const [decimals0, decimals1] = aFirst ? [18, 6] : [6, 18]
  const price: [bigint, bigint] = aFirst ? [INITIAL_PRICE_USD, 1n] : [1n, INITIAL_PRICE_USD]
  const { abi } = loadArtifact('NonfungiblePositionManager')
  const sqrtPriceX96 = sqrtPriceX96FromPrice(price, decimals0, decimals1)
  const data = encodeFunctionData({
    abi,
    functionName: 'createAndInitializePoolIfNecessary',
    args: [token0, token1, fee, sqrtPriceX96],
  })
  const receipt = await sendAndConfirm(request, { from, to: c.positionManager, data }, `create pool fee ${fee}`)
  const [created] = parseEventLogs({
    abi: loadArtifact('UniswapV3Factory').abi,
    logs: receipt.logs,
    eventName: 'PoolCreated',
  })
  const address = ((created?.args as { pool?: Hex } | undefined)?.pool ?? '').toLowerCase() as Hex
  if (!address) throw new Error(`create pool fee ${fee}: no PoolCreated event`)
  return { address, fee, tickSpacing: TICK_SPACING[fee]!, token0, token1, decimals0, decimals1 }
}

/** Current tick of a pool, read from `slot0`. */
export async function readTick(request: RawRequest, pool: Hex): Promise<number> {
  const abi = loadArtifact('UniswapV3Pool').abi
  const data = encodeFunctionData({ abi, functionName: 'slot0' })
  const raw = (await request({ method: 'eth_call', params: [{ to: pool, data }, 'latest'] })) as Hex
  const slot0 = decodeFunctionResult({ abi, functionName: 'slot0', data: raw }) as readonly [bigint, number]
  return slot0[1]
}

async function seedLiquidity(request: RawRequest, owner: Hex, c: DevnetContracts, pool: DevnetPool) {
  const tick = await readTick(request, pool.address)
  const positions: DevnetPosition[] = []
  for (const range of SEED_RANGES) {
    const [tickLower, tickUpper] = range.offsets
      ? [floorTick(tick + range.offsets[0], pool.tickSpacing), floorTick(tick + range.offsets[1], pool.tickSpacing)]
      : fullRange(pool.tickSpacing)
    const amounts = { [c.tokenA]: range.tka * TA, [c.tokenB]: range.tka * INITIAL_PRICE_USD * TB }
    const position = await mintPosition(request, c.positionManager, {
      owner,
      pool,
      tickLower,
      tickUpper,
      amount0: amounts[pool.token0]!,
      amount1: amounts[pool.token1]!,
    })
    positions.push({ ...position, burnable: range.offsets !== null })
  }
  return positions
}

/** Parameters of {@link mintCalldata}. */
export interface MintParams {
  owner: Hex
  pool: DevnetPool
  tickLower: number
  tickUpper: number
  amount0: bigint
  amount1: bigint
}

/** Calldata of `NonfungiblePositionManager.mint` that accepts any price (mins of zero). */
export function mintCalldata(p: MintParams): Hex {
  return encodeFunctionData({
    abi: loadArtifact('NonfungiblePositionManager').abi,
    functionName: 'mint',
    args: [
      {
        token0: p.pool.token0,
        token1: p.pool.token1,
        fee: p.pool.fee,
        tickLower: p.tickLower,
        tickUpper: p.tickUpper,
        amount0Desired: p.amount0,
        amount1Desired: p.amount1,
        amount0Min: 0n,
        amount1Min: 0n,
        recipient: p.owner,
        deadline: 2n ** 40n,
      },
    ],
  })
}

async function mintPosition(request: RawRequest, positionManager: Hex, p: MintParams) {
  const data = mintCalldata(p)
  const receipt = await sendAndConfirm(
    request,
    { from: p.owner, to: positionManager, data, gas: 1_500_000n },
    'seed position',
  )
  const [minted] = mintedPositions(receipt.logs)
  if (!minted) throw new Error('seed position: no IncreaseLiquidity event')
  return { owner: p.owner, pool: p.pool.address, tickLower: p.tickLower, tickUpper: p.tickUpper, ...minted }
}

/** The `IncreaseLiquidity` events of the position manager among `logs`. */
export function mintedPositions(logs: Parameters<typeof parseEventLogs>[0]['logs']) {
  const events = parseEventLogs({
    abi: loadArtifact('NonfungiblePositionManager').abi,
    logs,
    eventName: 'IncreaseLiquidity',
  })
  return events.map((e) => {
    const args = e.args as unknown as { tokenId: bigint; liquidity: bigint }
    return { tokenId: args.tokenId, liquidity: args.liquidity }
  })
}
