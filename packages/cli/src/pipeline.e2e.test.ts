import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { decodeFeatureJson, type Feature, type Hex } from '@qenus/core'
import {
  checkpointOf,
  type Devnet,
  freePort,
  killStrays,
  type RunningQenus,
  runQenus,
  startDevnet,
  startQenus,
  testDir,
  waitFor,
} from '@qenus/testkit'
import { decodeEventLog, parseAbi } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const SWAP_ABI = parseAbi([
  'event Swap(address indexed sender, address indexed recipient, int256 amount0, int256 amount1, uint160 sqrtPriceX96, uint128 liquidity, int24 tick)',
])

interface Run {
  dir: string
  config: string
  out: string
  checkpoint: string
}

let devnet: Devnet
let root: string

beforeAll(async () => {
  devnet = await startDevnet()
  await devnet.traffic({ seed: 11, swaps: 240, mints: 12, burns: 6, txPerBlock: 8 })
  root = await testDir('pipeline')
})

afterAll(async () => {
  killStrays()
  await devnet?.stop()
})

/** Writes a config for one run, with its own output file and checkpoints. */
async function prepare(name: string, extra: Record<string, unknown> = {}): Promise<Run> {
  const dir = join(root, name)
  const out = join(dir, 'features.jsonl')
  const config = join(dir, 'qenus.config.json')
  const { mkdir } = await import('node:fs/promises')
  await mkdir(dir, { recursive: true })
  await writeFile(
    config,
    JSON.stringify({
      name: 'e2e',
      chains: {
        devnet: {
          chainId: 31337,
          source: { use: '@qenus/source-rpc', providers: [devnet.rpcUrl], pollIntervalMs: 50, maxBlockRange: 4 },
        },
      },
      extractors: [{ use: '@qenus/plugin-uniswap-v3', pools: 'all' }],
      sinks: [{ use: '@qenus/sink-console', path: out }],
      checkpoint: { dir: join(dir, 'checkpoints') },
      server: { port: false },
      ...extra,
    }),
  )
  return { dir, config, out, checkpoint: join(dir, 'checkpoints', 'e2e.devnet.json') }
}

async function checkpointBlock(run: Run): Promise<bigint | undefined> {
  return (await checkpointOf(run.checkpoint))?.number
}

/** Waits until the run checkpointed the devnet's current head. */
async function caughtUp(run: Run): Promise<void> {
  const head = await devnet.publicClient.getBlockNumber()
  await waitFor(`checkpoint at ${head}`, async () => ((await checkpointBlock(run)) ?? -1n) >= head)
}

async function features(run: Run): Promise<Feature[]> {
  const text = await readFile(run.out, 'utf8')
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('{"type":"retraction"'))
    .map((line) => decodeFeatureJson(line))
}

async function stop(cli: RunningQenus): Promise<void> {
  cli.child.kill('SIGTERM')
  const result = await cli.exited
  expect(result.code, result.stderr).toBe(0)
}

/** Runs a pipeline from block 0 to the current head and stops it gracefully. */
async function runToHead(run: Run): Promise<void> {
  const cli = startQenus(['run', '--config', run.config, '--from', '0'])
  await caughtUp(run)
  await stop(cli)
}

/** Every Swap of the devnet's pools in the receipts, decoded by viem: the independent answer. */
async function swapsFromReceipts(toBlock: bigint) {
  const pools = new Set(devnet.pools.map((pool) => pool.address.toLowerCase()))
  const swaps = []
  for (let n = 0n; n <= toBlock; n++) {
    const block = await devnet.publicClient.getBlock({ blockNumber: n })
    for (const hash of block.transactions) {
      const receipt = await devnet.publicClient.getTransactionReceipt({ hash })
      for (const log of receipt.logs) {
        if (!pools.has(log.address.toLowerCase())) continue
        try {
          const { args } = decodeEventLog({ abi: SWAP_ABI, data: log.data, topics: log.topics })
          swaps.push({ log, args, block })
        } catch {
          // Mint, Burn and Collect of the same pools.
        }
      }
    }
  }
  return swaps
}

describe('qenus run on a devnet with real Uniswap V3 traffic', () => {
  let reference: Feature[]
  let referenceText: string

  it('streams every swap wei-exact against the receipts, in block then log order', async () => {
    const run = await prepare('reference')
    await runToHead(run)
    reference = await features(run)
    referenceText = await readFile(run.out, 'utf8')
    const head = (await checkpointBlock(run))!
    const expected = await swapsFromReceipts(head)
    expect(expected.length).toBeGreaterThanOrEqual(240)
    const swaps = reference.filter((f) => f.kind === 'amm.swap')
    expect(swaps).toHaveLength(expected.length)
    swaps.forEach((feature, i) => {
      const { log, args, block } = expected[i]!
      if (feature.kind !== 'amm.swap') throw new Error(`unexpected kind ${feature.kind}`)
      const pool = devnet.pools.find((p) => p.address.toLowerCase() === log.address.toLowerCase())!
      expect(feature).toMatchObject({
        chainId: 31337,
        chain: 'devnet',
        blockNumber: log.blockNumber,
        blockHash: log.blockHash,
        blockTimestamp: block.timestamp,
        txHash: log.transactionHash,
        txIndex: log.transactionIndex,
        logIndex: log.logIndex,
        protocol: 'uniswap-v3',
        address: log.address.toLowerCase(),
      })
      expect(feature.data).toMatchObject({
        pool: log.address.toLowerCase(),
        token0: pool.token0.toLowerCase(),
        token1: pool.token1.toLowerCase(),
        fee: pool.fee,
        amount0: args.amount0,
        amount1: args.amount1,
        sqrtPriceX96: args.sqrtPriceX96,
        liquidity: args.liquidity,
        tick: args.tick,
        sender: args.sender.toLowerCase(),
        recipient: args.recipient.toLowerCase(),
      })
    })
    // Order: blocks increasing; within a block, log features by log index, then block-level
    // features (end-of-block pool state).
    const NO_LOG = 1n << 32n
    const keys = reference.map((f) => [f.blockNumber, f.logIndex === undefined ? NO_LOG : BigInt(f.logIndex)] as const)
    for (let i = 1; i < keys.length; i++) {
      const [pb, pl] = keys[i - 1]!
      const [b, l] = keys[i]!
      expect(b > pb || (b === pb && (l > pl || l === NO_LOG)), `feature ${i} after ${i - 1}`).toBe(true)
    }
    expect(new Set(reference.map((f) => f.kind))).toEqual(new Set(['amm.swap', 'amm.liquidity', 'amm.pool']))
    expect(new Set(reference.map((f) => f.blockNumber)).size).toBeGreaterThan(10)
    expect(new Set(reference.map((f) => f.id)).size).toBe(reference.length)
  })

  it('restarted after SIGKILL mid-stream, yields exactly the uninterrupted run: no gap, no duplicate', async () => {
    const run = await prepare('killed')
    const first = startQenus(['run', '--config', run.config, '--from', '0'])
    const total = reference.length
    // Kill once part of the stream is out but well before the end.
    await waitFor('a third of the features', async () => {
      const text = await readFile(run.out, 'utf8').catch(() => '')
      return text.split('\n').length > total / 3
    })
    first.child.kill('SIGKILL')
    const killed = await first.exited
    expect(killed.signal).toBe('SIGKILL')
    const atKill = (await features(run)).length
    expect(atKill).toBeLessThan(total)
    await runToHead(run)
    const text = await readFile(run.out, 'utf8')
    const after = await features(run)
    expect(new Set(after.map((f) => f.id)).size).toBe(after.length)
    expect(after).toEqual(reference)
    expect(text).toBe(referenceText)
  })

  it('backfills a range and exits by itself with the same features', async () => {
    const run = await prepare('backfill')
    const last = reference.at(-1)!.blockNumber
    const result = await runQenus(['backfill', '--config', run.config, '--from', '0', '--to', String(last)])
    expect(result.code, result.stderr).toBe(0)
    expect(await features(run)).toEqual(reference)
  })

  it('carries a reorg to the sink: retraction of the withdrawn ids, then the new branch', async () => {
    const run = await prepare('reorg')
    const cli = startQenus(['run', '--config', run.config, '--from', '0'])
    await caughtUp(run)
    const before = await features(run)
    const head = await devnet.publicClient.getBlockNumber()
    const dropped = new Set<Hex>()
    for (let n = head - 2n; n <= head; n++) dropped.add((await devnet.publicClient.getBlock({ blockNumber: n })).hash)
    const withdrawn = before.filter((f) => dropped.has(f.blockHash)).map((f) => f.id)
    expect(withdrawn.length).toBeGreaterThan(0)
    await devnet.reorg(3)
    await devnet.traffic({ seed: 12, swaps: 16, txPerBlock: 8 })
    await caughtUp(run)
    await stop(cli)
    const lines = (await readFile(run.out, 'utf8')).split('\n').filter(Boolean)
    const retractions = lines.filter((line) => line.startsWith('{"type":"retraction"')).map((line) => JSON.parse(line))
    expect(retractions).toHaveLength(1)
    expect(BigInt(retractions[0].to.number)).toBe(head - 3n)
    expect(new Set(retractions[0].ids)).toEqual(new Set(withdrawn))
    // What a reader holds after applying the retraction equals a fresh run over the new chain.
    const retracted = new Set<string>(retractions[0].ids)
    const live = (await features(run)).filter((f) => !retracted.has(f.id))
    const fresh = await prepare('after-reorg')
    await runToHead(fresh)
    expect(live).toEqual(await features(fresh))
  })

  it('a reorg while stopped is retracted after the restart, with the ids the file holds for the dropped blocks', async () => {
    const run = await prepare('reorg-stopped')
    await runToHead(run)
    const before = await features(run)
    const head = await devnet.publicClient.getBlockNumber()
    const dropped = new Set<Hex>()
    for (let n = head - 2n; n <= head; n++) dropped.add((await devnet.publicClient.getBlock({ blockNumber: n })).hash)
    // The file is in block then log order: reversed, newest block first and reverse log order.
    const withdrawn = before.filter((f) => dropped.has(f.blockHash)).reverse()
    expect(withdrawn.length).toBeGreaterThan(0)
    await devnet.reorg(3)
    await devnet.traffic({ seed: 13, swaps: 16, txPerBlock: 8 })
    await runToHead(run)
    const lines = (await readFile(run.out, 'utf8')).split('\n').filter(Boolean)
    const retractions = lines.filter((line) => line.startsWith('{"type":"retraction"')).map((line) => JSON.parse(line))
    expect(retractions).toHaveLength(1)
    expect(BigInt(retractions[0].to.number)).toBe(head - 3n)
    expect(retractions[0].ids).toEqual(withdrawn.map((f) => f.id))
    const retracted = new Set<string>(retractions[0].ids)
    const live = (await features(run)).filter((f) => !retracted.has(f.id))
    const fresh = await prepare('after-stopped-reorg')
    await runToHead(fresh)
    expect(live).toEqual(await features(fresh))
  })
})

describe('backpressure on a devnet', () => {
  it('a stalled sink stops the source: the queue stays bounded and the lane stops pulling', async () => {
    const run = await prepare('stalled')
    const plugin = join(run.dir, 'stall-sink.mjs')
    await writeFile(
      plugin,
      `import { definePlugin, defineSink, z } from '@qenus/core'
class StallSink {
  async write(batch) { if (batch.block.number >= 5n) await new Promise(() => {}) }
  async revert() {}
  async flush() {}
}
export default definePlugin({ name: 'stall-sink', version: '0.0.0', apiVersion: '^0.1.0',
  components: { sinks: { stall: defineSink({ name: 'stall', summary: 'never acks after block 5',
    stability: 'experimental', options: z.object({}), component: StallSink }) } } })
`,
    )
    const port = await freePort()
    const config = JSON.parse(await readFile(run.config, 'utf8'))
    config.sinks = [{ use: './stall-sink.mjs' }]
    config.queue = { maxBlocks: 4 }
    config.server = { port }
    await writeFile(run.config, JSON.stringify(config))
    const head = await devnet.publicClient.getBlockNumber()
    expect(head).toBeGreaterThan(20n)
    const cli = startQenus(['run', '--config', run.config, '--from', '0'])
    const health = async () => {
      const response = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined)
      return response ? ((await response.json()) as { chains: { devnet: { processed?: string } } }) : undefined
    }
    const processed = await waitFor('the lane to stall', async () => {
      const first = (await health())?.chains.devnet.processed
      if (first === undefined) return undefined
      await new Promise((r) => setTimeout(r, 1_000))
      const second = (await health())?.chains.devnet.processed
      return first === second ? BigInt(first) : undefined
    })
    // Block 5 is stuck in the sink, 4 wait in the queue, at most one more is held by the lane.
    expect(processed).toBeLessThanOrEqual(5n + 4n + 1n)
    expect(processed).toBeLessThan(head)
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
    const depth = metrics.split('\n').find((line) => /queue_depth\{.*chain="devnet"/.test(line))
    expect(depth, metrics).toBeDefined()
    expect(Number(depth!.split(' ').at(-1))).toBeLessThanOrEqual(4)
    // A graceful stop waits on the stalled sink; the second signal exits at once with 1.
    cli.child.kill('SIGTERM')
    await new Promise((r) => setTimeout(r, 500))
    expect(cli.child.exitCode).toBeNull()
    cli.child.kill('SIGTERM')
    const result = await cli.exited
    expect(result.code).toBe(1)
  })
})
