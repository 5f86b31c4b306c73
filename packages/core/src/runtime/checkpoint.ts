import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { BlockRef, Hex } from '../contracts/chain.js'
import type { RetractedFeature } from '../contracts/sink.js'
import { QenusError } from '../errors.js'
import { writeFileAtomic } from './atomic-file.js'
import { FeatureJournal } from './feature-journal.js'

/** The withdrawable features of one block the sinks flushed, kept while the block is above finality. */
export interface BlockFeatures {
  /** The block. */
  block: BlockRef
  /** Its features (id, kind, address), in log order. */
  features: RetractedFeature[]
}

/** Where a pipeline's lane stands: the last block every sink has durably written. */
export interface Checkpoint {
  /** Pipeline name. */
  pipeline: string
  /** Chain name. */
  chain: string
  /** EIP-155 chain id, to refuse a checkpoint of another chain under the same name. */
  chainId: number
  /** The last committed block. */
  block: BlockRef
  /** The last blocks up to the chain's finality depth, oldest first, ending with `block`. */
  recent: BlockRef[]
  /** When the checkpoint was committed, ISO 8601. */
  updatedAt: string
  /**
   * The features of the blocks of `recent` the sinks flushed, oldest first, so a reorg after a
   * restart can still retract them. Absent when the store or the runtime does not keep them.
   */
  features?: BlockFeatures[] | undefined
}

/** Loads and saves checkpoints. Implementations must make `save` atomic. */
export interface CheckpointStore {
  /** The checkpoint of `pipeline` on `chain`, or `undefined` when there is none. */
  load(pipeline: string, chain: string): Promise<Checkpoint | undefined>
  /** Replaces the checkpoint of `checkpoint.pipeline` on `checkpoint.chain`. */
  save(checkpoint: Checkpoint): Promise<void>
}

const VERSION = 1
const SAFE_NAME = /[^A-Za-z0-9._-]/g

type StoredRef = { number: string; hash: Hex }

/**
 * Keeps each checkpoint in one JSON file, `<dir>/<pipeline>.<chain>.json`, bigints as decimal
 * strings. A save writes a temp file in the same folder, fsyncs it, renames it over the old file
 * and fsyncs the folder, so a crash leaves the old or the new checkpoint, never a torn one; temp
 * files left by a crash are never read.
 *
 * A checkpoint's `features` go to a journal beside it, `<pipeline>.<chain>.features.jsonl`: each
 * save first appends (and fsyncs) the blocks the journal lacks, then replaces the checkpoint, so
 * the journal always covers the checkpoint it is read with. The journal is rewritten atomically
 * with only the live blocks once it grows past four times their size. `load` keeps only the
 * journaled blocks named by the checkpoint's `recent`, so blocks reorged away or above the
 * checkpoint (a crash between the two writes) are ignored.
 *
 * @example
 * ```ts
 * import { FileCheckpointStore } from '@qenus/core'
 * const store = new FileCheckpointStore('.qenus/checkpoints')
 * const checkpoint = await store.load('mainnet-arb', 'ethereum')
 * ```
 */
export class FileCheckpointStore implements CheckpointStore {
  readonly #journals = new Map<string, FeatureJournal>()

  /** @param dir - Folder of the checkpoint files; created on first save. */
  constructor(readonly dir: string) {}

  /** The file holding the checkpoint of `pipeline` on `chain`. */
  file(pipeline: string, chain: string): string {
    return join(this.dir, `${pipeline.replace(SAFE_NAME, '_')}.${chain.replace(SAFE_NAME, '_')}.json`)
  }

  #journal(pipeline: string, chain: string): FeatureJournal {
    const file = this.file(pipeline, chain).replace(/\.json$/, '.features.jsonl')
    let journal = this.#journals.get(file)
    if (!journal) {
      journal = new FeatureJournal(file)
      this.#journals.set(file, journal)
    }
    return journal
  }

  async load(pipeline: string, chain: string): Promise<Checkpoint | undefined> {
    const file = this.file(pipeline, chain)
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw error
    }
    const checkpoint = parseCheckpoint(text, file)
    const features = await this.#journal(pipeline, chain).load(checkpoint.recent)
    return features ? { ...checkpoint, features } : checkpoint
  }

  async save(checkpoint: Checkpoint): Promise<void> {
    await mkdir(this.dir, { recursive: true })
    if (checkpoint.features) await this.#journal(checkpoint.pipeline, checkpoint.chain).save(checkpoint.features)
    await writeFileAtomic(this.file(checkpoint.pipeline, checkpoint.chain), serializeCheckpoint(checkpoint))
  }
}

const toStored = (ref: BlockRef): StoredRef => ({ number: ref.number.toString(), hash: ref.hash })

/** @internal */
export function serializeCheckpoint(checkpoint: Checkpoint): string {
  const { pipeline, chain, chainId, block, recent, updatedAt } = checkpoint
  const stored = {
    version: VERSION,
    pipeline,
    chain,
    chainId,
    block: toStored(block),
    recent: recent.map(toStored),
    updatedAt,
  }
  return `${JSON.stringify(stored, null, 2)}\n`
}

/** @internal */
export function parseCheckpoint(text: string, file: string): Checkpoint {
  const fail = (what: string): never => {
    throw new QenusError(`Checkpoint ${file} is invalid: ${what}`, {
      code: 'CHECKPOINT_INVALID',
      details: 'Delete the file to start over from --from, or restore it from a backup.',
    })
  }
  let raw: Record<string, unknown>
  try {
    raw = JSON.parse(text)
  } catch (error) {
    return fail(`not JSON (${(error as Error).message})`)
  }
  if (raw?.version !== VERSION) fail(`unknown version ${String(raw?.version)}`)
  const ref = (value: unknown, where: string): BlockRef => {
    const { number, hash } = (value ?? {}) as Partial<StoredRef>
    if (typeof number !== 'string' || !/^\d+$/.test(number)) fail(`${where}.number must be a decimal string`)
    if (typeof hash !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(hash)) fail(`${where}.hash must be a 32-byte hex`)
    return { number: BigInt(number as string), hash: hash as Hex }
  }
  if (typeof raw.pipeline !== 'string' || typeof raw.chain !== 'string') fail('pipeline and chain must be strings')
  if (!Number.isInteger(raw.chainId)) fail('chainId must be an integer')
  if (!Array.isArray(raw.recent)) fail('recent must be an array')
  const block = ref(raw.block, 'block')
  const recent = (raw.recent as unknown[]).map((item, index) => ref(item, `recent[${index}]`))
  const last = recent.at(-1)
  if (last && (last.number !== block.number || last.hash !== block.hash)) fail('recent must end with block')
  return {
    pipeline: raw.pipeline as string,
    chain: raw.chain as string,
    chainId: raw.chainId as number,
    block,
    recent,
    updatedAt: String(raw.updatedAt),
  }
}
