/**
 * Qenus Dataplane sink writing features as JSON lines to stdout or a file.
 *
 * @packageDocumentation
 */
import { createRequire } from 'node:module'
import { definePlugin } from '@qenus/core'
import { consoleSink } from './console/index.js'

export { consoleSink } from './console/index.js'
export type { SinkLogger } from './console/line-output.js'
export type { ConsoleSinkOptions } from './console/options.js'
export { consoleSinkOptions } from './console/options.js'
export { ConsoleSink } from './console/sink.js'

const { version } = createRequire(import.meta.url)('../package.json') as { version: string }

/** The plugin: one sink, `console`. */
export default definePlugin({
  name: '@qenus/sink-console',
  version,
  apiVersion: '^0.1.0',
  components: { sinks: { console: consoleSink } },
})
