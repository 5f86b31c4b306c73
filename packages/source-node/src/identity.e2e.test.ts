import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { decodeFeatureJson } from '@qenus/core'
import {
  checkpointOf,
  type Devnet,
  killStrays,
  type RunningQenus,
  startDevnet,
  startQenus,
  testDir,
  waitFor,
} from '@qenus/testkit'
import { parseAbiItem } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { prepare, type Run } from '../test/config.js'

const SWAP = parseAbiItem(
  'event Swap(address indexed sender, address indexed recipient, int256 amount0, int256 amount1, uint160 sqrtPriceX96, uint128 liquidity, int24 tick)',
)

let devnet: Devnet
let root: string

beforeAll(async () => {
  devnet = await startDevnet()
  await devnet.traffic({ seed: 11, swaps: 48, mints: 4, burns: 2, txPerBlock: 6 })
  root = await testDir('source-node')
})

afterAll(async () => {
  killStrays()
  await devnet?.stop()
})

/** Waits until the run checkpointed the node's current head (its hash, so a reorged head does not count). */
async function caughtUp(run: Run): Promise<void> {
  const head = await devnet.publicClient.getBlock()
  await waitFor(`checkpoint at ${head.number}`, async () => (await checkpointOf(run.checkpoint))?.hash === head.hash)
}

async function stop(cli: RunningQenus): Promise<void> {
  cli.child.kill('SIGTERM')
  const { code, stderr } = await cli.exited
  expect(code, stderr).toBe(0)
}

/** The canonical features of a JSON-lines file: every line, minus the features its retraction lines withdrew. */
function canonical(text: string) {
  const withdrawn = new Set<string>()
  const lines = text.split('\n').filter((line) => line !== '')
  for (const line of lines) {
    if (line.startsWith('{"type":"retraction"')) for (const id of JSON.parse(line).ids as string[]) withdrawn.add(id)
  }
  return lines
    .filter((line) => !line.startsWith('{"type":"retraction"'))
    .map((line) => decodeFeatureJson(line))
    .filter((feature) => !withdrawn.has(feature.id))
}

describe('switching source-rpc to source-node', () => {
  it('leaves the JSON-lines feature file byte-identical, across a reorg', async () => {
    const rpc = await prepare(join(root, 'rpc'), {
      use: '@qenus/source-rpc',
      providers: [devnet.rpcUrl],
      pollIntervalMs: 25,
      maxBlockRange: 4,
    })
    const node = await prepare(join(root, 'node'), {
      use: '@qenus/source-node',
      ipc: devnet.ipcPath,
      pollIntervalMs: 25,
      maxBlockRange: 4,
    })
    const clis = [rpc, node].map((run) => startQenus(['run', '--config', run.config, '--from', '0']))
    try {
      await Promise.all([caughtUp(rpc), caughtUp(node)])
      await devnet.reorg(3)
      await devnet.traffic({ seed: 12, swaps: 18, txPerBlock: 6 })
      await Promise.all([caughtUp(rpc), caughtUp(node)])
    } finally {
      await Promise.all(clis.map(stop))
    }
    const [rpcText, nodeText] = await Promise.all([readFile(rpc.out, 'utf8'), readFile(node.out, 'utf8')])
    expect(nodeText).toContain('{"type":"retraction"')
    expect(nodeText.length).toBe(rpcText.length)
    expect(nodeText === rpcText).toBe(true)

    // And what both wrote is the chain: every Swap of the canonical chain, by transaction and log index.
    const logs = await devnet.publicClient.getLogs({
      address: devnet.pools.map((p) => p.address),
      event: SWAP,
      fromBlock: 0n,
      toBlock: 'latest',
    })
    const swaps = canonical(nodeText).filter((f) => f.kind === 'amm.swap')
    expect(swaps.map((f) => `${f.blockHash}:${f.txHash}:${f.logIndex}`)).toEqual(
      logs.map((l) => `${l.blockHash}:${l.transactionHash}:${l.logIndex}`),
    )
    expect(canonical(nodeText).some((f) => f.kind === 'gas.block')).toBe(true)
  })
})
