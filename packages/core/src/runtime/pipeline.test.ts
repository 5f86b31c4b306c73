import 'reflect-metadata'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inject } from 'tsyringe'
import { type Hex, keccak256, toHex } from 'viem'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import type { ResolvedComponent, ResolvedConfig, Selector } from '../config/types.js'
import type { BlockHeader, BlockRef, ChainEvent, ChainReader, Log, LogFilter } from '../contracts/chain.js'
import type { Detector, DetectorContext } from '../contracts/detector.js'
import type { BlockContext, Extractor, RevertContext } from '../contracts/extractor.js'
import type { FeatureBatch, Retraction, Sink } from '../contracts/sink.js'
import type { Source, StreamRequest } from '../contracts/source.js'
import { ChainToken, ContextToken, OptionsToken } from '../di/tokens.js'
import { FatalError, RetryableError } from '../errors.js'
import type { HealthReport } from '../observability/health.js'
import { createLogger } from '../observability/logger.js'
import { defineDetector, defineExtractor, defineSink, defineSource } from '../plugin/define.js'
import type { ChainInfo } from '../schema/chains.js'
import { type Feature, featureId } from '../schema/feature.js'
import { type Checkpoint, FileCheckpointStore } from './checkpoint.js'
import type { ComponentContext } from './context.js'
import { Pipeline, type PipelineOptions } from './pipeline.js'
import { installSignalHandlers } from './signals.js'

// ---------------------------------------------------------------- a scripted chain and its source

const chainInfo = (name: string, chainId: number): ChainInfo => ({
  name,
  chainId,
  blockTimeMs: 1_000,
  finalityDepth: 8,
  family: 'devnet',
  hasBlobs: false,
})

const POOL_A = '0x00000000000000000000000000000000000000a1' as Hex
const POOL_B = '0x00000000000000000000000000000000000000b2' as Hex
const SWAP = keccak256(toHex('Swap()'))
const OTHER = keccak256(toHex('Other()'))

/** A chain whose blocks the test mines and reorganises; its source streams them like a real one. */
class ScriptedChain {
  readonly blocks: BlockHeader[] = []
  readonly logs = new Map<Hex, Log[]>()
  readonly requests: StreamRequest[] = []
  pulled = 0
  #fork = 0
  #wake: (() => void)[] = []
  failAt: { block: bigint; error: () => Error } | undefined

  constructor(readonly info: ChainInfo) {}

  get tip(): BlockHeader | undefined {
    return this.blocks.at(-1)
  }

  /** Appends `count` blocks; each holds a swap on pool A, an unrelated log, and a swap on pool B. */
  mine(count: number): void {
    for (let i = 0; i < count; i++) {
      const number = BigInt(this.blocks.length + 1)
      const parentHash = this.tip?.hash ?? keccak256(toHex(`${this.info.name}:genesis`))
      const hash = keccak256(toHex(`${this.info.name}:${number}:${this.#fork}`))
      const header = { number, hash, parentHash, timestamp: 1_700_000_000n + number, gasUsed: 1n, gasLimit: 2n }
      this.blocks.push(header)
      const log = (logIndex: number, address: Hex, topic: Hex): Log => ({
        address,
        topics: [topic],
        data: '0x',
        blockNumber: number,
        blockHash: hash,
        transactionHash: keccak256(toHex(`${hash}:${logIndex}`)),
        transactionIndex: logIndex,
        logIndex,
      })
      this.logs.set(hash, [log(0, POOL_B, SWAP), log(1, POOL_A, OTHER), log(2, POOL_A, SWAP), log(3, POOL_B, SWAP)])
    }
    this.#notify()
  }

  /** Replaces the last `depth` blocks with new ones. */
  reorg(depth: number): void {
    this.blocks.splice(this.blocks.length - depth)
    this.#fork++
    this.mine(depth)
  }

  async *stream(request: StreamRequest): AsyncGenerator<ChainEvent> {
    this.requests.push(request)
    const emitted: BlockRef[] = [...(request.resume ?? [])]
    let next = emitted.length ? emitted.at(-1)!.number + 1n : (request.from as bigint)
    while (!request.signal.aborted) {
      const last = emitted.at(-1)
      if (last && this.blocks[Number(last.number) - 1]?.hash !== last.hash) {
        const ancestor = emitted.findLast((ref) => this.blocks[Number(ref.number) - 1]?.hash === ref.hash)!
        const reverted = emitted.filter((ref) => ref.number > ancestor.number).reverse()
        emitted.splice(emitted.indexOf(ancestor) + 1)
        next = ancestor.number + 1n
        this.pulled++
        yield { type: 'revert', chain: request.chain, to: ancestor, reverted }
        continue
      }
      if (request.to !== undefined && next > request.to) return
      const header = this.blocks[Number(next) - 1]
      if (!header) {
        await new Promise<void>((resolve) => {
          this.#wake.push(resolve)
          request.signal.addEventListener('abort', () => resolve(), { once: true })
        })
        continue
      }
      if (this.failAt && this.failAt.block === header.number) {
        const { error } = this.failAt
        this.failAt = undefined
        throw error()
      }
      const match = (log: Log) => request.filters.some((filter) => wants(filter, log))
      this.pulled++
      yield { type: 'block', chain: request.chain, header, logs: this.logs.get(header.hash)!.filter(match) }
      emitted.push({ number: header.number, hash: header.hash })
      next++
    }
  }

  #notify(): void {
    for (const wake of this.#wake.splice(0)) wake()
  }
}

/** The source's own server-side filtering, written independently of util/filter.ts. */
const wants = (filter: LogFilter, log: Log): boolean => {
  const addresses = filter.address === undefined ? [] : [filter.address].flat()
  if (addresses.length > 0 && !addresses.includes(log.address)) return false
  return (filter.topics ?? []).every((topic, i) => topic === null || [topic].flat().includes(log.topics[i]))
}

const noReads = (block: BlockRef): ChainReader => ({
  block,
  call: () => Promise.reject(new Error('no reads in this test')),
  readContract: () => Promise.reject(new Error('no reads in this test')),
  multicall: () => Promise.reject(new Error('no reads in this test')),
})

class ScriptedSource implements Source {
  closed = false
  constructor(
    @inject(OptionsToken) readonly options: { chains: Map<string, ScriptedChain> },
    @inject(ChainToken) readonly chain: ChainInfo,
  ) {}
  get #scripted(): ScriptedChain {
    return this.options.chains.get(this.chain.name)!
  }
  stream(request: StreamRequest): AsyncIterable<ChainEvent> {
    return this.#scripted.stream(request)
  }
  reader(block: BlockRef): ChainReader {
    return noReads(block)
  }
  async head(): Promise<bigint> {
    return this.#scripted.tip?.number ?? 0n
  }
  health(): Record<string, unknown> {
    return { providers: [{ url: 'http://provider.example/key-123', state: 'ok' }], pulled: this.#scripted.pulled }
  }
  async close(): Promise<void> {
    this.closed = true
  }
}

// ---------------------------------------------------------------- extractors, detector, sinks

interface Recorder {
  extractorBlocks: Map<string, { block: bigint; logs: number[] }[]>
  extractorReverts: Map<string, RevertContext[]>
  initBlocks: Map<string, bigint>
  detectorSaw: { chain: string; block: bigint; kinds: string[]; storeHead: bigint | undefined }[]
  closed: string[]
  contexts: ComponentContext[]
  failures: Map<string, { atBlock: bigint; error: () => Error; times: number }>
}

const recorder = (): Recorder => ({
  extractorBlocks: new Map(),
  extractorReverts: new Map(),
  initBlocks: new Map(),
  detectorSaw: [],
  closed: [],
  contexts: [],
  failures: new Map(),
})

const feature = (context: BlockContext, kind: Feature['kind'], address: Hex, log?: Log): Feature =>
  ({
    id: featureId({
      chainId: context.chain.chainId,
      blockHash: context.header.hash,
      logIndex: log?.logIndex,
      kind,
      discriminator: address,
    }),
    kind,
    chainId: context.chain.chainId,
    chain: context.chain.name,
    blockNumber: context.header.number,
    blockHash: context.header.hash,
    blockTimestamp: context.header.timestamp,
    logIndex: log?.logIndex,
    protocol: 'test',
    address,
    data: {},
  }) as Feature

/** One swap feature per log of its pool, then one gas feature for the block (no log index). */
class PoolExtractor implements Extractor {
  constructor(
    @inject(OptionsToken) readonly options: { pool: Hex; record: Recorder },
    @inject(ContextToken) readonly context: ComponentContext,
  ) {
    options.record.contexts.push(context)
  }
  get #key(): string {
    return `${this.context.chain?.name}/${this.context.id}`
  }
  logFilters(): LogFilter[] {
    return [{ address: this.options.pool, topics: [SWAP] }]
  }
  async init(chain: ChainInfo, reader: ChainReader): Promise<void> {
    this.options.record.initBlocks.set(`${chain.name}/${this.context.id}`, reader.block.number)
  }
  onBlock(context: BlockContext): Feature[] {
    const failure = this.options.record.failures.get(this.#key)
    if (failure && failure.atBlock === context.header.number && failure.times > 0) {
      failure.times--
      throw failure.error()
    }
    const seen = this.options.record.extractorBlocks.get(this.#key) ?? []
    seen.push({ block: context.header.number, logs: context.logs.map((log) => log.logIndex) })
    this.options.record.extractorBlocks.set(this.#key, seen)
    const swaps = context.logs.map((log) => feature(context, 'amm.swap', this.options.pool, log))
    return [...swaps, feature(context, 'gas.block', this.options.pool)]
  }
  onRevert(context: RevertContext): void {
    const seen = this.options.record.extractorReverts.get(this.#key) ?? []
    this.options.record.extractorReverts.set(this.#key, [...seen, context])
  }
  async close(): Promise<void> {
    this.options.record.closed.push(`extractor ${this.#key}`)
  }
}

/** Emits one opportunity per block with at least two swaps. */
class PairDetector implements Detector {
  constructor(@inject(OptionsToken) readonly options: { record: Recorder }) {}
  onBlock(context: DetectorContext): Feature[] {
    const { header, chain, features, store } = context
    const storeHead = store.head(chain.chainId)?.number
    this.options.record.detectorSaw.push({
      chain: chain.name,
      block: header.number,
      kinds: features.map((f) => f.kind),
      storeHead,
    })
    if (features.length < 2) return []
    const ctx = { chain, header, logs: [], reader: context.reader }
    return [feature(ctx, 'opportunity', '0x00000000000000000000000000000000000000ff')]
  }
  async close(): Promise<void> {
    this.options.record.closed.push('detector')
  }
}

/** A gate a test opens to let stalled writes through. */
class Gate {
  #open = true
  #waiters: (() => void)[] = []
  close(): void {
    this.#open = false
  }
  open(): void {
    this.#open = true
    for (const wake of this.#waiters.splice(0)) wake()
  }
  wait(): Promise<void> {
    return this.#open ? Promise.resolve() : new Promise((resolve) => this.#waiters.push(resolve))
  }
}

/** Keeps what it was given; `flush` makes the written batches durable. */
class RecordingSink implements Sink {
  readonly batches: FeatureBatch[] = []
  readonly retractions: Retraction[] = []
  readonly log: string[] = []
  /** Per chain, the newest block made durable by a flush. */
  readonly durable = new Map<string, bigint>()
  readonly written = new Map<string, bigint>()
  startedWith: ReadonlyMap<string, BlockRef> | undefined
  closed = false
  constructor(@inject(OptionsToken) readonly options: { gate?: Gate; writeDelayMs?: number; sinks: RecordingSink[] }) {
    options.sinks.push(this)
  }
  async start(context: { resume: ReadonlyMap<string, BlockRef> }): Promise<void> {
    this.startedWith = context.resume
  }
  async write(batch: FeatureBatch): Promise<void> {
    await this.options.gate?.wait()
    if (this.options.writeDelayMs) await new Promise((resolve) => setTimeout(resolve, this.options.writeDelayMs))
    this.batches.push(batch)
    this.written.set(batch.chain.name, batch.block.number)
    this.log.push(`write ${batch.chain.name} ${batch.block.number}`)
  }
  async revert(retraction: Retraction): Promise<void> {
    this.retractions.push(retraction)
    this.written.set(retraction.chain.name, retraction.to.number)
    this.log.push(`revert ${retraction.chain.name} ${retraction.to.number}`)
  }
  async flush(): Promise<void> {
    for (const [chain, block] of this.written) this.durable.set(chain, block)
    this.log.push('flush')
  }
  async close(): Promise<void> {
    this.closed = true
  }
  blocks(chain: string): bigint[] {
    return this.batches.filter((batch) => batch.chain.name === chain).map((batch) => batch.block.number)
  }
}

/** The real file store, with a look at every sink each time a checkpoint is committed. */
class ObservedCheckpointStore extends FileCheckpointStore {
  readonly saved: { checkpoint: Checkpoint; durable: (bigint | undefined)[] }[] = []
  constructor(
    dir: string,
    readonly sinks: RecordingSink[],
  ) {
    super(dir)
  }
  override async save(checkpoint: Checkpoint): Promise<void> {
    this.saved.push({ checkpoint, durable: this.sinks.map((sink) => sink.durable.get(checkpoint.chain)) })
    await super.save(checkpoint)
  }
}

// ---------------------------------------------------------------- config wiring

const sourceDef = defineSource({
  name: 'scripted',
  summary: 'test',
  stability: 'experimental',
  options: z.any(),
  component: ScriptedSource,
})
const extractorDef = defineExtractor({
  name: 'pool',
  summary: 'test',
  stability: 'experimental',
  options: z.any(),
  component: PoolExtractor,
})
const detectorDef = defineDetector({
  name: 'pair',
  summary: 'test',
  stability: 'experimental',
  options: z.any(),
  component: PairDetector,
})
const sinkDef = defineSink({
  name: 'recording',
  summary: 'test',
  stability: 'experimental',
  options: z.any(),
  component: RecordingSink,
})

interface World {
  chains: Map<string, ScriptedChain>
  record: Recorder
  sinks: RecordingSink[]
  dir: string
}

const world = async (...chains: ScriptedChain[]): Promise<World> => ({
  chains: new Map(chains.map((chain) => [chain.info.name, chain])),
  record: recorder(),
  sinks: [],
  dir: await mkdtemp(join(tmpdir(), 'qenus-pipeline-')),
})

const component = <R extends 'source' | 'extractor' | 'detector' | 'sink'>(
  definition: ResolvedComponent<R>['definition'],
  id: string,
  path: string,
  options: unknown,
  extra: { chains?: string[]; select?: Selector } = {},
): ResolvedComponent<R> =>
  ({
    role: definition.role,
    id,
    use: './test',
    plugin: 'test',
    definition,
    options,
    path,
    ...extra,
  }) as ResolvedComponent<R>

interface Setup {
  sinks?: { id: string; select?: Selector; gate?: Gate; writeDelayMs?: number }[]
  queue?: number
  everyBlocks?: number
  detector?: boolean
  server?: boolean
}

const configOf = (w: World, setup: Setup = {}): ResolvedConfig => ({
  file: '<embedded>',
  dir: w.dir,
  name: 'test',
  chains: [...w.chains.values()].map((chain) => ({
    info: chain.info,
    finality: chain.info.finalityDepth,
    source: component(sourceDef, 'scripted', `chains.${chain.info.name}.source`, { chains: w.chains }),
  })),
  extractors: [
    component(extractorDef, 'pool-a', 'extractors[0]', { pool: POOL_A, record: w.record }),
    component(extractorDef, 'pool-b', 'extractors[1]', { pool: POOL_B, record: w.record }),
  ],
  detectors: setup.detector
    ? [component(detectorDef, 'pair', 'detectors[0]', { record: w.record }, { select: { kinds: ['amm.*'] } })]
    : [],
  sinks: (setup.sinks ?? [{ id: 'all' }]).map((sink, i) =>
    component(
      sinkDef,
      sink.id,
      `sinks[${i}]`,
      { gate: sink.gate, writeDelayMs: sink.writeDelayMs, sinks: w.sinks },
      { select: sink.select },
    ),
  ),
  checkpoint: { dir: join(w.dir, 'checkpoints'), everyBlocks: setup.everyBlocks ?? 1, everyMs: 60_000 },
  queue: { maxBlocks: setup.queue ?? 16 },
  server: { host: '127.0.0.1', port: setup.server ? 0 : false },
  log: { level: 'silent' },
})

const pipelineOf = (w: World, setup: Setup = {}, options: PipelineOptions = {}) => {
  const checkpointStore = new ObservedCheckpointStore(join(w.dir, 'checkpoints'), w.sinks)
  const pipeline = new Pipeline(configOf(w, setup), {
    logger: createLogger({ level: 'silent' }),
    checkpointStore,
    retry: { minDelayMs: 1, maxDelayMs: 5 },
    ...options,
  })
  return { pipeline, checkpointStore }
}

const until = async (condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/** One sample of a Prometheus text exposition, whatever the order of its labels. */
const sample = (text: string, name: string, labels: Record<string, string>): number | undefined => {
  const wanted = Object.entries({ ...labels, pipeline: 'test' }).map(([key, value]) => `${key}="${value}"`)
  const line = text.split('\n').find((row) => {
    const match = /^([^{ ]+)\{([^}]*)\} /.exec(row)
    return match?.[1] === name && match[2].split(',').sort().join(',') === [...wanted].sort().join(',')
  })
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1))
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => BigInt(from + i))

// ---------------------------------------------------------------- tests

describe('Pipeline', () => {
  it('keeps block order, log order within a block, and gives each extractor only its logs', async () => {
    const alpha = new ScriptedChain(chainInfo('alpha', 9001))
    alpha.mine(12)
    const w = await world(alpha)
    const { pipeline } = pipelineOf(
      w,
      { detector: true, sinks: [{ id: 'all' }, { id: 'gas', select: { kinds: ['gas.*'] } }] },
      { from: 3n, to: 12n },
    )
    await pipeline.start()
    await pipeline.done
    const [all, gas] = w.sinks
    expect(all.blocks('alpha')).toEqual(range(3, 12))
    expect(gas.blocks('alpha')).toEqual(range(3, 12))
    // The scripted logs: 0 swap B, 1 other A, 2 swap A, 3 swap B. Pool A's extractor runs first.
    expect(w.record.extractorBlocks.get('alpha/pool-a')!.map((b) => b.logs)).toEqual(range(3, 12).map(() => [2]))
    expect(w.record.extractorBlocks.get('alpha/pool-b')!.map((b) => b.logs)).toEqual(range(3, 12).map(() => [0, 3]))
    for (const batch of all.batches) {
      expect(batch.features.map((f) => `${f.kind}:${f.logIndex ?? '-'}:${f.address.slice(-2)}`)).toEqual([
        'amm.swap:0:b2',
        'amm.swap:2:a1',
        'amm.swap:3:b2',
        'gas.block:-:a1',
        'gas.block:-:b2',
        'opportunity:-:ff',
      ])
      expect(batch.features.every((f) => f.blockNumber === batch.block.number)).toBe(true)
    }
    expect(gas.batches.flatMap((batch) => batch.features.map((f) => f.kind))).toEqual(
      range(3, 12).flatMap(() => ['gas.block', 'gas.block']),
    )
    // The detector sees only what its select passes, and the store as of the previous block.
    expect(w.record.detectorSaw[0]).toEqual({
      chain: 'alpha',
      block: 3n,
      kinds: ['amm.swap', 'amm.swap', 'amm.swap'],
      storeHead: undefined,
    })
    expect(w.record.detectorSaw[1].storeHead).toBe(3n)
    // init gets a reader at the parent of the first block.
    expect(w.record.initBlocks.get('alpha/pool-a')).toBe(2n)
    expect(alpha.requests[0].filters).toEqual([
      { address: POOL_A, topics: [SWAP] },
      { address: POOL_B, topics: [SWAP] },
    ])
    expect(w.record.contexts.map((c) => [c.role, c.id, c.path, c.chain?.name])).toEqual([
      ['extractor', 'pool-a', 'extractors[0]', 'alpha'],
      ['extractor', 'pool-b', 'extractors[1]', 'alpha'],
    ])
    expect(all.closed && gas.closed).toBe(true)
    expect(w.record.closed).toEqual(['extractor alpha/pool-a', 'extractor alpha/pool-b', 'detector'])
  })

  it('bounds memory under a stalled sink: the source is no longer pulled once the queue is full', async () => {
    const alpha = new ScriptedChain(chainInfo('alpha', 9001))
    alpha.mine(60)
    const w = await world(alpha)
    const gate = new Gate()
    gate.close()
    const { pipeline } = pipelineOf(w, { queue: 3, sinks: [{ id: 'stalled', gate }] }, { from: 1n, to: 60n })
    await pipeline.start()
    // One batch in the stalled write, three queued, one extracted and waiting for space.
    await until(() => alpha.pulled === 5, 'the queue to fill')
    await new Promise((resolve) => setTimeout(resolve, 150))
    expect(alpha.pulled).toBe(5)
    expect(await pipeline.metrics.text()).toContain('qenus_queue_depth{chain="alpha",pipeline="test"} 3')
    gate.open()
    await pipeline.done
    expect(alpha.pulled).toBe(60)
    expect(w.sinks[0].blocks('alpha')).toEqual(range(1, 60))
  })

  it('sends a reorg to the feature store, every extractor and every sink, with the withdrawn ids', async () => {
    const alpha = new ScriptedChain(chainInfo('alpha', 9001))
    alpha.mine(10)
    const w = await world(alpha)
    const { pipeline, checkpointStore } = pipelineOf(
      w,
      { sinks: [{ id: 'all' }, { id: 'swaps', select: { kinds: ['amm.swap'] } }] },
      { from: 1n },
    )
    await pipeline.start()
    const [all, swaps] = w.sinks
    await until(() => all.blocks('alpha').length === 10, 'block 10')
    const withdrawn = all.batches
      .filter((b) => b.block.number >= 8n)
      .reverse()
      .flatMap((b) => b.features.map((f) => f.id).reverse())
    const old = alpha.blocks.slice(7, 10).map(({ number, hash }) => ({ number, hash }))
    alpha.reorg(3)
    await until(() => all.blocks('alpha').length === 13, 'the replacement blocks')
    await pipeline.stop()
    await pipeline.done

    const ancestor = { number: 7n, hash: alpha.blocks[6].hash }
    for (const sink of [all, swaps]) {
      expect(sink.retractions).toHaveLength(1)
      const [retraction] = sink.retractions
      expect(retraction.to).toEqual(ancestor)
      expect(retraction.reverted).toEqual([...old].reverse())
      // Newest block first, reverse log order within a block; all ids, whatever the sink's select.
      expect(retraction.ids).toEqual(withdrawn)
      expect(retraction.features?.map((f) => f.id)).toEqual(withdrawn)
      expect(sink.log.indexOf('revert alpha 7')).toBeGreaterThan(sink.log.indexOf('write alpha 10'))
    }
    // The features withdrawn were the ones of the old blocks; the replacements carry new ids.
    expect(all.batches.slice(-3).map((b) => b.block.hash)).toEqual(alpha.blocks.slice(7).map((b) => b.hash))
    for (const id of ['alpha/pool-a', 'alpha/pool-b']) {
      expect(w.record.extractorReverts.get(id)).toEqual([
        { chain: alpha.info, to: ancestor, reverted: [...old].reverse() },
      ])
    }
    expect(checkpointStore.saved.map((s) => s.checkpoint.block.number)).toContain(7n)
    const final = await checkpointStore.load('test', 'alpha')
    expect(final?.block).toEqual({ number: 10n, hash: alpha.tip!.hash })
    expect(final?.recent.map((ref) => ref.hash)).toEqual(alpha.blocks.slice(2).map((b) => b.hash))
    const metrics = await pipeline.metrics.text()
    expect(sample(metrics, 'qenus_reverts_total', { chain: 'alpha' })).toBe(1)
    expect(sample(metrics, 'qenus_revert_depth_blocks_sum', { chain: 'alpha' })).toBe(3)
  })

  it('commits a checkpoint only after every sink flushed, and a restart resumes after it', async () => {
    const alpha = new ScriptedChain(chainInfo('alpha', 9001))
    alpha.mine(30)
    const w = await world(alpha)
    const first = pipelineOf(
      w,
      { everyBlocks: 5, sinks: [{ id: 'fast' }, { id: 'slow', writeDelayMs: 2 }] },
      { from: 1n, to: 20n },
    )
    await first.pipeline.start()
    await first.pipeline.done
    expect(first.checkpointStore.saved.map((s) => s.checkpoint.block.number)).toEqual([5n, 10n, 15n, 20n])
    for (const { checkpoint, durable } of first.checkpointStore.saved) {
      expect(durable).toEqual([checkpoint.block.number, checkpoint.block.number])
    }
    const saved = (await first.checkpointStore.load('test', 'alpha'))!
    expect(saved.recent.map((ref) => ref.number)).toEqual(range(13, 20))
    expect(saved.recent.map((ref) => ref.hash)).toEqual(alpha.blocks.slice(12, 20).map((b) => b.hash))

    w.sinks.length = 0
    const second = pipelineOf(w, { everyBlocks: 5, sinks: [{ id: 'fast' }, { id: 'slow' }] }, { from: 1n, to: 30n })
    await second.pipeline.start()
    await second.pipeline.done
    expect(alpha.requests[1].resume).toEqual(saved.recent)
    expect(w.sinks[0].startedWith?.get('alpha')).toEqual(saved.block)
    expect(w.sinks[0].blocks('alpha')).toEqual(range(21, 30))
    expect((await second.checkpointStore.load('test', 'alpha'))?.block.number).toBe(30n)
  })

  it('a restart after a reorg of checkpointed blocks retracts them first', async () => {
    const alpha = new ScriptedChain(chainInfo('alpha', 9001))
    alpha.mine(10)
    const w = await world(alpha)
    const first = pipelineOf(w, {}, { from: 1n, to: 10n })
    await first.pipeline.start()
    await first.pipeline.done
    const [before] = w.sinks
    // What the sink got for blocks 9 and 10, newest block first, reverse log order.
    const withdrawn = before.batches
      .filter((b) => b.block.number >= 9n)
      .reverse()
      .flatMap((b) => [...b.features].reverse().map(({ id, kind, address }) => ({ id, kind, address })))
    expect(withdrawn.length).toBeGreaterThan(0)
    alpha.reorg(2)
    alpha.mine(2)
    w.sinks.length = 0
    const second = pipelineOf(w, {}, { from: 1n, to: 12n })
    await second.pipeline.start()
    await second.pipeline.done
    const [sink] = w.sinks
    expect(sink.retractions.map((r) => r.to.number)).toEqual([8n])
    // The store of this process never saw blocks 9 and 10: their ids come from the journal.
    expect(sink.retractions[0].ids).toEqual(withdrawn.map((f) => f.id))
    expect(sink.retractions[0].features).toEqual(withdrawn)
    expect(sink.blocks('alpha')).toEqual([9n, 10n, 11n, 12n])
    expect(sink.batches[0].block.hash).toBe(alpha.blocks[8].hash)
    expect((await second.checkpointStore.load('test', 'alpha'))?.block.hash).toBe(alpha.tip!.hash)
  })

  it('stops gracefully: drains what was extracted, flushes, checkpoints and closes', async () => {
    const alpha = new ScriptedChain(chainInfo('alpha', 9001))
    alpha.mine(40)
    const w = await world(alpha)
    const { pipeline, checkpointStore } = pipelineOf(
      w,
      { everyBlocks: 1_000, queue: 8, sinks: [{ id: 'slow', writeDelayMs: 5 }] },
      { from: 1n },
    )
    await pipeline.start()
    const [sink] = w.sinks
    await until(() => sink.batches.length >= 3, 'a few writes')
    await pipeline.stop()
    const extracted = w.record.extractorBlocks.get('alpha/pool-a')!.map((b) => b.block)
    expect(extracted.length).toBeLessThan(40)
    expect(extracted.length).toBeGreaterThan(sink.batches.length - 1)
    expect(sink.blocks('alpha')).toEqual(extracted)
    expect(sink.log.at(-1)).toBe('flush')
    expect(checkpointStore.saved.at(-1)?.checkpoint.block.number).toBe(extracted.at(-1))
    expect((await checkpointStore.load('test', 'alpha'))?.block.number).toBe(extracted.at(-1))
    expect(sink.closed).toBe(true)
    expect(pipeline.health().chains.alpha.state).toBe('stopped')
    await expect(pipeline.done).resolves.toBeUndefined()
  })

  it('reports /health and /metrics over HTTP', async () => {
    const alpha = new ScriptedChain(chainInfo('alpha', 9001))
    alpha.mine(25)
    const w = await world(alpha)
    const { pipeline } = pipelineOf(w, { server: true }, { from: 11n })
    await pipeline.start()
    await until(() => w.sinks[0].blocks('alpha').length === 15, 'block 25')
    await until(() => pipeline.health().chains.alpha.checkpoint === '25', 'checkpoint 25')
    await until(() => pipeline.health().chains.alpha.state === 'live', 'live')
    const health = (await (await fetch(`${pipeline.url}/health`)).json()) as HealthReport
    expect(health).toMatchObject({
      status: 'ok',
      pipeline: 'test',
      chains: { alpha: { chainId: 9001, state: 'live', head: '25', processed: '25', checkpoint: '25', lagBlocks: 0 } },
    })
    expect(health.chains.alpha.source).toEqual({
      providers: [{ url: 'http://provider.example/<redacted>', state: 'ok' }],
      pulled: 15,
    })
    const metrics = await (await fetch(`${pipeline.url}/metrics`)).text()
    const chain = { chain: 'alpha' }
    expect(sample(metrics, 'qenus_blocks_processed_total', chain)).toBe(15)
    expect(sample(metrics, 'qenus_features_emitted_total', { ...chain, kind: 'amm.swap' })).toBe(45)
    expect(sample(metrics, 'qenus_features_emitted_total', { ...chain, kind: 'gas.block' })).toBe(30)
    const extractorB = { ...chain, role: 'extractor', component: 'pool-b' }
    expect(sample(metrics, 'qenus_component_received_total', extractorB)).toBe(30)
    // 15 blocks and the one init call.
    expect(sample(metrics, 'qenus_component_latency_seconds_count', extractorB)).toBe(16)
    expect(sample(metrics, 'qenus_component_emitted_total', { ...chain, role: 'sink', component: 'all' })).toBe(75)
    expect(sample(metrics, 'qenus_checkpoint_block', chain)).toBe(25)
    expect(sample(metrics, 'qenus_head_lag_blocks', chain)).toBe(0)
    expect(sample(metrics, 'qenus_queue_depth', chain)).toBe(0)
    expect(sample(metrics, 'qenus_sink_flush_seconds_count', { sink: 'all' })).toBeGreaterThanOrEqual(15)
    const url = pipeline.url!
    await pipeline.stop()
    await expect(fetch(`${url}/health`)).rejects.toThrow()
  })

  it('retries a retryable component error; a fatal one downs its lane while the other lane finishes', async () => {
    const alpha = new ScriptedChain(chainInfo('alpha', 9001))
    const beta = new ScriptedChain(chainInfo('beta', 9002))
    alpha.mine(20)
    beta.mine(20)
    alpha.failAt = { block: 4n, error: () => new RetryableError('provider hiccup', { code: 'HICCUP' }) }
    const w = await world(alpha, beta)
    w.record.failures.set('alpha/pool-b', {
      atBlock: 7n,
      times: 2,
      error: () => new RetryableError('busy', { code: 'BUSY' }),
    })
    w.record.failures.set('beta/pool-a', {
      atBlock: 5n,
      times: 1,
      error: () => new FatalError('bad pool state', { code: 'BAD' }),
    })
    const { pipeline } = pipelineOf(w, {}, { from: 1n, to: 20n })
    await pipeline.start()
    const failure = await pipeline.done.then(
      () => undefined,
      (error: Error) => error,
    )
    expect(failure?.message).toMatch(/extractor "pool-a" failed in onBlock on beta/)
    expect((failure?.cause as Error | undefined)?.message).toBe('bad pool state')
    const [sink] = w.sinks
    expect(sink.blocks('alpha')).toEqual(range(1, 20))
    expect(sink.blocks('beta')).toEqual(range(1, 4))
    // The source stream was reopened after its retryable failure, resuming after block 3.
    expect(alpha.requests[1].resume?.at(-1)?.number).toBe(3n)
    const health = pipeline.health()
    expect(health.status).toBe('degraded')
    expect(health.chains.alpha.state).toBe('stopped')
    expect(health.chains.beta).toMatchObject({ state: 'down', checkpoint: '4' })
    expect(health.chains.beta.lastError).toMatch(/pool-a/)
    const metrics = await pipeline.metrics.text()
    const errors = (role: string, component: string) =>
      sample(metrics, 'qenus_component_errors_total', { role, component, chain: 'alpha' })
    expect(errors('extractor', 'pool-b')).toBe(2)
    expect(errors('source', 'scripted')).toBe(1)
  })

  it('SIGTERM stops gracefully and exits 0; a second signal exits 1 at once', async () => {
    const alpha = new ScriptedChain(chainInfo('alpha', 9001))
    alpha.mine(3)
    const w = await world(alpha)
    const { pipeline, checkpointStore } = pipelineOf(w, {}, { from: 1n })
    const exits: number[] = []
    const uninstall = installSignalHandlers(pipeline, createLogger({ level: 'silent' }), {
      signals: ['SIGUSR2'],
      exit: (code) => exits.push(code),
    })
    try {
      await pipeline.start()
      await until(() => w.sinks[0].blocks('alpha').length === 3, 'block 3')
      process.emit('SIGUSR2', 'SIGUSR2')
      process.emit('SIGUSR2', 'SIGUSR2')
      expect(exits).toEqual([1])
      await until(() => exits.length === 2, 'the graceful exit')
      expect(exits).toEqual([1, 0])
      expect((await checkpointStore.load('test', 'alpha'))?.block.number).toBe(3n)
    } finally {
      uninstall()
    }
  })
})
