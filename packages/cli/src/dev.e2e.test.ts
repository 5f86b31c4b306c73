import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import { decodeFeatureJson } from '@qenus/core'
import { runQenus, startQenus, testDir, waitFor } from '@qenus/testkit'
import { expect, it } from 'vitest'

async function duckdb(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:')
  const connection = await instance.connect()
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[]
  } finally {
    connection.closeSync()
    instance.closeSync()
  }
}

it('qenus dev runs the embedded pipeline on a fresh devnet and ends cleanly', async () => {
  const dir = await testDir('dev')
  const out = join(dir, 'features.jsonl')
  const result = await runQenus(['dev', '--blocks', '6', '--rate', '5', '--out', out])
  expect(result.code, result.stderr).toBe(0)
  const lines = (await readFile(out, 'utf8')).split('\n').filter(Boolean)
  const features = lines.map((line) => decodeFeatureJson(line))
  expect(features.length).toBeGreaterThan(0)
  expect(new Set(features.map((f) => f.kind))).toEqual(new Set(['amm.swap', 'amm.liquidity', 'amm.pool', 'gas.block']))
  // Six blocks of traffic.
  expect(new Set(features.map((f) => f.blockNumber)).size).toBe(6)
  // The console got exactly what the file got.
  expect(result.stdout.split('\n').filter(Boolean)).toEqual(lines)
  // And the Parquet archive beside the file holds the same features, as DuckDB reads them.
  const glob = join(dir, 'archive', '**', '*.parquet')
  const rows = await duckdb(
    `SELECT id, kind, blockNumber FROM read_parquet('${glob}', hive_partitioning = true, union_by_name = true)`,
  )
  const key = (f: { id?: unknown; kind?: unknown; blockNumber?: unknown }) => `${f.id} ${f.kind} ${f.blockNumber}`
  expect(rows.map(key).sort()).toEqual(features.map(key).sort())
})

it('qenus dev stops cleanly on Ctrl-C in a terminal (SIGINT to the whole process group)', async () => {
  const dir = await testDir('dev-sigint')
  const out = join(dir, 'features.jsonl')
  const cli = startQenus(['dev', '--quiet', '--rate', '5', '--out', out], { group: true })
  try {
    await waitFor('features in the file', async () => (await readFile(out, 'utf8').catch(() => '')).length > 0)
  } finally {
    // What a terminal does: the signal reaches qenus and every process of its group at once.
    process.kill(-cli.child.pid!, 'SIGINT')
  }
  const result = await cli.exited
  expect(result.code, result.stderr).toBe(0)
  expect(result.stderr).not.toMatch(/Error/)
  // The drain flushed whole blocks: every line is a complete feature.
  const lines = (await readFile(out, 'utf8')).split('\n').filter(Boolean)
  expect(lines.map((line) => decodeFeatureJson(line).kind)).toContain('amm.swap')
})
