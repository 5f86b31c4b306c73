import type { Feature, FeatureKind } from '@qenus/core'
import { parquetMetadata, parquetReadObjects } from 'hyparquet'
import { parquetWriteBuffer } from 'hyparquet-writer'
import { kindColumns, type ParquetRow } from './columns.js'

/** How files are encoded. @internal */
export interface EncodeOptions {
  /** Page compression. */
  compression: 'snappy' | 'uncompressed'
  /** Rows per row group. */
  rowGroupSize: number
}

/**
 * Encodes the features of one kind as a Parquet file with typed columns and column statistics.
 *
 * @param kind - The kind every feature has.
 * @param features - The rows, in file order.
 * @param options - Compression and row-group size.
 * @returns The file's bytes.
 * @internal
 */
export function encodeParquet(kind: FeatureKind, features: readonly Feature[], options: EncodeOptions): Uint8Array {
  const columnData = kindColumns(kind).map((column) => ({
    name: column.name,
    type: column.type,
    nullable: column.nullable,
    data: features.map((feature) => column.value(feature)),
  }))
  const buffer = parquetWriteBuffer({
    columnData,
    codec: options.compression === 'snappy' ? 'SNAPPY' : 'UNCOMPRESSED',
    rowGroupSize: options.rowGroupSize,
    statistics: true,
    // Whole hashes and ids in min/max, so a reader can prune on them.
    statisticsTruncateLength: Number.POSITIVE_INFINITY,
    kvMetadata: [{ key: 'qenus.kind', value: kind }],
    createdBy: 'qenus sink-parquet (hyparquet-writer)',
  })
  return new Uint8Array(buffer)
}

/**
 * Reads every row of a Parquet file held in memory.
 *
 * @param bytes - The file.
 * @returns The rows, INT64 columns as bigints.
 * @internal
 */
export async function decodeParquet(bytes: Uint8Array): Promise<ParquetRow[]> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
  return (await parquetReadObjects({ file, metadata: parquetMetadata(file) })) as ParquetRow[]
}
