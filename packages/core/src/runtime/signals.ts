import type { Logger } from '../observability/logger.js'
import type { Pipeline } from './pipeline.js'

/** What {@link installSignalHandlers} takes besides the pipeline and logger. */
export interface SignalHandlerOptions {
  /** Signals to handle. @default ['SIGINT', 'SIGTERM'] */
  signals?: NodeJS.Signals[] | undefined
  /** How to end the process. @default process.exit */
  exit?: ((code: number) => void) | undefined
}

/**
 * Makes SIGINT/SIGTERM stop the pipeline: the first signal stops it gracefully (drain, flush,
 * checkpoint) and exits 0; a second signal exits 1 at once.
 *
 * @returns A function that removes the handlers.
 *
 * @example
 * ```ts
 * import { installSignalHandlers, Pipeline } from '@qenus/core'
 * const pipeline = new Pipeline(config)
 * installSignalHandlers(pipeline, pipeline.logger)
 * await pipeline.start()
 * ```
 */
export function installSignalHandlers(
  pipeline: Pipeline,
  logger: Logger,
  options: SignalHandlerOptions = {},
): () => void {
  const { signals = ['SIGINT', 'SIGTERM'], exit = (code: number) => process.exit(code) } = options
  let stopping = false
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting without a graceful stop')
      exit(1)
      return
    }
    stopping = true
    logger.info({ signal }, 'stopping gracefully; send the signal again to exit at once')
    pipeline.stop().then(() => exit(0))
  }
  for (const signal of signals) process.on(signal, onSignal)
  return () => {
    for (const signal of signals) process.off(signal, onSignal)
  }
}
