import { defineSink } from '@qenus/core'
import { consoleSinkOptions } from './options.js'
import { ConsoleSink } from './sink.js'

/**
 * The `console` sink component: JSON lines on stdout or appended to a file.
 *
 * @example
 * ```ts
 * // qenus.config.ts
 * sinks: [{ use: '@qenus/sink-console', path: './features.jsonl', retractions: true }]
 * ```
 */
export const consoleSink = defineSink({
  name: 'console',
  summary: 'Features as JSON lines on stdout or appended to a file.',
  stability: 'experimental',
  options: consoleSinkOptions,
  component: ConsoleSink,
})
