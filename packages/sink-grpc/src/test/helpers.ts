import * as grpc from '@grpc/grpc-js'
import { loadSync } from '@grpc/proto-loader'
import {
  type BlockRef,
  type ChainInfo,
  ChainRegistry,
  createLogger,
  type Feature,
  type FeatureBatch,
  featureId,
  type Hex,
  InMemoryFeatureStore,
  KNOWN_CHAINS,
  Metrics,
  protoIncludeDirs,
  type Retraction,
} from '@qenus/core'
import { fakeBlockHash, Prng } from '@qenus/testkit'
import { grpcSinkOptions } from '../grpc/options.js'
import { DATAPLANE_PROTO } from '../grpc/proto.js'
import { GrpcSink } from '../grpc/sink.js'

export const DEVNET = KNOWN_CHAINS.devnet as ChainInfo

/** A pool address from a number. */
export const poolAddress = (n: number): Hex => `0x${n.toString(16).padStart(40, '0')}`

/** An `amm.pool` feature with exact big reserves that change every block. */
export function poolFeature(chain: ChainInfo, block: BlockRef, pool: Hex, logIndex: number, seed: bigint): Feature {
  return {
    id: featureId({ chainId: chain.chainId, blockHash: block.hash, logIndex, kind: 'amm.pool', discriminator: pool }),
    kind: 'amm.pool',
    chainId: chain.chainId,
    chain: chain.name,
    blockNumber: block.number,
    blockHash: block.hash,
    blockTimestamp: 1_700_000_000n + block.number * 12n,
    logIndex,
    protocol: 'uniswap-v3',
    address: pool,
    data: {
      pool,
      tokens: [poolAddress(0xa0), poolAddress(0xb0)],
      reserves: [2n ** 200n + seed, 10n ** 30n + block.number],
      fee: 500,
      price: `${block.number}.${seed}`,
      sqrtPriceX96: 2n ** 96n + seed,
      tick: -1000 + Number(seed % 100n),
      liquidity: 2n ** 127n + seed,
      depth: [{ bps: 10, amount0In: seed + 1n, amount1In: seed + 2n }],
    },
  }
}

/** A `gas.block` feature. */
export function gasFeature(chain: ChainInfo, block: BlockRef): Feature {
  return {
    id: featureId({ chainId: chain.chainId, blockHash: block.hash, kind: 'gas.block', discriminator: '' }),
    kind: 'gas.block',
    chainId: chain.chainId,
    chain: chain.name,
    blockNumber: block.number,
    blockHash: block.hash,
    blockTimestamp: 1_700_000_000n + block.number * 12n,
    protocol: chain.name,
    address: '0x0000000000000000000000000000000000000000',
    data: {
      baseFeePerGas: 10n ** 9n + block.number,
      nextBaseFeePerGas: 10n ** 9n + block.number + 1n,
      gasUsed: 15_000_000n,
      gasLimit: 30_000_000n,
      priorityFeeP10: 1n,
      priorityFeeP50: 2n,
      priorityFeeP90: 3n,
    },
  }
}

/** An `opportunity` feature. */
export function opportunityFeature(chain: ChainInfo, block: BlockRef, logIndex: number): Feature {
  return {
    id: featureId({ chainId: chain.chainId, blockHash: block.hash, kind: 'opportunity', discriminator: `${logIndex}` }),
    kind: 'opportunity',
    chainId: chain.chainId,
    chain: chain.name,
    blockNumber: block.number,
    blockHash: block.hash,
    blockTimestamp: 1_700_000_000n + block.number * 12n,
    protocol: 'arbitrage',
    address: poolAddress(1),
    data: {
      type: 'cross-venue',
      legs: [],
      quoteAsset: poolAddress(0xa0),
      grossProfit: 10n ** 20n,
      costs: { gas: 1n, fees: 2n, bridge: 0n, flashPremium: 0n },
      netProfit: 10n ** 20n - 3n,
      netProfitUsd: '250.5',
      confidence: 0.5,
      validUntilBlock: block.number + 2n,
    },
  }
}

/**
 * Consecutive blocks on one branch: each touches `perBlock` of `pools` pools (seeded), has one
 * gas record, and every fifth block an opportunity.
 */
export function stateBatches(
  chain: ChainInfo,
  from: bigint,
  count: number,
  options: { pools?: number; perBlock?: number; branch?: number; seed?: number } = {},
): FeatureBatch[] {
  const { pools = 8, perBlock = 3, branch = 0, seed = 1 } = options
  const prng = new Prng(seed + branch * 1000)
  return Array.from({ length: count }, (_, i) => {
    const number = from + BigInt(i)
    const block = { number, hash: fakeBlockHash(chain.chainId, number, branch) }
    const touched = new Set<number>()
    while (touched.size < Math.min(perBlock, pools)) touched.add(prng.int(1, pools))
    const features = [...touched]
      .sort((a, b) => a - b)
      .map((p, j) => poolFeature(chain, block, poolAddress(p), j, BigInt(prng.int(1, 1_000_000))))
    features.push(gasFeature(chain, block))
    if (number % 5n === 0n) features.push(opportunityFeature(chain, block, features.length))
    return { chain, block, timestamp: 1_700_000_000n + number * 12n, features }
  })
}

/** A started sink over its own store, and the two calls the runtime makes for every block. */
export interface SinkHarness {
  sink: GrpcSink
  store: InMemoryFeatureStore
  metrics: Metrics
  /** Applies the block to the store, then writes it to the sink, as a lane does. */
  push(batch: FeatureBatch): Promise<void>
  /** Reverts the store to `to`, then hands the retraction to the sink. */
  revert(chain: ChainInfo, to: BlockRef, reverted: BlockRef[]): Promise<Retraction>
}

/** Starts a sink on a free loopback port. */
export async function startSink(options: Record<string, unknown> = {}, chains = ['devnet']): Promise<SinkHarness> {
  const store = new InMemoryFeatureStore({ retainBlocks: 64 })
  const metrics = new Metrics()
  const parsed = grpcSinkOptions.parse({ port: 0, ...options })
  const sink = new GrpcSink(parsed, store, createLogger({ level: 'silent' }), metrics, new ChainRegistry())
  await sink.start({ chains: new Set(chains), resume: new Map() })
  return {
    sink,
    store,
    metrics,
    push: async (batch) => {
      store.apply(batch)
      await sink.write(batch)
    },
    revert: async (chain, to, reverted) => {
      const ids = store.revert(chain.chainId, to)
      const retraction = { chain, to, reverted, ids }
      await sink.revert(retraction)
      return retraction
    },
  }
}

// biome-ignore lint/suspicious/noExplicitAny: proto-loader clients are untyped
export type DataplaneClient = any

/** A grpc-js client of `qenus.v1.Dataplane`, built from the `.proto` with proto-loader. */
export function dataplaneClient(
  target: string,
  credentials = grpc.credentials.createInsecure(),
  options: grpc.ChannelOptions = {},
): DataplaneClient {
  const definition = loadSync(DATAPLANE_PROTO, {
    includeDirs: protoIncludeDirs(),
    longs: String,
    oneofs: true,
    arrays: true,
  })
  // biome-ignore lint/suspicious/noExplicitAny: generated namespace
  const Dataplane = (grpc.loadPackageDefinition(definition) as any).qenus.v1.Dataplane
  // Own connection per client: grpc-js would otherwise share one between clients of equal options.
  return new Dataplane(target, credentials, { 'grpc.use_local_subchannel_pool': 1, ...options })
}

/** Promisifies a unary call. */
export function unary<T>(client: DataplaneClient, method: string, request: object, metadata = new grpc.Metadata()) {
  return new Promise<T>((resolve, reject) =>
    client[method](request, metadata, (error: grpc.ServiceError | null, response: T) =>
      error ? reject(error) : resolve(response),
    ),
  )
}

/** The decoded `FeatureEvent`s of a stream until it ends, and its final status. */
export function collect(
  stream: grpc.ClientReadableStream<WireEvent>,
): Promise<{ events: WireEvent[]; error?: grpc.ServiceError }> {
  const events: WireEvent[] = []
  return new Promise((resolve) => {
    stream.on('data', (event: WireEvent) => events.push(event))
    stream.on('error', (error: grpc.ServiceError) => resolve({ events, error }))
    stream.on('end', () => resolve({ events }))
  })
}

/** A `FeatureEvent` as proto-loader decodes it (64-bit integers as decimal strings, bytes as Buffers). */
export interface WireEvent {
  event: 'feature' | 'retraction' | 'blockEnd'
  // biome-ignore lint/suspicious/noExplicitAny: decoded message
  feature?: any
  retraction?: { chain: string; to: { number: string }; ids: string[] }
  blockEnd?: { chain: string; block: { number: string } }
}

/** Waits until `check` holds, polling. */
export async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

/** The store's fold: the latest feature per `${kind}:${address}` of `features` (in order) up to `block`. */
export function fold(features: { kind: string; address: string; blockNumber: bigint; id: string }[], block: bigint) {
  const latest = new Map<string, string>()
  for (const f of features) if (f.blockNumber <= block) latest.set(`${f.kind}:${f.address}`, f.id)
  return [...latest].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, id]) => id)
}
