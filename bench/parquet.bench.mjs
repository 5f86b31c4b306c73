/**
 * Rows/s into Parquet (issue 5), beside bare writers given the same rows in the same run:
 *
 * 1. sink: ParquetSink (hyparquet-writer inside) fed block by block, finality 0, spool and files
 *    fsynced, closed at the end, so every row is in a durable file.
 * 2. parquetjs-lite: the same rows (the sink's column values) appended one by one to one file,
 *    snappy, row groups of 65,536.
 * 3. hyparquet-writer: the same columns written in one call to one file, snappy, same row groups.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { KNOWN_CHAINS } from '@qenus/core'
import { kindColumns, ParquetSink, parquetSinkOptions } from '@qenus/sink-parquet'
import { makeFeatureBatches } from '@qenus/testkit'
import { parquetWriteBuffer } from 'hyparquet-writer'
import { compare, fmt, formatRate, peakRssMiB, positiveInt, printTable, REPS } from './harness.mjs'

const require = createRequire(new URL('../packages/sink-parquet/package.json', import.meta.url))
const parquet = require('parquetjs-lite')

const BLOCKS = positiveInt('BENCH_PARQUET_BLOCKS', 2000)
const PER_BLOCK = positiveInt('BENCH_PARQUET_PER_BLOCK', 25)
const ROW_GROUP = 65_536
const batches = makeFeatureBatches({ chain: KNOWN_CHAINS.devnet, fromBlock: 1n, blocks: BLOCKS, perBlock: PER_BLOCK })
const features = batches.flatMap((b) => b.features)
const columns = kindColumns('amm.swap')
const quiet = { warn: () => undefined, error: () => undefined }

function withDir(fn) {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qenus-parquet-bench-'))
    try {
      return await fn(dir)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

const sinkCase = withDir(async (dir) => {
  const sink = new ParquetSink(parquetSinkOptions.parse({ dir, finality: 0 }), quiet)
  await sink.start()
  for (const batch of batches) await sink.write(batch)
  await sink.close()
  return features.length
})

const PARQUETJS_TYPES = { STRING: 'UTF8', DOUBLE: 'DOUBLE', INT64: 'INT64', INT32: 'INT32', BOOLEAN: 'BOOLEAN' }
const parquetjsSchema = new parquet.ParquetSchema(
  Object.fromEntries(
    columns.map((c) => [c.name, { type: PARQUETJS_TYPES[c.type], optional: c.nullable, compression: 'SNAPPY' }]),
  ),
)

const parquetjsCase = withDir(async (dir) => {
  const writer = await parquet.ParquetWriter.openFile(parquetjsSchema, join(dir, 'rows.parquet'), {
    rowGroupSize: ROW_GROUP,
  })
  for (const feature of features) {
    const row = {}
    for (const c of columns) {
      const value = c.value(feature)
      if (value !== null) row[c.name] = value
    }
    await writer.appendRow(row)
  }
  await writer.close()
  return features.length
})

const hyparquetCase = withDir(async (dir) => {
  const columnData = columns.map((c) => ({
    name: c.name,
    type: c.type,
    nullable: c.nullable,
    data: features.map((f) => c.value(f)),
  }))
  writeFileSync(join(dir, 'rows.parquet'), new Uint8Array(parquetWriteBuffer({ columnData, rowGroupSize: ROW_GROUP })))
  return features.length
})

const rates = await compare({ sink: sinkCase, parquetjs: parquetjsCase, hyparquet: hyparquetCase })
const ratio = (rate) => `${(rates.sink.median / rate.median).toFixed(2)}×`
console.log(
  `\nparquet: ${fmt(features.length)} amm.swap rows (${fmt(BLOCKS)} blocks × ${PER_BLOCK}), ${columns.length} columns; ` +
    `median of ${REPS} after a warm-up, (min–max)\n`,
)
printTable(
  ['row', 'rows/s', 'sink / row'],
  [
    ['sink: ParquetSink (hyparquet-writer), spool + fsync + rename', formatRate(rates.sink), '1.00×'],
    ['bare parquetjs-lite appendRow, one file', formatRate(rates.parquetjs), ratio(rates.parquetjs)],
    ['bare hyparquet-writer, one call, one file', formatRate(rates.hyparquet), ratio(rates.hyparquet)],
  ],
)
console.log(`\npeak RSS: ${fmt(peakRssMiB())} MiB`)
