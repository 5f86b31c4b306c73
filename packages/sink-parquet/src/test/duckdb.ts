import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import { decodeRetractionJson, type Feature } from '@qenus/core'
import { featureFromRow } from '../parquet/columns.js'

/** Runs one query on a fresh in-memory DuckDB and returns the rows as JS values (BIGINT as bigint). */
export async function query(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:')
  const connection = await instance.connect()
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[]
  } finally {
    connection.closeSync()
    instance.closeSync()
  }
}

/**
 * Reads the whole archive with DuckDB (hive partitioning, schemas of every kind unioned by name),
 * in file then row order, and turns each row back into a feature.
 */
export async function readArchive(dir: string): Promise<Feature[]> {
  const glob = join(dir, '**', '*.parquet').replaceAll("'", "''")
  const rows = await query(
    `SELECT *, regexp_extract(filename, 'part-(\\d+)-', 1)::BIGINT AS _first
     FROM read_parquet('${glob}', hive_partitioning = true, union_by_name = true, filename = true, file_row_number = true)
     ORDER BY chain, kind, _first, file_row_number`,
  ).catch((error: Error) => {
    if (/No files found/.test(error.message)) return []
    throw error
  })
  const features = rows.map((row) => featureFromRow(row))
  // Per chain in block then log order across kinds, as a consumer merging the partitions sees it.
  return features.sort((a, b) =>
    a.chain !== b.chain
      ? a.chain < b.chain
        ? -1
        : 1
      : a.blockNumber !== b.blockNumber
        ? a.blockNumber < b.blockNumber
          ? -1
          : 1
        : (a.logIndex ?? 1e9) - (b.logIndex ?? 1e9),
  )
}

/** Ids listed in the archive's retraction log. */
export async function readRetractedIds(dir: string): Promise<string[]> {
  const text = await readFile(join(dir, '_retractions.jsonl'), 'utf8').catch(() => '')
  return text
    .split('\n')
    .filter(Boolean)
    .flatMap((line) => decodeRetractionJson(line).ids)
}
