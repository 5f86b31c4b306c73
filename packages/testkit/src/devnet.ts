import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  type Chain,
  createPublicClient,
  createTestClient,
  createWalletClient,
  defineChain,
  type Hex,
  http,
  type PublicClient,
  type TestClient,
  type Transport,
  type WalletClient,
} from 'viem'
import { type AnvilProcess, spawnAnvil } from './anvil.js'
import {
  type DevnetContracts,
  type DevnetPool,
  type DevnetPosition,
  deployUniswapStack,
  MULTICALL3_ADDRESS,
} from './deploy.js'
import type { RawRequest } from './rpc.js'
import { compileTestContracts } from './solidity/index.js'
import {
  type ContinuousTraffic,
  type RunTrafficOptions,
  runTraffic,
  TrafficGenerator,
  type TrafficOptions,
  type TrafficResult,
} from './traffic.js'

/** anvil's default mnemonic: its accounts are the well-known, unlocked test accounts. */
export const DEVNET_MNEMONIC = 'test test test test test test test test test test test junk'
/** The devnet's chain id, as in the chain registry. */
export const DEVNET_CHAIN_ID = 31337
/** Genesis timestamp of every devnet, so equal traffic gives equal block hashes. */
export const DEVNET_GENESIS_TIMESTAMP = 1_700_000_000

/** Options of {@link startDevnet}. */
export interface DevnetOptions {
  /**
   * Seconds between blocks mined by anvil on its own; when omitted, blocks are mined only by
   * transactions during setup and by {@link Devnet.mine} / traffic afterwards.
   */
  blockTime?: number | undefined
  /**
   * Seconds added to the timestamp of each new block, so block hashes do not depend on wall time.
   * @default 12
   */
  timestampInterval?: number | undefined
  /**
   * Genesis block timestamp.
   * @default 1_700_000_000
   */
  genesisTimestamp?: number | undefined
  /**
   * Number of unlocked accounts; the first deploys and seeds liquidity, the others trade.
   * @default 6
   */
  accounts?: number | undefined
  /** Where compiled test contracts are cached; see {@link compileSolidity}. */
  cacheDir?: string | undefined
  /** Extra anvil arguments. */
  anvilArgs?: string[] | undefined
  /**
   * Chain id anvil reports (`--chain-id`), e.g. 1 or 42161 to stand in for a known chain.
   * @default 31337
   */
  chainId?: number | undefined
}

/** A running local chain with Uniswap V3, two pools, seeded liquidity and a traffic generator. */
export interface Devnet {
  /** HTTP JSON-RPC endpoint. */
  readonly rpcUrl: string
  /** WebSocket endpoint (same port). */
  readonly wsUrl: string
  /** IPC socket path. */
  readonly ipcPath: string
  /** Chain id: {@link DevnetOptions.chainId}, 31337 unless set. */
  readonly chainId: number
  /** viem chain of the devnet, with Multicall3 at its canonical address. */
  readonly chain: Chain
  /** Unlocked accounts: `[0]` deployed everything, the rest trade. */
  readonly accounts: Hex[]
  /** Public client over http with JSON-RPC batching. */
  readonly publicClient: PublicClient<Transport, Chain>
  /** Wallet client for the unlocked accounts. */
  readonly walletClient: WalletClient<Transport, Chain>
  /** anvil test client (mine, snapshot, impersonate…). */
  readonly testClient: TestClient<'anvil', Transport, Chain>
  /** Addresses of every deployed contract. */
  readonly contracts: DevnetContracts
  /** The TKA/USDT pools at fee tiers 500 and 3000. */
  readonly pools: DevnetPool[]
  /** Liquidity positions held through the position manager, kept current by traffic. */
  readonly positions: DevnetPosition[]
  /** Mines `n` empty blocks. @default 1 */
  mine(n?: number): Promise<void>
  /** Takes a state snapshot; returns its id. */
  snapshot(): Promise<Hex>
  /** Restores a snapshot taken with {@link Devnet.snapshot}. */
  revert(id: Hex): Promise<void>
  /** Replaces the newest `depth` blocks with new ones (`anvil_reorg`), as a chain reorg would. */
  reorg(depth: number): Promise<void>
  /** Sends deterministic Uniswap traffic and mines it; see {@link TrafficOptions}. */
  traffic(options: TrafficOptions): Promise<TrafficResult>
  /** Mines traffic continuously until stopped, e.g. for `qenus dev`. */
  runTraffic(options: RunTrafficOptions): ContinuousTraffic
  /** Kills anvil and removes its temp files. */
  stop(): Promise<void>
}

const running = new Set<{ anvil: AnvilProcess; dir: string }>()
let exitHookInstalled = false

function installExitHook() {
  if (exitHookInstalled) return
  exitHookInstalled = true
  // A test runner that exits without calling stop() must not leave anvil processes behind.
  process.once('exit', () => {
    for (const r of running) {
      r.anvil.child.kill('SIGKILL')
      rmSync(r.dir, { recursive: true, force: true })
    }
  })
}

/**
 * Starts anvil on a free port and deploys the Uniswap V3 stack with two seeded pools.
 *
 * @param options - See {@link DevnetOptions}.
 * @returns The running devnet; call `stop()` when done.
 * @example
 * ```ts
 * import { startDevnet } from '@qenus/testkit'
 * const devnet = await startDevnet()
 * const result = await devnet.traffic({ seed: 1, swaps: 100, mints: 5, burns: 5, txPerBlock: 10 })
 * await devnet.stop()
 * ```
 */
export async function startDevnet(options: DevnetOptions = {}): Promise<Devnet> {
  const testContracts = compileTestContracts({ cacheDir: options.cacheDir })
  const dir = mkdtempSync(join(tmpdir(), 'qenus-devnet-'))
  const ipcPath = join(dir, 'anvil.ipc')
  const accountCount = options.accounts ?? 6
  const args = [
    '--chain-id',
    String(options.chainId ?? DEVNET_CHAIN_ID),
    '--mnemonic',
    DEVNET_MNEMONIC,
    '--accounts',
    String(accountCount),
    '--timestamp',
    String(options.genesisTimestamp ?? DEVNET_GENESIS_TIMESTAMP),
    '--ipc',
    ipcPath,
    // FIFO keeps the block order equal to the send order, which makes traffic reproducible.
    '--order',
    'fifo',
    '--disable-code-size-limit',
    ...(options.anvilArgs ?? []),
  ]
  let anvil: AnvilProcess
  try {
    anvil = await spawnAnvil(args)
  } catch (err) {
    rmSync(dir, { recursive: true, force: true })
    throw err
  }
  const entry = { anvil, dir }
  running.add(entry)
  installExitHook()
  const stop = async () => {
    running.delete(entry)
    await anvil.stop()
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    return await setUp(anvil.port, ipcPath, options, await testContracts, stop)
  } catch (err) {
    await stop()
    throw err
  }
}

async function setUp(
  port: number,
  ipcPath: string,
  options: DevnetOptions,
  testContracts: Awaited<ReturnType<typeof compileTestContracts>>,
  stop: () => Promise<void>,
): Promise<Devnet> {
  const rpcUrl = `http://127.0.0.1:${port}`
  const chainId = options.chainId ?? DEVNET_CHAIN_ID
  const chain = defineChain({
    id: chainId,
    name: 'Qenus devnet',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl], webSocket: [`ws://127.0.0.1:${port}`] } },
    contracts: { multicall3: { address: MULTICALL3_ADDRESS } },
  })
  const transport = http(rpcUrl, { batch: true })
  // No block-number cache: tests mine and read back at once.
  const publicClient = createPublicClient({ chain, transport, cacheTime: 0, pollingInterval: 100 })
  const walletClient = createWalletClient({ chain, transport: http(rpcUrl) })
  const testClient = createTestClient({ mode: 'anvil', chain, transport: http(rpcUrl) })
  const request = publicClient.request as unknown as RawRequest
  await request({ method: 'anvil_setBlockTimestampInterval', params: [options.timestampInterval ?? 12] })
  const accounts = ((await request({ method: 'eth_accounts' })) as Hex[]).map((a) => a.toLowerCase() as Hex)
  // Blocks come only from evm_mine (setup, mine(), traffic) unless a block time is set.
  await request({ method: 'evm_setAutomine', params: [false] })
  const stack = await deployUniswapStack(request, accounts, testContracts)
  if (options.blockTime) await request({ method: 'evm_setIntervalMining', params: [options.blockTime] })
  const devnet: Devnet = {
    rpcUrl,
    wsUrl: `ws://127.0.0.1:${port}`,
    ipcPath,
    chainId,
    chain,
    accounts,
    publicClient,
    walletClient,
    testClient,
    contracts: stack.contracts,
    pools: stack.pools,
    positions: stack.positions,
    mine: (n = 1) => testClient.mine({ blocks: n }),
    snapshot: () => testClient.snapshot(),
    revert: (id) => testClient.revert({ id }),
    reorg: async (depth) => {
      await request({ method: 'anvil_reorg', params: [depth, []] })
    },
    traffic: (opts) => new TrafficGenerator(devnet, opts.seed).run(opts),
    runTraffic: (opts) => runTraffic(devnet, opts),
    stop,
  }
  return devnet
}
