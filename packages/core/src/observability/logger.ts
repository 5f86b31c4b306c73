import { type DestinationStream, type Logger, type LoggerOptions, pino, stdSerializers } from 'pino'
import { censor, REDACT_PATHS, redactUrlsInText } from './redact.js'

export type { Logger }

/** What {@link createLogger} takes. */
export interface CreateLoggerOptions {
  /** pino level: `trace` … `fatal`, or `silent`. @default 'info' */
  level?: string | undefined
  /** Logger name, written as `name` on every line; usually the pipeline name. */
  name?: string | undefined
  /** Where lines go: a stream, or a file descriptor such as 2 for stderr. @default stdout */
  destination?: DestinationStream | number | undefined
}

const errorSerializer = (error: Error): Record<string, unknown> => {
  const serialized = stdSerializers.err(error) as unknown as Record<string, unknown>
  for (const key of ['message', 'stack'] as const) {
    const text = serialized[key]
    if (typeof text === 'string') serialized[key] = redactUrlsInText(text)
  }
  return serialized
}

/**
 * Creates the dataplane's JSON logger (pino). Provider URLs never appear in clear: values under
 * `url`, `providers`, `headers.authorization` and similar keys are redacted, and URLs inside
 * messages and error text keep only their origin.
 *
 * @param options - Level, name and destination.
 * @returns A pino logger.
 *
 * @example
 * ```ts
 * import { createLogger } from '@qenus/core'
 * const logger = createLogger({ level: 'debug', name: 'mainnet-arb' })
 * logger.info({ url: process.env.ETH_RPC }, 'provider connected') // url logged as https://host/<redacted>
 * ```
 */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const config: LoggerOptions = {
    level: options.level ?? 'info',
    redact: { paths: [...REDACT_PATHS], censor },
    serializers: { err: errorSerializer, error: errorSerializer },
    hooks: {
      logMethod(args, method) {
        const scrubbed = args.map((arg) => (typeof arg === 'string' ? redactUrlsInText(arg) : arg))
        method.apply(this, scrubbed as Parameters<typeof method>)
      },
    },
  }
  if (options.name !== undefined) config.name = options.name
  const { destination } = options
  if (destination === undefined) return pino(config)
  return pino(config, typeof destination === 'number' ? pino.destination({ fd: destination }) : destination)
}
