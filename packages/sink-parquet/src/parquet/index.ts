import { defineSink } from '@qenus/core'
import { parquetSinkOptions } from './options.js'
import { ParquetSink } from './sink.js'

/**
 * The `parquet` sink component: final features as hive-partitioned Parquet files.
 *
 * @example
 * ```ts
 * // qenus.config.ts
 * sinks: [{ use: '@qenus/sink-parquet', dir: './data' }]
 * ```
 */
export const parquetSink = defineSink({
  name: 'parquet',
  summary: 'Final features as hive-partitioned Parquet files, one schema per kind.',
  stability: 'experimental',
  options: parquetSinkOptions,
  component: ParquetSink,
})
