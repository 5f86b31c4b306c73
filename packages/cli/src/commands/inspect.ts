import { isQenusError } from '@qenus/core'
import { inspectParquet, type ParquetInspection } from '@qenus/sink-parquet'
import type { CliOptions } from '../main.js'
import { ExitCode, parseNumberOption, UsageError } from '../usage.js'

/**
 * `qenus inspect <file|dir>`: prints the schema, row count, block range and a sample of a Parquet
 * file or archive folder; a table for people, JSON (integers as decimal strings) with `--json`.
 */
export async function inspect(path: string | undefined, options: CliOptions): Promise<number> {
  if (path === undefined) throw new UsageError('"qenus inspect" needs a .parquet file or a folder')
  const sample = parseNumberOption('sample', options.sample, 5)
  let result: ParquetInspection
  try {
    result = await inspectParquet(path, { sample: Math.floor(sample) })
  } catch (error) {
    // A missing or non-Parquet path is the caller's input, so it exits as bad usage.
    if (isQenusError(error) && error.code.startsWith('PARQUET_INSPECT_')) throw new UsageError(error.message)
    throw error
  }
  process.stdout.write(options.json ? `${toJson(result)}\n` : render(result))
  return ExitCode.ok
}

const plain = (value: unknown): unknown => (typeof value === 'bigint' ? value.toString() : value)

function toJson(result: ParquetInspection): string {
  return JSON.stringify(result, (_, value) => plain(value))
}

function render(result: ParquetInspection): string {
  const range = result.blockRange ? `${result.blockRange.first}..${result.blockRange.last}` : 'n/a'
  const lines = [
    `files:       ${result.files.length}${result.files.length === 1 ? ` (${result.files[0]})` : ''}`,
    `rows:        ${result.rowCount}`,
    `blocks:      ${range}`,
    '',
    'schema:',
    ...table(
      ['column', 'type', 'nullable'],
      result.schema.map((c) => [c.name, c.type, c.nullable ? 'yes' : 'no']),
    ),
    '',
    `sample (${result.sample.length} rows):`,
  ]
  // Transposed: one line per column, one cell per row, since feature tables are wide.
  const columns = result.schema.map((c) => c.name)
  lines.push(
    ...table(
      ['column', ...result.sample.map((_, i) => `#${i + 1}`)],
      columns.map((name) => [name, ...result.sample.map((row) => cell(row[name]))]),
    ),
  )
  return `${lines.join('\n')}\n`
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  const text = String(plain(value))
  return text.length > 46 ? `${text.slice(0, 45)}…` : text
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: string[]) => `  ${cells.map((c, i) => c.padEnd(widths[i]!)).join('  ')}`.trimEnd()
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)]
}
