/**
 * Measuring and printing helpers shared by the `*.bench.mjs` files: interleaved repetitions with
 * medians, a fixed-width table and the process's peak RSS.
 */

/** Repetitions per measured row, unless `BENCH_REPS` says otherwise. */
export const REPS = positiveInt('BENCH_REPS', 5)

/**
 * Reads a positive integer from the environment.
 *
 * @param {string} name - the variable
 * @param {number} fallback - used when the variable is unset
 * @returns {number}
 */
export function positiveInt(name, fallback) {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`)
  return value
}

/**
 * Times `fn` once; `fn` returns how many items it processed.
 *
 * @param {() => number | Promise<number>} fn
 * @returns {Promise<{ items: number, ms: number }>}
 */
export async function timeOnce(fn) {
  globalThis.gc?.()
  const started = performance.now()
  const items = await fn()
  return { items, ms: performance.now() - started }
}

/**
 * Runs every case `warmup` times, then `reps` times, round-robin so that drift (thermal, other
 * load) hits every case alike, and returns the median rate of each, in items per second.
 *
 * @param {Record<string, () => number | Promise<number>>} cases - functions returning the items they processed
 * @param {{ reps?: number, warmup?: number }} [options] - `reps` @default REPS, `warmup` @default 1
 * @returns {Promise<Record<string, { items: number, median: number, min: number, max: number }>>}
 */
export async function compare(cases, { reps = REPS, warmup = 1 } = {}) {
  const rates = Object.fromEntries(Object.keys(cases).map((name) => [name, []]))
  const items = {}
  for (let rep = 0; rep < warmup + reps; rep++) {
    for (const [name, fn] of Object.entries(cases)) {
      const run = await timeOnce(fn)
      if (items[name] !== undefined && items[name] !== run.items) {
        throw new Error(`${name}: processed ${run.items} items, ${items[name]} in an earlier repetition`)
      }
      items[name] = run.items
      if (rep >= warmup) rates[name].push((run.items * 1000) / run.ms)
    }
  }
  return Object.fromEntries(
    Object.entries(rates).map(([name, list]) => {
      const sorted = [...list].sort((a, b) => a - b)
      return [name, { items: items[name], median: median(sorted), min: sorted[0], max: sorted.at(-1) }]
    }),
  )
}

function median(sorted) {
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/**
 * Formats a rate with its spread: `512,300/s (498,100–520,000)`.
 *
 * @param {{ median: number, min: number, max: number }} rate
 * @returns {string}
 */
export function formatRate({ median, min, max }) {
  return `${fmt(median)}/s (${fmt(min)}–${fmt(max)})`
}

/**
 * Formats a whole number with thousands separators.
 *
 * @param {number} n
 * @returns {string}
 */
export function fmt(n) {
  return Math.round(n).toLocaleString('en-US')
}

/**
 * Prints a left-aligned table with a header row.
 *
 * @param {string[]} header
 * @param {string[][]} rows
 */
export function printTable(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)))
  const line = (cells) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`
  console.log(line(header))
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`)
  for (const row of rows) console.log(line(row))
}

/**
 * The process's peak resident set size so far, in MiB (Linux reports `maxRSS` in KiB).
 *
 * @returns {number}
 */
export function peakRssMiB() {
  return process.resourceUsage().maxRSS / 1024
}
