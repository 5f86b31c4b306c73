import type { BlockHeader, Clock } from '@qenus/core'

/** The status of an L2 sequencer. */
export type SequencerStatus = 'ok' | 'degraded' | 'halted'

/** Options of {@link SequencerMonitor}. */
export interface SequencerMonitorOptions {
  /** The chain's expected block time, milliseconds. */
  expectedBlockTimeMs: number
  /** A block time over `degradedFactor ×` the expected one is a gap. @default 3 */
  degradedFactor?: number | undefined
  /**
   * No block for this long (measured from the last block's timestamp to the clock) means halted.
   * @default 10 × the expected block time, at least 5,000
   */
  haltedAfterMs?: number | undefined
  /** Recent blocks kept for the cadence. @default 20 */
  window?: number | undefined
}

/** What the monitor reports. */
export interface SequencerReport {
  /** Overall status. */
  status: SequencerStatus
  /** Why the status is not `ok`; empty when it is. */
  reasons: string[]
  /** Seconds since the last block (block-time view: the gap the last block closed; live view: to the clock). */
  secondsSinceLastBlock: number
  /** Observed mean block time over the window, milliseconds; `undefined` with fewer than two blocks. */
  blockTimeMs: number | undefined
  /** Gaps within the window. */
  gaps: number
  /** Reorgs since the monitor started. */
  reorgs: number
}

interface Seen {
  number: bigint
  timestampMs: number
}

/**
 * Tracks the liveness of an L2 sequencer from the blocks it produces.
 *
 * @remarks
 * Two views: {@link SequencerMonitor.onBlock} judges a block from block timestamps only (the gap it
 * closed, the cadence over the window, recent reorgs), so its verdict is deterministic and can go
 * into a feature; {@link SequencerMonitor.check} judges the present against the clock and is the
 * only way to see `halted`, because a halted sequencer produces no block to attach a feature to.
 * A block after a halt reports `degraded` with the length of the halt. Timestamps have second
 * resolution, so the cadence of sub-second chains is a mean over the window.
 */
export class SequencerMonitor {
  readonly #expected: number
  readonly #degradedFactor: number
  readonly #haltedAfter: number
  readonly #window: number
  #blocks: Seen[] = []
  #reorgs = 0
  #reorgAt: bigint | undefined

  /** @param options - See {@link SequencerMonitorOptions}. */
  constructor(options: SequencerMonitorOptions) {
    this.#expected = options.expectedBlockTimeMs
    this.#degradedFactor = options.degradedFactor ?? 3
    this.#haltedAfter = options.haltedAfterMs ?? Math.max(5_000, 10 * this.#expected)
    this.#window = options.window ?? 20
  }

  /** Milliseconds without a block after which the sequencer is halted. */
  get haltedAfterMs(): number {
    return this.#haltedAfter
  }

  /** Records a block and reports on it from block timestamps alone. */
  onBlock(header: Pick<BlockHeader, 'number' | 'timestamp'>): SequencerReport {
    const previous = this.#blocks.at(-1)
    const seen = { number: header.number, timestampMs: Number(header.timestamp) * 1000 }
    this.#blocks = this.#blocks.filter((b) => b.number < seen.number)
    this.#blocks.push(seen)
    if (this.#blocks.length > this.#window + 1) this.#blocks.shift()
    const gapMs = previous ? seen.timestampMs - previous.timestampMs : 0
    const report = this.#report(gapMs / 1000)
    if (gapMs > this.#haltedAfter) {
      report.reasons.unshift(`resumed after ${gapMs / 1000} s without blocks (halted)`)
      report.status = 'degraded'
    }
    return report
  }

  /** Reports on the present: `halted` when the last block is older than the halt threshold. */
  check(clock: Clock): SequencerReport {
    const last = this.#blocks.at(-1)
    const sinceMs = last ? clock.now() - last.timestampMs : 0
    const report = this.#report(Math.max(0, sinceMs) / 1000)
    if (last && sinceMs > this.#haltedAfter) {
      report.status = 'halted'
      report.reasons.unshift(`no block for ${Math.round(sinceMs / 100) / 10} s since block ${last.number}`)
    }
    return report
  }

  /** Counts a reorg and drops the reverted blocks. */
  onRevert(to: bigint): void {
    this.#reorgs++
    this.#reorgAt = this.#blocks.at(-1)?.number
    this.#blocks = this.#blocks.filter((b) => b.number <= to)
  }

  #report(secondsSinceLastBlock: number): SequencerReport {
    const reasons: string[] = []
    const blocks = this.#blocks
    // Timestamps have second resolution: on sub-second chains one second between blocks is no gap.
    const gapMs = Math.max(this.#degradedFactor * this.#expected, 1000 + this.#expected)
    let gaps = 0
    for (let i = 1; i < blocks.length; i++) {
      if (blocks[i]!.timestampMs - blocks[i - 1]!.timestampMs > gapMs) gaps++
    }
    const span = blocks.length > 1 ? blocks.at(-1)!.timestampMs - blocks[0]!.timestampMs : undefined
    const blockTimeMs = span === undefined ? undefined : span / (blocks.length - 1)
    if (gaps > 0) reasons.push(`${gaps} block gap(s) over ${gapMs} ms in the last ${blocks.length} blocks`)
    if (blockTimeMs !== undefined && blockTimeMs > 1.5 * this.#expected && blocks.length > 2) {
      reasons.push(`mean block time ${Math.round(blockTimeMs)} ms over 1.5× the expected ${this.#expected} ms`)
    }
    const head = blocks.at(-1)?.number
    if (this.#reorgAt !== undefined && head !== undefined && head - this.#reorgAt < BigInt(this.#window)) {
      reasons.push(`reorg near block ${this.#reorgAt}`)
    }
    return {
      status: reasons.length > 0 ? 'degraded' : 'ok',
      reasons,
      secondsSinceLastBlock,
      blockTimeMs,
      gaps,
      reorgs: this.#reorgs,
    }
  }
}
