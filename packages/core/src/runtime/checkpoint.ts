import { randomBytes } from 'node:crypto'
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { BlockRef, Hex } from '../contracts/chain.js'
import { QenusError } from '../errors.js'

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
 * @example
 * ```ts
 * import { FileCheckpointStore } from '@qenus/core'
 * const store = new FileCheckpointStore('.qenus/checkpoints')
 * const checkpoint = await store.load('mainnet-arb', 'ethereum')
 * ```
 */
export class FileCheckpointStore implements CheckpointStore {
  /** @param dir - Folder of the checkpoint files; created on first save. */
  constructor(readonly dir: string) {}

  /** The file holding the checkpoint of `pipeline` on `chain`. */
  file(pipeline: string, chain: string): string {
    return join(this.dir, `${pipeline.replace(SAFE_NAME, '_')}.${chain.replace(SAFE_NAME, '_')}.json`)
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
    return parseCheckpoint(text, file)
  }

  async save(checkpoint: Checkpoint): Promise<void> {
    await mkdir(this.dir, { recursive: true })
    const file = this.file(checkpoint.pipeline, checkpoint.chain)
    const temp = join(this.dir, `.${randomBytes(6).toString('hex')}.tmp`)
    try {
      const handle = await open(temp, 'wx')
      try {
        await handle.writeFile(serializeCheckpoint(checkpoint))
        await handle.sync()
      } finally {
        await handle.close()
      }
      await rename(temp, file)
    } catch (error) {
      await rm(temp, { force: true })
      throw error
    }
    await syncDir(this.dir)
  }
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
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
