import { readFile } from 'node:fs/promises'
import type { BlockRef, Hex } from '../contracts/chain.js'
import type { RetractedFeature } from '../contracts/sink.js'
import { QenusError } from '../errors.js'
import type { Feature } from '../schema/feature.js'
import { appendFileDurable, writeFileAtomic } from './atomic-file.js'
import type { BlockFeatures } from './checkpoint.js'

/** Rewrite once the file outgrows its live blocks by this factor (amortised: ≤ 1/3 extra writes). */
const GROWTH = 4
/** …and by at least this many bytes, so small journals are not rewritten on every commit. */
const SLACK_BYTES = 64 * 1024

/** One line: `{"n":"<number>","h":"<hash>","f":[[id,kind,address],…]}`. */
type StoredLine = { n: string; h: Hex; f: [string, string, string][] }

const keyOf = (ref: BlockRef): string => `${ref.number}:${ref.hash}`

/**
 * The append-only file of {@link BlockFeatures} beside one checkpoint: one JSON line per block,
 * appended (and fsynced) for the blocks it lacks on each save, rewritten atomically with only the
 * live blocks once it has grown {@link GROWTH}× past them. The first save of a process rewrites it,
 * which also drops a line torn by a crash.
 *
 * @internal
 */
export class FeatureJournal {
  /** Byte length of each live block's line, by `number:hash`; unset until the first save. */
  #live: Map<string, number> | undefined
  #fileBytes = 0

  constructor(readonly file: string) {}

  /** The journaled blocks among `recent`, oldest first; `undefined` when there is no journal. */
  async load(recent: BlockRef[]): Promise<BlockFeatures[] | undefined> {
    let text: string
    try {
      text = await readFile(this.file, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw error
    }
    const byKey = new Map<string, BlockFeatures>()
    const lines = text.split('\n')
    lines.forEach((line, index) => {
      if (line === '') return
      const block = this.#parse(line, index, index === lines.length - 1)
      if (block) byKey.set(keyOf(block.block), block)
    })
    this.#live = undefined
    return recent.flatMap((ref) => byKey.get(keyOf(ref)) ?? [])
  }

  /** Makes the journal hold `blocks` (the checkpoint's live blocks), appending what it lacks. */
  async save(blocks: BlockFeatures[]): Promise<void> {
    const known = this.#live
    if (!known) return this.#compact(blocks)
    const live = new Map<string, number>()
    let text = ''
    let liveBytes = 0
    for (const block of blocks) {
      const key = keyOf(block.block)
      let bytes = known.get(key)
      if (bytes === undefined) {
        const line = serializeLine(block)
        text += line
        bytes = Buffer.byteLength(line)
      }
      live.set(key, bytes)
      liveBytes += bytes
    }
    const added = Buffer.byteLength(text)
    if (this.#fileBytes + added > GROWTH * liveBytes + SLACK_BYTES) return this.#compact(blocks)
    if (added > 0) await appendFileDurable(this.file, text)
    this.#live = live
    this.#fileBytes += added
  }

  async #compact(blocks: BlockFeatures[]): Promise<void> {
    const live = new Map<string, number>()
    const lines = blocks.map((block) => {
      const line = serializeLine(block)
      live.set(keyOf(block.block), Buffer.byteLength(line))
      return line
    })
    const text = lines.join('')
    await writeFileAtomic(this.file, text)
    this.#live = live
    this.#fileBytes = Buffer.byteLength(text)
  }

  /** A torn last line (a crash mid-append, before its checkpoint) is skipped; any other bad line fails. */
  #parse(line: string, index: number, last: boolean): BlockFeatures | undefined {
    try {
      const raw = JSON.parse(line) as StoredLine
      if (typeof raw.n !== 'string' || !/^\d+$/.test(raw.n) || !/^0x[0-9a-fA-F]{64}$/.test(raw.h)) {
        throw new Error('n must be a decimal string and h a 32-byte hex')
      }
      if (!Array.isArray(raw.f)) throw new Error('f must be an array')
      const features = raw.f.map(([id, kind, address]): RetractedFeature => {
        if (typeof id !== 'string' || typeof kind !== 'string' || typeof address !== 'string') {
          throw new Error('each feature must be [id, kind, address] strings')
        }
        return { id, kind: kind as Feature['kind'], address }
      })
      return { block: { number: BigInt(raw.n), hash: raw.h }, features }
    } catch (error) {
      if (last) return undefined
      throw new QenusError(
        `Feature journal ${this.file} is invalid at line ${index + 1}: ${(error as Error).message}`,
        {
          code: 'CHECKPOINT_INVALID',
          details:
            'Delete the journal: the checkpoint still works, but a reorg right after the restart retracts no ids.',
        },
      )
    }
  }
}

function serializeLine({ block, features }: BlockFeatures): string {
  const stored: StoredLine = {
    n: block.number.toString(),
    h: block.hash,
    f: features.map((feature) => [feature.id, feature.kind, feature.address]),
  }
  return `${JSON.stringify(stored)}\n`
}
