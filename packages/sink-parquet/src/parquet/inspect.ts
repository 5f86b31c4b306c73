import { readdir, readFile, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { QenusError } from '@qenus/core'
import { type FileMetaData, parquetMetadata, parquetReadObjects } from 'hyparquet'
import type { ParquetRow } from './columns.js'

/** One column of a Parquet schema, as {@link inspectParquet} reports it. */
export interface InspectedColumn {
  /** Column name. */
  name: string
  /** Physical type, with its logical type when there is one, e.g. `BYTE_ARRAY (UTF8)`. */
  type: string
  /** Whether the column may hold nulls. */
  nullable: boolean
}

/** What {@link inspectParquet} found. */
export interface ParquetInspection {
  /** The files read, absolute paths, in path order. */
  files: string[]
  /** The columns of every file, in order of first appearance. */
  schema: InspectedColumn[]
  /** Rows over every file. */
  rowCount: bigint
  /** Lowest and highest `blockNumber`, from the column statistics; absent without that column. */
  blockRange?: { first: bigint; last: bigint } | undefined
  /** The first rows, read from the files in path order. */
  sample: ParquetRow[]
}

/** Options of {@link inspectParquet}. */
export interface InspectOptions {
  /**
   * Rows in the sample.
   * @defaultValue 5
   */
  sample?: number | undefined
}

/**
 * Reads the schema, row count, block range and a sample of a Parquet file, or of every
 * `*.parquet` file under a folder (hidden files and the spool excluded).
 *
 * @param path - A `.parquet` file or an archive folder.
 * @param options - Sample size.
 * @returns The inspection.
 * @throws QenusError `PARQUET_INSPECT_NOT_FOUND` when the path does not exist or holds no
 *   Parquet file, `PARQUET_INSPECT_INVALID` when a file is not Parquet.
 * @example
 * ```ts
 * import { inspectParquet } from '@qenus/sink-parquet'
 * const { rowCount, blockRange } = await inspectParquet('./data/kind=amm.swap')
 * ```
 */
export async function inspectParquet(path: string, options: InspectOptions = {}): Promise<ParquetInspection> {
  const root = resolve(path)
  const info = await stat(root).catch(() => undefined)
  if (!info) throw notFound(root, 'no such file or folder')
  const files = info.isDirectory() ? (await findParquet(root)).sort() : [root]
  if (files.length === 0) throw notFound(root, 'the folder holds no .parquet file')
  const wanted = options.sample ?? 5
  const columns = new Map<string, InspectedColumn>()
  const sample: ParquetRow[] = []
  let rowCount = 0n
  let range: { first: bigint; last: bigint } | undefined
  for (const file of files) {
    const bytes = await readFile(file)
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
    const metadata = readMetadata(file, buffer)
    for (const column of schemaOf(metadata)) if (!columns.has(column.name)) columns.set(column.name, column)
    rowCount += BigInt(metadata.num_rows)
    range = widen(range, blockStatistics(metadata))
    if (sample.length < wanted && metadata.num_rows > 0n) {
      const rows = await parquetReadObjects({ file: buffer, metadata, rowEnd: wanted - sample.length })
      sample.push(...(rows as ParquetRow[]))
    }
  }
  return { files, schema: [...columns.values()], rowCount, blockRange: range, sample }
}

async function findParquet(dir: string): Promise<string[]> {
  const found: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name.startsWith('_')) continue
    const path = join(dir, entry.name)
    if (entry.isDirectory()) found.push(...(await findParquet(path)))
    else if (entry.name.endsWith('.parquet')) found.push(path)
  }
  return found
}

function readMetadata(file: string, buffer: ArrayBuffer): FileMetaData {
  try {
    return parquetMetadata(buffer)
  } catch (error) {
    throw new QenusError(`qenus inspect: ${file} is not a Parquet file`, {
      code: 'PARQUET_INSPECT_INVALID',
      details: (error as Error).message,
      cause: error,
    })
  }
}

function schemaOf(metadata: FileMetaData): InspectedColumn[] {
  return metadata.schema.slice(1).map((element) => {
    const logical = element.logical_type?.type ?? element.converted_type
    return {
      name: element.name,
      type: logical ? `${element.type} (${logical})` : String(element.type),
      nullable: element.repetition_type !== 'REQUIRED',
    }
  })
}

function blockStatistics(metadata: FileMetaData): { first: bigint; last: bigint } | undefined {
  let range: { first: bigint; last: bigint } | undefined
  for (const group of metadata.row_groups) {
    const column = group.columns.find((c) => c.meta_data?.path_in_schema.join('.') === 'blockNumber')
    const stats = column?.meta_data?.statistics
    if (stats?.min_value === undefined || stats.max_value === undefined) continue
    range = widen(range, { first: BigInt(stats.min_value as bigint), last: BigInt(stats.max_value as bigint) })
  }
  return range
}

function widen(
  a: { first: bigint; last: bigint } | undefined,
  b: { first: bigint; last: bigint } | undefined,
): { first: bigint; last: bigint } | undefined {
  if (!a || !b) return a ?? b
  return { first: a.first < b.first ? a.first : b.first, last: a.last > b.last ? a.last : b.last }
}

function notFound(path: string, why: string): QenusError {
  return new QenusError(`qenus inspect: ${path}: ${why}`, {
    code: 'PARQUET_INSPECT_NOT_FOUND',
    details: 'Give a .parquet file or a folder of them, e.g. an archive written by @qenus/sink-parquet.',
  })
}
