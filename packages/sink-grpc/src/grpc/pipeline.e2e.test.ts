import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type * as grpc from '@grpc/grpc-js'
import { createLogger, type Feature, Pipeline, resolveConfig } from '@qenus/core'
import { type Devnet, freePort, startDevnet } from '@qenus/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dataplaneClient, fold, unary, type WireEvent } from '../test/helpers.js'

// Package names in the config resolve from the repository, as from a user's project.
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..')
const POOL_ABI = [
  {
    type: 'function',
    name: 'slot0',
    stateMutability: 'view',
    inputs: [],
    outputs: [
      { name: 'sqrtPriceX96', type: 'uint160' },
      { name: 'tick', type: 'int24' },
      { name: 'observationIndex', type: 'uint16' },
      { name: 'observationCardinality', type: 'uint16' },
      { name: 'observationCardinalityNext', type: 'uint16' },
      { name: 'feeProtocol', type: 'uint8' },
      { name: 'unlocked', type: 'bool' },
    ],
  },
  { type: 'function', name: 'liquidity', stateMutability: 'view', inputs: [], outputs: [{ type: 'uint128' }] },
] as const

let devnet: Devnet
let dir: string
let pipeline: Pipeline
let client: ReturnType<typeof dataplaneClient>
let stream: grpc.ClientReadableStream<WireEvent>
const events: WireEvent[] = []

/** The newest block the stream finished. */
const streamedTo = () => {
  const ends = events.filter((e) => e.event === 'blockEnd')
  return ends.length ? BigInt(ends.at(-1)!.blockEnd!.block.number) : -1n
}

async function caughtUp(): Promise<bigint> {
  const head = await devnet.publicClient.getBlockNumber()
  const deadline = Date.now() + 60_000
  while (streamedTo() < head) {
    if (Date.now() > deadline) throw new Error(`stream stuck at ${streamedTo()}, head ${head}`)
    await new Promise((r) => setTimeout(r, 50))
  }
  return head
}

beforeAll(async () => {
  devnet = await startDevnet()
  await devnet.traffic({ seed: 5, swaps: 60, mints: 4, burns: 2, txPerBlock: 6 })
  dir = await mkdtemp(join(tmpdir(), 'qenus-grpc-pipeline-'))
  port = await freePort()
  const config = await resolveConfig(
    {
      name: 'grpc-e2e',
      chains: {
        devnet: {
          chainId: 31337,
          source: { use: '@qenus/source-rpc', providers: [devnet.rpcUrl], pollIntervalMs: 50, maxBlockRange: 8 },
        },
      },
      extractors: [{ use: '@qenus/plugin-uniswap-v3', pools: 'all' }],
      sinks: [{ use: '@qenus/sink-grpc', port, retainBlocks: 1000 }],
      checkpoint: { dir: join(dir, 'checkpoints') },
      server: { port: false },
    },
    { dir: REPO },
  )
  pipeline = new Pipeline(config, { logger: createLogger({ level: 'silent' }), from: 0n })
  await pipeline.start()
})

afterAll(async () => {
  stream?.cancel()
  client?.close()
  await pipeline?.stop()
  await devnet?.stop()
  if (dir) await rm(dir, { recursive: true, force: true })
})

let port: number

describe('on a devnet pipeline with a reorg', () => {
  it('every snapshot equals the fold of the stream, and pool state equals the contract at that block', async () => {
    client = dataplaneClient(`127.0.0.1:${port}`)
    stream = client.StreamFeatures({ fromBlock: '0', blockEnds: true })
    stream.on('data', (e: WireEvent) => events.push(e))
    let failure: unknown
    stream.on('error', (error) => {
      failure = error
    })
    const firstHead = await caughtUp()
    await devnet.reorg(3)
    await devnet.traffic({ seed: 6, swaps: 18, txPerBlock: 6 })
    const head = await caughtUp()
    expect(head).toBeGreaterThan(firstHead - 3n)
    const retractions = events.filter((e) => e.event === 'retraction')
    expect(retractions).toHaveLength(1)
    expect(retractions[0]!.retraction!.ids.length).toBeGreaterThan(0)
    expect(failure).toBeUndefined()
    const held: Pick<Feature, 'id' | 'kind' | 'address' | 'blockNumber'>[] = []
    for (const e of events) {
      if (e.event === 'feature') {
        const f = e.feature
        held.push({
          id: f.id,
          kind: f.kind,
          address: `0x${f.address.toString('hex')}`,
          blockNumber: BigInt(f.blockNumber),
        })
      } else if (e.event === 'retraction') {
        const gone = new Set(e.retraction!.ids)
        for (let i = held.length - 1; i >= 0; i--) if (gone.has(held[i]!.id)) held.splice(i, 1)
      }
    }
    const pools = held.filter((f) => f.kind === 'amm.pool' || f.kind === 'gas.block')
    expect(pools.length).toBeGreaterThan(0)
    let checkedPools = 0
    for (let n = 0n; n <= head; n++) {
      // biome-ignore lint/suspicious/noExplicitAny: decoded message
      const snap = await unary<{ block: { number: string }; features: any[] }>(client, 'GetSnapshot', {
        chain: 'devnet',
        block: n.toString(),
      })
      expect(
        snap.features.map((f) => f.id),
        `block ${n}`,
      ).toEqual(fold(pools, n))
      if (n % 4n !== 0n && n !== head) continue
      for (const f of snap.features.filter((x) => x.kind === 'amm.pool')) {
        const address = `0x${f.address.toString('hex')}` as `0x${string}`
        const [slot0, liquidity] = await Promise.all([
          devnet.publicClient.readContract({ address, abi: POOL_ABI, functionName: 'slot0', blockNumber: n }),
          devnet.publicClient.readContract({ address, abi: POOL_ABI, functionName: 'liquidity', blockNumber: n }),
        ])
        expect(f.ammPool.sqrtPriceX96).toBe(slot0[0].toString())
        expect(f.ammPool.liquidity).toBe(liquidity.toString())
        checkedPools++
      }
    }
    expect(checkedPools).toBeGreaterThan(0)
  })
})
