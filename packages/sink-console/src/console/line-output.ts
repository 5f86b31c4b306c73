import { once } from 'node:events'
import { type FileHandle, open } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Writable } from 'node:stream'
import { QenusError } from '@qenus/core'

/** The logger calls the console sink makes; a pino logger satisfies it. */
export interface SinkLogger {
  /** Logs a warning with structured fields. */
  warn(fields: object, message: string): void
}

/**
 * Appends text to a file or to stdout, in order, and tells when it reached the OS. @internal
 *
 * @remarks
 * A reader that goes away (`qenus run | head`) makes stdout fail with EPIPE: the output then
 * closes quietly and drops what follows, since nobody is left to read it. Any other error fails
 * the next call.
 */
export class LineOutput {
  /** The absolute file path, or `undefined` for stdout. */
  readonly path: string | undefined
  readonly #logger: SinkLogger
  #stream: Writable | undefined
  #file: FileHandle | undefined
  #opening: Promise<Writable> | undefined
  #lastWrite: Promise<void> = Promise.resolve()
  #error: Error | undefined
  #broken = false
  #closed = false

  /**
   * @param path - File to append to, resolved against the working directory; `undefined` for stdout.
   * @param logger - Where a closed pipe is reported.
   */
  constructor(path: string | undefined, logger: SinkLogger) {
    this.path = path === undefined ? undefined : resolve(path)
    this.#logger = logger
  }

  /** Opens the file in append mode (once); stdout needs no opening. */
  open(): Promise<Writable> {
    this.#opening ??= this.#open()
    return this.#opening
  }

  async #open(): Promise<Writable> {
    if (this.path !== undefined) {
      try {
        this.#file = await open(this.path, 'a')
      } catch (error) {
        throw this.#wrap(error as Error)
      }
    }
    const stream = this.#file?.createWriteStream() ?? process.stdout
    stream.on('error', this.#onError)
    this.#stream = stream
    return stream
  }

  /** Queues `text`; resolves once the stream accepts more (backpressure). */
  async write(text: string): Promise<void> {
    const stream = await this.open()
    this.#throwIfFailed()
    if (this.#broken || text === '') return
    this.#lastWrite = new Promise((done) => {
      // Errors also reach the 'error' listener, which records them.
      stream.write(text, () => done())
    })
    // once() rejects when 'error' comes first; the listener has recorded it by then.
    if (stream.writableNeedDrain) await once(stream, 'drain').catch(() => undefined)
    this.#throwIfFailed()
  }

  /** Resolves once everything written has reached the OS; for a file, after fsync. */
  async flush(): Promise<void> {
    await this.#lastWrite
    this.#throwIfFailed()
    try {
      await this.#file?.sync()
    } catch (error) {
      throw this.#wrap(error as Error)
    }
  }

  /** Flushes, then closes the file; stdout stays open for the rest of the process. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    try {
      await this.flush()
    } finally {
      // The file's stream closes its handle once ended.
      if (this.#file && this.#stream) {
        const closed = once(this.#stream, 'close').catch(() => undefined)
        this.#stream.end()
        await closed
      }
      this.#stream?.off('error', this.#onError)
    }
  }

  #onError = (error: NodeJS.ErrnoException): void => {
    if (error.code === 'EPIPE' && this.#file === undefined) {
      if (!this.#broken) this.#logger.warn({ code: error.code }, 'console sink: stdout closed by its reader')
      this.#broken = true
      return
    }
    this.#error ??= error
  }

  #throwIfFailed(): void {
    if (this.#error) throw this.#wrap(this.#error)
  }

  #wrap(error: Error): QenusError {
    return new QenusError(`console sink: cannot write to ${this.path ?? 'stdout'}`, {
      code: 'SINK_CONSOLE_WRITE_FAILED',
      details: error.message,
      cause: error,
    })
  }
}
