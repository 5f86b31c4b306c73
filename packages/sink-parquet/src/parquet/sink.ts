import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import {
  appendFileDurable,
  type BlockRef,
  encodeFeatureJson,
  encodeRetractionJson,
  type Feature,
  type FeatureBatch,
  type FeatureKind,
  inject,
  LoggerToken,
  OptionsToken,
  QenusError,
  type Retraction,
  type Sink,
  type SinkStartContext,
  writeFileAtomic,
} from '@qenus/core'
import { type ArchiveBlock, ChainArchive, type ClosedPart } from './archive.js'
import { featureFromRow } from './columns.js'
import { decodeParquet, encodeParquet } from './encode.js'
import { listChainParts, partPath, removeDurable } from './files.js'
import type { ParquetSinkOptions } from './options.js'
import { readSpool, serializeBlocks, spoolPath } from './spool.js'

/** The logger calls the parquet sink makes; a pino logger satisfies it. */
export interface ParquetSinkLogger {
  /** Logs a warning with structured fields. */
  warn(fields: object, message: string): void
  /** Logs an error with structured fields. */
  error(fields: object, message: string): void
}

interface Lane {
  archive: ChainArchive
  /** Spool text written since the last flush. */
  pending: string
  /** Whether the spool must be rewritten (a part was filed or blocks reverted). */
  dirty: boolean
  /** Serializes this chain's operations: lanes write concurrently, one flush serves all. */
  queue: Promise<unknown>
}

/**
 * Archives final features as hive-partitioned Parquet:
 * `dir/kind=<kind>/chain=<name>/date=YYYY-MM-DD/part-<firstBlock>-<lastBlock>.parquet`.
 *
 * @remarks
 * A block is archived once it is `finality` blocks below the highest block the sink received.
 * Until a part file is written, its rows and the held blocks live in a spool per chain
 * (`dir/_spool/<chain>.jsonl`), appended and fsynced by `flush`, so the runtime's checkpoint
 * never covers a block that exists only in memory. Part files are written through a temp file,
 * fsync, rename and a folder fsync. Part boundaries depend only on the blocks (rows, JSON bytes,
 * block time, UTC date), so after a crash the replay from the checkpoint rewrites the same files
 * with the same content; files above the checkpoint are removed or cut back at restart.
 * A reorg deeper than the finality is logged as an error, its blocks are removed from the
 * archive and recorded in `dir/_retractions.jsonl`.
 */
export class ParquetSink implements Sink {
  readonly #options: ParquetSinkOptions
  readonly #logger: ParquetSinkLogger
  readonly #root: string
  readonly #lanes = new Map<string, Lane>()
  #resume: ReadonlyMap<string, BlockRef> | undefined

  constructor(@inject(OptionsToken) options: ParquetSinkOptions, @inject(LoggerToken) logger: ParquetSinkLogger) {
    this.#options = options
    this.#logger = logger
    this.#root = resolve(options.dir)
  }

  /** The absolute root folder of the archive. */
  get dir(): string {
    return this.#root
  }

  /**
   * Records the checkpoints; each chain's spool and files are reconciled with its checkpoint at
   * that chain's first block (its finality depth comes with the block).
   */
  async start(context?: SinkStartContext): Promise<void> {
    this.#resume = context?.resume
  }

  /** Accepts one block: holds it until final, then adds it to its parts and writes the parts that closed. */
  async write(batch: FeatureBatch): Promise<void> {
    await this.#serial(batch, async (lane) => {
      const head = lane.archive.head
      if (head !== undefined && batch.block.number <= head) {
        throw new QenusError(`parquet sink: block ${batch.block.number} of ${batch.chain.name} after block ${head}`, {
          code: 'SINK_PARQUET_OUT_OF_ORDER',
          details: 'Blocks must arrive in increasing order per chain; a reorg comes as a revert first.',
        })
      }
      const block = toArchiveBlock(batch)
      lane.pending += serializeBlocks([block])
      await this.#file(batch.chain.name, lane, lane.archive.add(block))
    })
  }

  /** Drops held blocks above the common ancestor; a reorg of final blocks is removed from the files too. */
  async revert(retraction: Retraction): Promise<void> {
    await this.#serial(retraction, async (lane) => {
      const blocks = lane.archive.unfiled()
      const deep = lane.archive.revert(retraction.to.number)
      lane.dirty = true
      lane.pending = ''
      if (!deep) return
      this.#logger.error(
        { chain: retraction.chain.name, to: retraction.to.number.toString(), finality: lane.archive.finality },
        'parquet sink: reorg deeper than the finality depth; removing archived blocks above the common ancestor',
      )
      await appendFileDurable(join(this.#root, '_retractions.jsonl'), `${encodeRetractionJson(retraction)}\n`)
      const kept = blocks.filter((block) => block.number <= retraction.to.number)
      lane.archive = await this.#rebuild(retraction.chain.name, lane.archive.finality, retraction.to.number, kept)
    })
  }

  /** Makes every block received so far durable: in a part file or in the fsynced spool. */
  async flush(): Promise<void> {
    await Promise.all(
      [...this.#lanes.entries()].map(([chain, lane]) => this.#queued(lane, () => this.#sync(chain, lane))),
    )
  }

  /** Writes every open part of final blocks as a file, then flushes; held blocks stay in the spool. */
  async close(): Promise<void> {
    await Promise.all(
      [...this.#lanes.entries()].map(([chain, lane]) =>
        this.#queued(lane, async () => {
          await this.#file(chain, lane, lane.archive.closeAll())
          await this.#sync(chain, lane)
        }),
      ),
    )
  }

  async #sync(chain: string, lane: Lane): Promise<void> {
    const path = spoolPath(this.#root, chain)
    if (lane.dirty) await writeFileAtomic(path, serializeBlocks(lane.archive.unfiled()))
    else if (lane.pending !== '') await appendFileDurable(path, lane.pending)
    lane.pending = ''
    lane.dirty = false
  }

  async #file(chain: string, lane: Lane, parts: ClosedPart[]): Promise<void> {
    for (const part of parts) {
      const path = partPath(this.#root, part.kind, chain, part.date, part.firstBlock, part.lastBlock)
      await writeFileAtomic(path, encodeParquet(part.kind, part.rows, this.#options))
      lane.dirty = true
    }
  }

  async #serial(event: { chain: FeatureBatch['chain'] }, work: (lane: Lane) => Promise<void>): Promise<void> {
    const name = event.chain.name
    let lane = this.#lanes.get(name)
    if (!lane) {
      const finality = this.#options.finality ?? event.chain.finalityDepth
      const created: Lane = {
        archive: new ChainArchive(finality, this.#options),
        pending: '',
        dirty: true,
        queue: Promise.resolve(),
      }
      created.queue = this.#restore(name, finality).then((archive) => {
        created.archive = archive
      })
      this.#lanes.set(name, created)
      lane = created
    }
    await this.#queued(lane, () => work(lane))
  }

  #queued<T>(lane: Lane, work: () => Promise<T>): Promise<T> {
    const run = lane.queue.then(work)
    lane.queue = run.catch(() => undefined)
    return run
  }

  /** Reconciles one chain's spool and files with its checkpoint, then rebuilds its state. */
  async #restore(chain: string, finality: number): Promise<ChainArchive> {
    const checkpoint = this.#resume?.get(chain)
    if (checkpoint === undefined) {
      // No checkpoint: the pipeline starts over from --from; what an earlier run spooled is moot.
      return new ChainArchive(finality, this.#options)
    }
    const spooled = await readSpool(spoolPath(this.#root, chain))
    return this.#rebuild(chain, finality, checkpoint.number, spooled)
  }

  /**
   * Rebuilds a chain's state as it was after block `to`: files wholly above `to` are removed,
   * a file straddling it is read back and its rows up to `to` rejoin the unfiled blocks, which
   * are then fed again (the same decisions as the first time; closing parts rewrite files).
   */
  async #rebuild(chain: string, finality: number, to: bigint, unfiled: ArchiveBlock[]): Promise<ChainArchive> {
    const lastFiled = new Map<FeatureKind, bigint>()
    const recovered: Feature[] = []
    // Rows of a kind up to the end of its last file (cut back to `to`) come from files, not the spool.
    const filed = (kind: FeatureKind, last: bigint) => {
      if ((lastFiled.get(kind) ?? -1n) < last) lastFiled.set(kind, last)
    }
    for (const part of await listChainParts(this.#root, chain)) {
      if (part.lastBlock <= to) {
        filed(part.kind, part.lastBlock)
        continue
      }
      if (part.firstBlock <= to) {
        filed(part.kind, to)
        const rows = await decodeParquet(await readFile(part.path))
        for (const row of rows) if (BigInt(row.blockNumber as bigint) <= to) recovered.push(featureFromRow(row))
      }
      await removeDurable(part.path)
    }
    const blocks = mergeBlocks(unfiled, recovered, to, lastFiled)
    const archive = new ChainArchive(finality, this.#options)
    const lane: Lane = { archive, pending: '', dirty: true, queue: Promise.resolve() }
    for (const block of blocks) await this.#file(chain, lane, archive.add(block))
    await writeFileAtomic(spoolPath(this.#root, chain), serializeBlocks(archive.unfiled()))
    return archive
  }
}

function toArchiveBlock(batch: FeatureBatch): ArchiveBlock {
  return {
    number: batch.block.number,
    hash: batch.block.hash,
    timestamp: batch.timestamp,
    features: batch.features,
    lines: batch.features.map((feature) => encodeFeatureJson(feature)),
  }
}

/** Unfiled blocks up to `to`, without rows already in a kept file, joined with rows read back from cut files. */
function mergeBlocks(
  unfiled: ArchiveBlock[],
  recovered: Feature[],
  to: bigint,
  lastFiled: ReadonlyMap<FeatureKind, bigint>,
): ArchiveBlock[] {
  const byBlock = new Map<bigint, ArchiveBlock>()
  const add = (base: Omit<ArchiveBlock, 'features' | 'lines'>, feature: Feature | undefined, line?: string) => {
    let block = byBlock.get(base.number)
    if (!block) {
      block = { number: base.number, hash: base.hash, timestamp: base.timestamp, features: [], lines: [] }
      byBlock.set(base.number, block)
    }
    if (!feature) return
    block.features.push(feature)
    block.lines.push(line ?? encodeFeatureJson(feature))
  }
  for (const feature of recovered) {
    add({ number: feature.blockNumber, hash: feature.blockHash, timestamp: feature.blockTimestamp }, feature)
  }
  for (const block of unfiled) {
    if (block.number > to) continue
    add(block, undefined)
    block.features.forEach((feature, i) => {
      if (feature.blockNumber > (lastFiled.get(feature.kind) ?? -1n)) add(block, feature, block.lines[i])
    })
  }
  return [...byBlock.values()].sort((a, b) => (a.number < b.number ? -1 : 1))
}
