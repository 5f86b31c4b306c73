/**
 * Plumbing for runtime tests that run the real Pipeline over scripted components: a recording
 * sink, resolved-component records, a checkpoint store that lists what it saved, and the start.
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inject } from 'tsyringe'
import { z } from 'zod'
import type { ResolvedComponent, ResolvedConfig } from '../src/config/types.js'
import type { BlockRef, ChainReader } from '../src/contracts/chain.js'
import type { FeatureBatch, Retraction, Sink } from '../src/contracts/sink.js'
import { OptionsToken } from '../src/di/tokens.js'
import { createLogger } from '../src/observability/logger.js'
import { defineSink } from '../src/plugin/define.js'
import { type Checkpoint, FileCheckpointStore } from '../src/runtime/checkpoint.js'
import { Pipeline } from '../src/runtime/pipeline.js'
import type { ChainInfo } from '../src/schema/chains.js'
import { InMemoryFeatureStore } from '../src/state/store.js'

/** What every test component definition shares. */
export const def = { summary: 'test', stability: 'experimental' as const, options: z.any() }

/** Options of a {@link RecordingSink}. */
export interface RecordingSinkOptions {
  /** Where the sink registers itself, so the test can read it after the run. */
  record: { sinks: RecordingSink[] }
  /** Whether it implements `writePending`. */
  pending: boolean
  /** The log line of a pending batch. */
  describePending?: (batch: FeatureBatch) => string
}

/** A sink that logs what it was given, in order: `write N`, `pending …`, `revert N`. */
export class RecordingSink implements Sink {
  readonly log: string[] = []
  readonly batches: FeatureBatch[] = []
  readonly pending: FeatureBatch[] = []
  writePending?: (batch: FeatureBatch) => Promise<void>
  constructor(@inject(OptionsToken) readonly options: RecordingSinkOptions) {
    options.record.sinks.push(this)
    if (options.pending) {
      const describe = options.describePending ?? ((batch) => `pending ${batch.block.number}`)
      this.writePending = async (batch) => {
        this.pending.push(batch)
        this.log.push(describe(batch))
      }
    }
  }
  async write(batch: FeatureBatch): Promise<void> {
    this.batches.push(batch)
    this.log.push(`write ${batch.block.number}`)
  }
  async revert(retraction: Retraction): Promise<void> {
    this.log.push(`revert ${retraction.to.number}`)
  }
  async flush(): Promise<void> {}
}

/** The recording sink's definition. */
export const recordingSinkDef = defineSink({ ...def, name: 'recording', component: RecordingSink })

/** A resolved config entry for `definition` with `options`. */
export const component = (definition: { role: string }, id: string, path: string, options: unknown) =>
  ({ role: definition.role, id, use: './test', plugin: 'test', definition, options, path }) as ResolvedComponent

/** A file checkpoint store that also lists the block numbers it saved. */
export class SavedCheckpoints extends FileCheckpointStore {
  readonly saved: bigint[] = []
  override async save(checkpoint: Checkpoint): Promise<void> {
    this.saved.push(checkpoint.block.number)
    await super.save(checkpoint)
  }
}

/** One chain, its source, extractors and sinks, and the range to run. */
export interface ScriptedRun {
  chain: ChainInfo
  source: ResolvedComponent
  extractors: ResolvedComponent[]
  sinks: ResolvedComponent[]
  from: bigint
  to?: bigint | undefined
}

/**
 * Starts the real Pipeline (a checkpoint after every block, a queue of 16, no server, silent logs)
 * in a fresh temp folder.
 */
export async function startScripted(run: ScriptedRun) {
  const dir = await mkdtemp(join(tmpdir(), 'qenus-scripted-'))
  const config = {
    file: '<embedded>',
    dir,
    name: 'test',
    chains: [{ info: run.chain, finality: 8, source: run.source }],
    extractors: run.extractors,
    detectors: [],
    sinks: run.sinks,
    checkpoint: { dir: join(dir, 'checkpoints'), everyBlocks: 1, everyMs: 60_000 },
    queue: { maxBlocks: 16 },
    server: { host: '127.0.0.1', port: false },
    log: { level: 'silent' },
  } as unknown as ResolvedConfig
  const featureStore = new InMemoryFeatureStore({ retainBlocks: 16 })
  const checkpointStore = new SavedCheckpoints(join(dir, 'checkpoints'))
  const pipeline = new Pipeline(config, {
    logger: createLogger({ level: 'silent' }),
    checkpointStore,
    featureStore,
    retry: { retries: 0 },
    from: run.from,
    ...(run.to === undefined ? {} : { to: run.to }),
  })
  await pipeline.start()
  return { pipeline, featureStore, saved: checkpointStore.saved }
}

/** A chain reader for components that must not read state. */
export const noReads = (ref: BlockRef): ChainReader => ({
  block: ref,
  call: () => Promise.reject(new Error('no reads')),
  readContract: () => Promise.reject(new Error('no reads')),
  multicall: () => Promise.reject(new Error('no reads')),
})
