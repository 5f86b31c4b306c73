import type { Feature, FeatureKind, Hex } from '@qenus/core'
import { utcDate } from './files.js'

/** When an open part becomes a file. Every limit is measured on block data, never on wall time. @internal */
export interface Rotation {
  /** Rows after which a part closes. */
  maxRows: number
  /** Bytes (the rows' JSON size) after which a part closes. */
  maxBytes: number
  /** Block-time seconds from a part's first block after which it closes. */
  maxAgeSeconds: number
}

/** A part ready to be written: the rows of one kind, chain and date, whole blocks only. @internal */
export interface ClosedPart {
  kind: FeatureKind
  date: string
  firstBlock: bigint
  lastBlock: bigint
  rows: Feature[]
}

interface OpenPart extends ClosedPart {
  firstTimestamp: bigint
  bytes: number
  lines: string[]
}

/** One block as the archive keeps it: its features with their JSON lines (the spool's format). @internal */
export interface ArchiveBlock {
  number: bigint
  hash: Hex
  timestamp: bigint
  features: Feature[]
  /** `encodeFeatureJson` of each feature; its length is what the byte rotation counts. */
  lines: string[]
}

/**
 * The archive state of one chain: blocks held until final, and one open part per kind.
 *
 * @remarks
 * Every decision is a function of the block sequence alone (numbers, timestamps, rows and their
 * JSON sizes), so feeding the same blocks again yields the same parts: that is what makes a
 * replay rewrite the same files and lets a restart rebuild this state from its spool.
 * @internal
 */
export class ChainArchive {
  readonly finality: number
  readonly #rotation: Rotation
  /** Highest block seen: the sink's view of the head. */
  head: bigint | undefined
  /** Highest block made final. */
  lastFinal: bigint | undefined
  readonly #held: ArchiveBlock[] = []
  readonly #parts = new Map<FeatureKind, OpenPart>()

  constructor(finality: number, rotation: Rotation) {
    this.finality = finality
    this.#rotation = rotation
  }

  /** Adds the next block; returns the parts its finality closed. */
  add(block: ArchiveBlock): ClosedPart[] {
    this.#held.push(block)
    this.head = block.number
    const closed: ClosedPart[] = []
    const finalUpTo = this.head - BigInt(this.finality)
    while (this.#held.length > 0 && this.#held[0]!.number <= finalUpTo) {
      closed.push(...this.#finalize(this.#held.shift()!))
    }
    return closed
  }

  #finalize(block: ArchiveBlock): ClosedPart[] {
    this.lastFinal = block.number
    const date = utcDate(block.timestamp)
    const closed: ClosedPart[] = []
    for (const part of [...this.#parts.values()]) {
      if (part.date !== date || block.timestamp - part.firstTimestamp >= BigInt(this.#rotation.maxAgeSeconds)) {
        closed.push(this.#close(part))
      }
    }
    const touched = new Set<OpenPart>()
    block.features.forEach((feature, i) => {
      let part = this.#parts.get(feature.kind)
      if (!part) {
        part = {
          kind: feature.kind,
          date,
          firstBlock: block.number,
          lastBlock: block.number,
          firstTimestamp: block.timestamp,
          rows: [],
          lines: [],
          bytes: 0,
        }
        this.#parts.set(feature.kind, part)
      }
      part.rows.push(feature)
      part.lines.push(block.lines[i]!)
      part.bytes += block.lines[i]!.length
      part.lastBlock = block.number
      touched.add(part)
    })
    // A block is never split between two files: limits are checked after the whole block.
    for (const part of touched) {
      if (part.rows.length >= this.#rotation.maxRows || part.bytes >= this.#rotation.maxBytes) {
        closed.push(this.#close(part))
      }
    }
    return closed
  }

  #close(part: OpenPart): ClosedPart {
    this.#parts.delete(part.kind)
    const { kind, date, firstBlock, lastBlock, rows } = part
    return { kind, date, firstBlock, lastBlock, rows }
  }

  /** Closes every open part (on shutdown); held blocks stay held. */
  closeAll(): ClosedPart[] {
    return [...this.#parts.values()].map((part) => this.#close(part))
  }

  /**
   * Drops every block above `to`.
   *
   * @returns Whether final blocks were dropped: a reorg deeper than the finality depth.
   */
  revert(to: bigint): boolean {
    while (this.#held.length > 0 && this.#held.at(-1)!.number > to) this.#held.pop()
    const deep = this.lastFinal !== undefined && this.lastFinal > to
    if (deep) {
      for (const part of [...this.#parts.values()]) {
        const keep = part.rows.findIndex((row) => row.blockNumber > to)
        if (keep >= 0) {
          part.rows.length = keep
          part.lines.length = keep
        }
        if (part.rows.length === 0) this.#parts.delete(part.kind)
        else part.lastBlock = part.rows.at(-1)!.blockNumber
      }
      this.lastFinal = to
    }
    this.head = to
    return deep
  }

  /**
   * What is not in a file yet, as whole blocks in order: the rows of open parts, then the held
   * blocks. Feeding these to a fresh archive rebuilds this one.
   */
  unfiled(): ArchiveBlock[] {
    const byBlock = new Map<bigint, ArchiveBlock>()
    for (const part of this.#parts.values()) {
      part.rows.forEach((row, i) => {
        let block = byBlock.get(row.blockNumber)
        if (!block) {
          block = {
            number: row.blockNumber,
            hash: row.blockHash,
            timestamp: row.blockTimestamp,
            features: [],
            lines: [],
          }
          byBlock.set(row.blockNumber, block)
        }
        block.features.push(row)
        block.lines.push(part.lines[i]!)
      })
    }
    const finals = [...byBlock.values()].sort((a, b) => (a.number < b.number ? -1 : 1))
    return [...finals, ...this.#held]
  }
}
