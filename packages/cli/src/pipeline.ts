import { createLogger, installSignalHandlers, Pipeline, type ResolvedConfig } from '@qenus/core'
import { Progress } from './progress.js'
import { ExitCode } from './usage.js'

/** How {@link runPipeline} runs a config. */
export interface RunPipelineOptions {
  /** First block when there is no checkpoint. */
  from: bigint | 'head'
  /** Last block (`'head'`: the head when the lane starts); omitted follows the head until interrupted. */
  to?: bigint | 'head' | undefined
  /** Called once the pipeline runs, with a function that stops it gracefully. */
  onStart?: ((stop: () => Promise<void>) => void) | undefined
}

/**
 * Runs a resolved config until it ends or is interrupted, with progress on a TTY and pino JSON
 * logs on stderr otherwise.
 */
export async function runPipeline(config: ResolvedConfig, options: RunPipelineOptions): Promise<number> {
  const tty = process.stderr.isTTY === true
  const level = tty && config.log.level === 'info' ? 'warn' : config.log.level
  const logger = createLogger({ level, name: config.name, destination: 2 })
  const pipeline = new Pipeline(config, { logger, from: options.from, to: options.to })
  const progress = tty
    ? new Progress(pipeline, process.stderr, options.to === 'head' ? undefined : options.to)
    : undefined
  // The first signal only stops the pipeline, so the caller's cleanup runs; a second exits at once.
  const removeHandlers = installSignalHandlers(pipeline, logger, { exit: (code) => code !== 0 && process.exit(code) })
  try {
    await pipeline.start()
    progress?.start()
    options.onStart?.(() => pipeline.stop())
    await pipeline.done
    return ExitCode.ok
  } catch (error) {
    logger.error({ err: error }, 'pipeline failed')
    throw error
  } finally {
    progress?.stop()
    removeHandlers?.()
  }
}
