/**
 * Qenus Dataplane sink archiving final features as hive-partitioned Parquet.
 *
 * @packageDocumentation
 */
import { createRequire } from 'node:module'
import { definePlugin } from '@qenus/core'
import { parquetSink } from './parquet/index.js'

export { type ColumnSpec, featureFromRow, kindColumns, type ParquetRow } from './parquet/columns.js'
export { parquetSink } from './parquet/index.js'
export {
  type InspectedColumn,
  type InspectOptions,
  inspectParquet,
  type ParquetInspection,
} from './parquet/inspect.js'
export type { ParquetSinkOptions } from './parquet/options.js'
export { parquetSinkOptions } from './parquet/options.js'
export { ParquetSink, type ParquetSinkLogger } from './parquet/sink.js'

const { version } = createRequire(import.meta.url)('../package.json') as { version: string }

/** The plugin: one sink, `parquet`. */
export default definePlugin({
  name: '@qenus/sink-parquet',
  version,
  apiVersion: '^0.1.0',
  components: { sinks: { parquet: parquetSink } },
})
