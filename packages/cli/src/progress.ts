import type { Pipeline } from '@qenus/core'

const REFRESH_MS = 500

/** One line of live progress per chain, redrawn in place on a TTY. */
export class Progress {
  readonly #pipeline: Pipeline
  readonly #out: NodeJS.WriteStream
  #timer: NodeJS.Timeout | undefined
  #lines = 0
  readonly #started = Date.now()
  readonly #target: bigint | undefined

  /**
   * @param pipeline - The running pipeline.
   * @param out - A TTY stream.
   * @param target - The last block of a bounded run; otherwise the head is the target.
   */
  constructor(pipeline: Pipeline, out: NodeJS.WriteStream, target?: bigint) {
    this.#pipeline = pipeline
    this.#out = out
    this.#target = target
  }

  /** Starts redrawing. */
  start(): void {
    this.#timer = setInterval(() => this.#draw(), REFRESH_MS)
    this.#timer.unref()
  }

  /** Draws a last time and stops. */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer)
    this.#draw()
    this.#out.write('\n')
  }

  #draw(): void {
    const seconds = Math.max((Date.now() - this.#started) / 1000, 0.001)
    const lines = Object.entries(this.#pipeline.health().chains).map(([name, chain]) => {
      const target = this.#target ?? (chain.head === undefined ? undefined : BigInt(chain.head))
      const done = chain.processed === undefined ? undefined : BigInt(chain.processed)
      const blocksPerSecond = chain.blocks / seconds
      const remaining = target !== undefined && done !== undefined ? Number(target - done) : 0
      const eta = remaining > 0 && blocksPerSecond > 0 ? ` · ETA ${formatDuration(remaining / blocksPerSecond)}` : ''
      const rate = (chain.features / seconds).toFixed(1)
      return `${name.padEnd(10)} ${chain.state.padEnd(8)} block ${done ?? '-'}/${target ?? '?'} · ${chain.features} features · ${rate} features/s${eta}`
    })
    const up = this.#lines > 0 ? `\x1b[${this.#lines}F` : ''
    this.#out.write(`${up}${lines.map((line) => `\x1b[2K${line}`).join('\n')}\n`)
    this.#lines = lines.length
  }
}

function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)}s`
  const minutes = Math.floor(seconds / 60)
  return minutes < 60 ? `${minutes}m${Math.round(seconds % 60)}s` : `${Math.floor(minutes / 60)}h${minutes % 60}m`
}
