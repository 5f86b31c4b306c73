/**
 * `npm run bench [-- name...]`: runs every `bench/*.bench.mjs`, or those named (`slice` or
 * `slice.bench.mjs`), each in its own node process so its peak RSS is its own. Exits 1 only when
 * a bench crashes; figures never fail a run.
 */
import { spawn } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const SUFFIX = '.bench.mjs'

const available = readdirSync(here)
  .filter((file) => file.endsWith(SUFFIX))
  .sort()
const wanted = process.argv.slice(2).map((name) => (name.endsWith(SUFFIX) ? name : `${name}${SUFFIX}`))
const unknown = wanted.filter((file) => !available.includes(file))
if (unknown.length > 0) {
  console.error(`unknown bench: ${unknown.join(', ')}; available: ${available.map(shortName).join(', ')}`)
  process.exit(2)
}

const failed = []
for (const file of wanted.length > 0 ? wanted : available) {
  console.log(`\n=== ${shortName(file)} ===`)
  const started = performance.now()
  const outcome = await runChild(join(here, file))
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  if (outcome === 'ok') console.log(`(${shortName(file)}: ${seconds} s)`)
  else {
    console.error(`${shortName(file)} crashed after ${seconds} s: ${outcome}`)
    failed.push(shortName(file))
  }
}
if (failed.length > 0) {
  console.error(`\ncrashed: ${failed.join(', ')}`)
  process.exit(1)
}

function shortName(file) {
  return file.slice(0, -SUFFIX.length)
}

/** Runs one bench file; resolves `'ok'` or why it failed. */
function runChild(file) {
  return new Promise((resolve) => {
    // --expose-gc lets the harness collect between repetitions, so one row's garbage is not billed to the next.
    const child = spawn(process.execPath, ['--expose-gc', file], { stdio: 'inherit' })
    child.once('error', (error) => resolve(error.message))
    child.once('exit', (code, signal) =>
      resolve(code === 0 ? 'ok' : signal ? `killed by ${signal}` : `exit code ${code}`),
    )
  })
}
