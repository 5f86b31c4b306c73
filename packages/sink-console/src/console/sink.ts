import {
  encodeFeatureJson,
  encodeRetractionJson,
  type FeatureBatch,
  inject,
  LoggerToken,
  OptionsToken,
  type Retraction,
  type Sink,
  type SinkStartContext,
} from '@qenus/core'
import { LineOutput, type SinkLogger } from './line-output.js'
import type { ConsoleSinkOptions } from './options.js'
import { dropReplayedLines } from './resume.js'

/**
 * Writes features as JSON lines to stdout or appends them to a file.
 *
 * @remarks
 * Feature lines are exactly core's JSON codec output ({@link encodeFeatureJson}), so
 * `decodeFeatureJson` reads them back with exact bigints. A revert adds one line
 * `{"type":"retraction",...}` (core's {@link encodeRetractionJson} fields, plus `type`), which
 * tells it apart from feature lines (those have `kind`, never `type`). `write` buffers; `flush`
 * resolves once the lines reached the OS, after fsync for a file.
 *
 * A file is exactly-once across restarts: when the pipeline starts, the sink drops the feature
 * lines of blocks above each chain's checkpoint (every line of a chain without one), since the
 * pipeline writes them again. The file therefore mirrors the pipeline's own output; point two
 * pipelines at two files. Standard output is at-least-once: readers dedupe by id.
 */
export class ConsoleSink implements Sink {
  readonly #options: ConsoleSinkOptions
  readonly #output: LineOutput

  constructor(@inject(OptionsToken) options: ConsoleSinkOptions, @inject(LoggerToken) logger: SinkLogger) {
    this.#options = options
    this.#output = new LineOutput(options.path, logger)
  }

  /**
   * Opens the file, if any, first dropping the lines the pipeline will write again.
   *
   * @param context - The pipeline's checkpoints; without it (the sink used on its own) the file
   *   is appended to as it is.
   */
  async start(context?: SinkStartContext): Promise<void> {
    if (context && this.#options.path !== undefined) {
      await dropReplayedLines(this.#output.path!, context.chains, context.resume)
    }
    await this.#output.open()
  }

  /** Appends one line per feature, in batch order. */
  async write(batch: FeatureBatch): Promise<void> {
    let text = ''
    for (const feature of batch.features) text += `${encodeFeatureJson(feature)}\n`
    await this.#output.write(text)
  }

  /**
   * Appends out-of-block features (mempool transactions, extractor ticks such as a halted
   * sequencer; bound to the head block they were computed on) as feature lines, between that
   * block's lines and the next block's.
   */
  async writePending(batch: FeatureBatch): Promise<void> {
    await this.write(batch)
  }

  /** Appends one retraction line, unless `retractions` is off. */
  async revert(retraction: Retraction): Promise<void> {
    if (!this.#options.retractions) return
    await this.#output.write(`{"type":"retraction",${encodeRetractionJson(retraction).slice(1)}\n`)
  }

  /** Resolves once every line written so far reached the OS (fsync for a file). */
  async flush(): Promise<void> {
    await this.#output.flush()
  }

  /** Flushes and closes the file; stdout stays open. */
  async close(): Promise<void> {
    await this.#output.close()
  }
}
