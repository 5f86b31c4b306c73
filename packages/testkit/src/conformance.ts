import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  type BlockRef,
  type ChainInfo,
  type Feature,
  type FeatureBatch,
  KNOWN_CHAINS,
  type Retraction,
  type Sink,
} from '@qenus/core'
import { afterEach, describe, expect, it } from 'vitest'
import { makeFeatureBatches } from './features.js'

/** What a sink package's `create` gets: a place that survives a simulated restart within one test. */
export interface SinkConformanceContext {
  /** A fresh temp folder for this test, removed after it; the same for every `create` of the test. */
  dir: string
  /** A name unique to this test, e.g. for a Kafka topic prefix. */
  id: string
}

/** A sink under test and an independent way to read its feed back. */
export interface SinkUnderTest {
  /** The sink, not yet started. */
  sink: Sink
  /**
   * Reads everything the feed holds for this context with a reader independent of the sink (a
   * file parser, kcat, DuckDB): features in the order a consumer sees them, and retracted ids.
   */
  readBack(): Promise<{ features: Feature[]; retractedIds: string[] }>
}

/** Options of {@link describeSinkConformance}. */
export interface SinkConformanceOptions {
  /** Suite name, e.g. the package name. */
  name: string
  /** Builds a sink on the context; called again within one test to simulate a restart. */
  create(ctx: SinkConformanceContext): Promise<SinkUnderTest>
  /**
   * The scope within which the feed keeps order: Kafka keeps it per key (`chainId:address`).
   * @default per chain
   */
  orderScope?: ((feature: Feature) => string) | undefined
}

const CHAIN_A: ChainInfo = KNOWN_CHAINS['devnet']!
const CHAIN_B: ChainInfo = { ...KNOWN_CHAINS['devnet']!, name: 'devnet-b', chainId: 31338 }

const sortKey = (f: Feature) => [f.blockNumber, BigInt(f.logIndex ?? -1)] as const

/**
 * Registers the sink conformance suite with vitest. Every sink package runs it on itself:
 * order per chain, retractions after a revert, idempotent replay after a restart, and flush on
 * shutdown, all checked through the package's independent `readBack`.
 *
 * @example
 * ```ts
 * import { describeSinkConformance } from '@qenus/testkit'
 * describeSinkConformance({
 *   name: '@qenus/sink-parquet',
 *   create: async ({ dir }) => ({ sink: new ParquetSink({ dir }), readBack: () => readWithDuckDb(dir) }),
 * })
 * ```
 */
export function describeSinkConformance(options: SinkConformanceOptions): void {
  const scope = options.orderScope ?? ((f: Feature) => String(f.chainId))
  describe(`sink conformance: ${options.name}`, () => {
    const dirs: string[] = []
    afterEach(async () => {
      await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
    })
    const context = async (): Promise<SinkConformanceContext> => {
      const dir = await mkdtemp(join(tmpdir(), 'qenus-sink-conformance-'))
      dirs.push(dir)
      return {
        dir,
        id: `conformance-${dir
          .slice(-6)
          .toLowerCase()
          .replace(/[^a-z0-9]/g, 'x')}`,
      }
    }
    const open = async (ctx: SinkConformanceContext, resume: ReadonlyMap<string, BlockRef> = new Map()) => {
      const under = await options.create(ctx)
      await under.sink.start?.({ chains: new Set([CHAIN_A.name, CHAIN_B.name]), resume })
      return under
    }

    it('keeps block then log order per chain', async () => {
      const { sink, readBack } = await open(await context())
      const a = makeFeatureBatches({ chain: CHAIN_A, fromBlock: 100n, blocks: 4, perBlock: 5, seed: 1 })
      const b = makeFeatureBatches({ chain: CHAIN_B, fromBlock: 7000n, blocks: 4, perBlock: 5, seed: 2 })
      for (let i = 0; i < a.length; i++) {
        await sink.write(a[i]!)
        await sink.write(b[i]!)
      }
      await sink.flush()
      await sink.close?.()
      const { features } = await readBack()
      expectSameFeatures(features, [...a, ...b])
      const groups = new Map<string, Feature[]>()
      for (const f of features) groups.set(scope(f), [...(groups.get(scope(f)) ?? []), f])
      for (const [key, group] of groups) {
        const sorted = [...group].sort((x, y) => compare(sortKey(x), sortKey(y)))
        expect(
          group.map((f) => f.id),
          `order within ${key}`,
        ).toEqual(sorted.map((f) => f.id))
      }
    })

    it('sends a retraction for every feature of reverted blocks', async () => {
      const { sink, readBack } = await open(await context())
      const batches = makeFeatureBatches({ chain: CHAIN_A, fromBlock: 500n, blocks: 3, perBlock: 3, seed: 3 })
      for (const batch of batches) await sink.write(batch)
      await sink.revert(retractionOf(batches, 1))
      const replacement = makeFeatureBatches({
        chain: CHAIN_A,
        fromBlock: 501n,
        blocks: 2,
        perBlock: 2,
        seed: 4,
        branch: 1,
      })
      for (const batch of replacement) await sink.write(batch)
      await sink.flush()
      await sink.close?.()
      const { features, retractedIds } = await readBack()
      const withdrawn = batches.slice(1).flatMap((b) => b.features.map((f) => f.id))
      expect(new Set(retractedIds)).toEqual(new Set(withdrawn))
      const ids = new Set(features.map((f) => f.id))
      for (const f of [...batches[0]!.features, ...replacement.flatMap((b) => b.features)]) expect(ids).toContain(f.id)
    })

    it('yields the same ids when blocks are written again after a restart', async () => {
      const ctx = await context()
      const batches = makeFeatureBatches({ chain: CHAIN_A, fromBlock: 900n, blocks: 3, perBlock: 4, seed: 5 })
      const first = await open(ctx)
      for (const batch of batches) await first.sink.write(batch)
      await first.sink.flush()
      await first.sink.close?.()
      // A crash before the checkpoint of the last two blocks was committed: the pipeline resumes
      // after the first block and writes the others again, rebuilt from scratch.
      const second = await open(ctx, new Map([[CHAIN_A.name, batches[0]!.block]]))
      const again = makeFeatureBatches({ chain: CHAIN_A, fromBlock: 900n, blocks: 3, perBlock: 4, seed: 5 })
      for (const batch of again.slice(1)) await second.sink.write(batch)
      await second.sink.flush()
      await second.sink.close?.()
      const { features } = await second.readBack()
      const deduped = [...new Map(features.map((f) => [f.id, f])).values()]
      expectSameFeatures(deduped, batches)
    })

    it('makes everything written before close() readable after it', async () => {
      const { sink, readBack } = await open(await context())
      const batches = makeFeatureBatches({ chain: CHAIN_A, fromBlock: 1200n, blocks: 5, perBlock: 3, seed: 6 })
      for (const batch of batches) await sink.write(batch)
      await (sink.close ? sink.close() : sink.flush())
      const { features } = await readBack()
      expectSameFeatures(features, batches)
    })
  })
}

/** The retraction the runtime sends when blocks from index `from` of `batches` are reverted. */
export function retractionOf(batches: FeatureBatch[], from: number): Retraction {
  const reverted = batches.slice(from).reverse()
  return {
    chain: batches[0]!.chain,
    to: batches[from - 1]!.block,
    reverted: reverted.map((b) => b.block),
    ids: reverted.flatMap((b) => b.features.map((f) => f.id).reverse()),
    features: reverted.flatMap((b) => b.features.map(({ id, kind, address }) => ({ id, kind, address })).reverse()),
  }
}

function expectSameFeatures(actual: Feature[], batches: FeatureBatch[]) {
  const expected = batches.flatMap((b) => b.features)
  expect(actual).toHaveLength(expected.length)
  const byId = new Map(actual.map((f) => [f.id, f]))
  // Deep equality with bigints: the feed must be wei-exact, not merely parseable.
  for (const f of expected) expect(byId.get(f.id), `feature ${f.id}`).toEqual(f)
}

function compare(a: readonly bigint[], b: readonly bigint[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1
  return 0
}
