import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { type BlockRef, type FeatureBatch, KNOWN_CHAINS } from '@qenus/core'
import { makeFeatureBatches, retractionOf } from '@qenus/testkit'
import { describe, expect, it } from 'vitest'
import plugin from '../index.js'
import { query, readArchive, readRetractedIds } from '../test/duckdb.js'
import { parquetSinkOptions } from './options.js'
import { ParquetSink } from './sink.js'

const chain = { ...KNOWN_CHAINS.devnet!, finalityDepth: 3 }
const errors: string[] = []
const logger = { warn: () => undefined, error: (_: object, message: string) => void errors.push(message) }
const tempDir = () => mkdtempSync(join(tmpdir(), 'qenus-parquet-'))
const batches = (from: bigint, blocks: number, seed = 1, branch = 0) =>
  makeFeatureBatches({ chain, fromBlock: from, blocks, perBlock: 3, seed, branch })

async function open(dir: string, options: object = {}, resume?: BlockRef): Promise<ParquetSink> {
  const sink = new ParquetSink(parquetSinkOptions.parse({ dir, maxRows: 10, ...options }), logger)
  await sink.start({ chains: new Set([chain.name]), resume: new Map(resume ? [[chain.name, resume]] : []) })
  return sink
}

/** Every part file under `dir`, relative, with its bytes. */
async function files(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.name.endsWith('.parquet')) continue
    const path = join(entry.parentPath, entry.name)
    out.set(relative(dir, path), (await readFile(path)).toString('base64'))
  }
  return out
}

const final = (all: FeatureBatch[], head: bigint, depth = 3) =>
  all.filter((b) => b.block.number <= head - BigInt(depth)).flatMap((b) => b.features)

describe('ParquetSink', () => {
  it('archives only blocks at or below the finality, hive-partitioned, readable by DuckDB', async () => {
    const dir = tempDir()
    const sink = await open(dir)
    const all = batches(100n, 12)
    for (const b of all) await sink.write(b)
    await sink.close()
    expect(await readArchive(dir)).toEqual(final(all, 111n))
    const parts = [...(await files(dir)).keys()].sort()
    expect(
      parts.every((p) => /^kind=amm\.swap\/chain=devnet\/date=\d{4}-\d\d-\d\d\/part-\d+-\d+\.parquet$/.test(p)),
    ).toBe(true)
    // maxRows 10 with 3 rows a block: parts close after 4 blocks (12 rows); close() cuts the rest.
    expect(parts.map((p) => p.split('/').at(-1))).toEqual([
      'part-100-103.parquet',
      'part-104-107.parquet',
      'part-108-108.parquet',
    ])
    const [types] = await query(
      `SELECT typeof(amount0) AS a, typeof(amount0_f) AS f, typeof(blockNumber) AS b, typeof(logIndex) AS l, typeof(date) AS d
       FROM read_parquet('${dir}/**/*.parquet', hive_partitioning = true) LIMIT 1`,
    )
    expect(types).toEqual({ a: 'VARCHAR', f: 'DOUBLE', b: 'BIGINT', l: 'INTEGER', d: 'DATE' })
    const [meta] = await query(
      `SELECT compression, stats_min_value, stats_max_value FROM parquet_metadata('${dir}/kind=amm.swap/chain=devnet/*/part-100-103.parquet')
       WHERE path_in_schema = 'blockNumber'`,
    )
    expect(meta).toEqual({ compression: 'SNAPPY', stats_min_value: '100', stats_max_value: '103' })
  })

  it('keeps held and open rows in the spool at flush, so a crash then a replay rebuild the same files', async () => {
    const all = batches(100n, 40, 7)
    const reference = tempDir()
    const whole = await open(reference)
    for (const b of all) await whole.write(b)
    await whole.close()

    const dir = tempDir()
    const first = await open(dir)
    for (const b of all.slice(0, 21)) await first.write(b) // blocks 100..120
    await first.flush() // the runtime commits checkpoint 120 after this
    for (const b of all.slice(21, 30)) await first.write(b) // 121..129 written, files closed, never flushed
    // Crash: the sink is dropped without close; the pipeline resumes after 120.
    const second = await open(dir, {}, all[20]!.block)
    for (const b of all.slice(21)) await second.write(b)
    await second.close()
    expect(await files(dir)).toEqual(await files(reference))
    expect(await readArchive(dir)).toEqual(final(all, 139n))
  })

  it('cuts back a file above the checkpoint and drops a torn spool tail', async () => {
    const all = batches(100n, 20, 3)
    const dir = tempDir()
    const first = await open(dir, { finality: 0, maxRows: 1000 })
    for (const b of all) await first.write(b)
    await first.close() // one file, part-100-119
    const spool = join(dir, '_spool', 'devnet.jsonl')
    writeFileSync(
      spool,
      `${readFileSync(spool, 'utf8')}{"block":"120","hash":"0x12","timestamp":"1","count":2}\n{"id":"trunc`,
    )
    const second = await open(dir, { finality: 0, maxRows: 1000 }, all[9]!.block)
    for (const b of all.slice(10)) await second.write(b)
    await second.close()
    expect([...(await files(dir)).keys()].map((p) => p.split('/').at(-1))).toEqual(['part-100-119.parquet'])
    expect(await readArchive(dir)).toEqual(all.flatMap((b) => b.features))
  })

  it('drops held blocks on a reorg within the finality: no reorged block in the archive', async () => {
    const dir = tempDir()
    const sink = await open(dir)
    const main = batches(100n, 10, 5)
    for (const b of main) await sink.write(b)
    await sink.revert(retractionOf(main, 8)) // blocks 108, 109 withdrawn; 106 is the last final block
    const fork = batches(108n, 6, 6, 1)
    for (const b of fork) await sink.write(b)
    await sink.close()
    const expected = final([...main.slice(0, 8), ...fork], 113n)
    const archived = await readArchive(dir)
    expect(archived).toEqual(expected)
    const reorged = new Set(main.slice(8).map((b) => b.block.hash))
    expect(archived.some((f) => reorged.has(f.blockHash))).toBe(false)
    expect(await readRetractedIds(dir)).toEqual([])
  })

  it('removes archived blocks of a reorg deeper than the finality, logs it and records it', async () => {
    errors.length = 0
    const dir = tempDir()
    const sink = await open(dir, { finality: 0, maxRows: 6 })
    const main = batches(100n, 8, 8)
    for (const b of main) await sink.write(b)
    await sink.flush()
    const retraction = retractionOf(main, 3) // back to 102: cuts part-102-103, removes part-104-105..
    await sink.revert(retraction)
    const fork = batches(103n, 3, 9, 1)
    for (const b of fork) await sink.write(b)
    await sink.close()
    expect(await readArchive(dir)).toEqual([...main.slice(0, 3), ...fork].flatMap((b) => b.features))
    expect(errors.join()).toMatch(/reorg deeper than the finality depth/)
    expect(await readRetractedIds(dir)).toEqual(retraction.ids)
    const names = [...(await files(dir)).keys()].map((p) => p.split('/').at(-1)).sort()
    expect(names).toEqual(['part-100-101.parquet', 'part-102-103.parquet', 'part-104-105.parquet'])
  })

  it('rotates by UTC date and by block-time age, the same way on every run', async () => {
    const dir = tempDir()
    const sink = await open(dir, { finality: 0, maxRows: 1000, maxAgeSeconds: 60 })
    // 1_700_006_400 is 2023-11-15T00:00:00Z; blocks 12 s apart from 23:59:24.
    const all = batches(100n, 12).map((b, i) => {
      const timestamp = 1_700_006_364n + 12n * BigInt(i)
      return { ...b, timestamp, features: b.features.map((f) => ({ ...f, blockTimestamp: timestamp })) }
    })
    for (const b of all) await sink.write(b)
    await sink.close()
    const parts = [...(await files(dir)).keys()].map((p) => p.split('/').slice(2).join('/')).sort()
    expect(parts).toEqual([
      'date=2023-11-14/part-100-102.parquet',
      'date=2023-11-15/part-103-107.parquet',
      'date=2023-11-15/part-108-111.parquet',
    ])
    const [row] = await query(
      `SELECT count(*) AS n FROM read_parquet('${dir}/**/*.parquet') WHERE date = DATE '2023-11-15'`,
    )
    expect(row).toEqual({ n: 27n })
  })

  it('refuses a block that goes backwards, naming the chain and blocks', async () => {
    const sink = await open(tempDir())
    const [a, b] = batches(100n, 2)
    await sink.write(b!)
    await expect(sink.write(a!)).rejects.toMatchObject({
      code: 'SINK_PARQUET_OUT_OF_ORDER',
      message: expect.stringContaining('block 100 of devnet after block 101'),
    })
  })
})

describe('parquetSinkOptions and the plugin', () => {
  it('has defaults and rejects bad values', () => {
    expect(parquetSinkOptions.parse({ dir: 'x' })).toEqual({
      dir: 'x',
      compression: 'snappy',
      rowGroupSize: 65_536,
      maxRows: 100_000,
      maxBytes: 64 * 1024 * 1024,
      maxAgeSeconds: 3600,
    })
    for (const bad of [
      {},
      { dir: '' },
      { dir: 'x', finality: -1 },
      { dir: 'x', compression: 'zstd' },
      { dir: 'x', rows: 1 },
    ]) {
      expect(parquetSinkOptions.safeParse(bad).success).toBe(false)
    }
  })

  it('is the default export, with its package version', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'))
    expect(plugin).toMatchObject({ name: '@qenus/sink-parquet', version: pkg.version, apiVersion: '^0.1.0' })
    expect(plugin.components.sinks?.parquet?.component).toBe(ParquetSink)
  })
})
