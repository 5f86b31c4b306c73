import { readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import { KNOWN_CHAINS } from '@qenus/core'
import { ParquetSink, parquetSinkOptions } from '@qenus/sink-parquet'
import { makeFeatureBatches, runQenus, testDir } from '@qenus/testkit'
import { beforeAll, describe, expect, it } from 'vitest'

let archive: string
let file: string

async function duck(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:')
  const connection = await instance.connect()
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[]
  } finally {
    connection.closeSync()
    instance.closeSync()
  }
}

beforeAll(async () => {
  archive = join(await testDir('inspect'), 'archive')
  const sink = new ParquetSink(parquetSinkOptions.parse({ dir: archive, finality: 0, maxRows: 30 }), {
    warn: () => undefined,
    error: () => undefined,
  })
  const chain = KNOWN_CHAINS.devnet!
  for (const batch of makeFeatureBatches({ chain, fromBlock: 500n, blocks: 20, perBlock: 4, seed: 3 })) {
    await sink.write(batch)
  }
  await sink.close()
  // maxRows 30 at 4 rows a block: files of 8 blocks; inspect the second one.
  const parts = (await readdir(archive, { recursive: true })).filter((p) => p.endsWith('.parquet')).sort()
  file = join(archive, parts.find((p) => p.endsWith('part-508-515.parquet'))!)
})

describe('qenus inspect', () => {
  it('prints schema, row count, block range and sample of a file, as DuckDB sees it', async () => {
    const result = await runQenus(['inspect', file, '--json', '--sample', '3'])
    expect(result.code, result.stderr).toBe(0)
    const out = JSON.parse(result.stdout)
    const schema = await duck(`DESCRIBE SELECT * FROM read_parquet('${file}', hive_partitioning = false)`)
    expect(out.schema.map((c: { name: string }) => c.name)).toEqual(schema.map((c) => c.column_name))
    const [stats] = await duck(
      `SELECT count(*)::VARCHAR AS n, min(blockNumber)::VARCHAR AS lo, max(blockNumber)::VARCHAR AS hi FROM read_parquet('${file}', hive_partitioning = false)`,
    )
    expect({ rowCount: out.rowCount, first: out.blockRange.first, last: out.blockRange.last }).toEqual({
      rowCount: stats!.n,
      first: stats!.lo,
      last: stats!.hi,
    })
    const sample = await duck(`SELECT * FROM read_parquet('${file}', hive_partitioning = false) LIMIT 3`)
    expect(out.sample.map((r: Record<string, unknown>) => [r.id, r.amount0, r.blockNumber])).toEqual(
      sample.map((r) => [r.id, r.amount0, String(r.blockNumber)]),
    )
  })

  it('sums a whole archive folder and prints a table without --json', async () => {
    const result = await runQenus(['inspect', archive])
    expect(result.code, result.stderr).toBe(0)
    const [stats] = await duck(
      `SELECT count(*)::VARCHAR AS n, count(DISTINCT filename)::VARCHAR AS f, min(blockNumber)::VARCHAR AS lo,
       max(blockNumber)::VARCHAR AS hi FROM read_parquet('${archive}/**/*.parquet', filename = true)`,
    )
    expect(result.stdout).toContain(`files:       ${stats!.f}\n`)
    expect(result.stdout).toContain(`rows:        ${stats!.n}\n`)
    expect(result.stdout).toContain(`blocks:      ${stats!.lo}..${stats!.hi}\n`)
    expect(result.stdout).toMatch(/^ {2}amount0_f +DOUBLE +no$/m)
  })

  it('exits 2 with a clear error on a missing path, a non-Parquet file or no path', async () => {
    const missing = await runQenus(['inspect', join(archive, 'nope.parquet')])
    expect(missing).toMatchObject({ code: 2, stdout: '' })
    expect(missing.stderr).toContain('nope.parquet: no such file or folder')
    const text = join(archive, '..', 'notes.parquet')
    await writeFile(text, 'not parquet at all')
    const invalid = await runQenus(['inspect', text])
    expect(invalid.code).toBe(2)
    expect(invalid.stderr).toContain(`${text} is not a Parquet file`)
    const none = await runQenus(['inspect'])
    expect(none.code).toBe(2)
    expect(none.stderr).toContain('needs a .parquet file or a folder')
  })
})
