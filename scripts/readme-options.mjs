// Regenerates the options table of every plugin package's README from its components' schemas.
// `node scripts/readme-options.mjs --check` only reports drift (a test runs it that way).
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { isPlugin, optionsTable, withOptionsTable } from '@qenus/core'

const root = new URL('../packages/', import.meta.url)

/** Every plugin package's README path, current text and expected text. */
export async function readmes() {
  const results = []
  for (const name of await readdir(root)) {
    const dir = join(root.pathname, name)
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'))
    const entry = join(dir, 'dist/index.js')
    const plugin = (await import(pathToFileURL(entry).href).catch(() => ({}))).default
    if (!isPlugin(plugin)) continue
    const components = Object.values(plugin.components).flatMap((byName) => Object.values(byName ?? {}))
    const table = components
      .map((c) => (components.length > 1 ? `**${c.name}**\n\n` : '') + optionsTable(c))
      .join('\n\n')
    const path = join(dir, 'README.md')
    const current = await readFile(path, 'utf8').catch(() => '')
    results.push({ package: pkg.name, path, current, expected: withOptionsTable(current, table) })
  }
  return results
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const check = process.argv.includes('--check')
  let stale = 0
  for (const { package: name, path, current, expected } of await readmes()) {
    if (expected === undefined) {
      console.error(`${path}: no <!-- options:start --> / <!-- options:end --> markers`)
      stale++
    } else if (expected !== current) {
      if (check) console.error(`${path}: options table is stale (run node scripts/readme-options.mjs)`)
      else await writeFile(path, expected)
      stale += check ? 1 : 0
      if (!check) console.log(`${name}: README options table updated`)
    }
  }
  process.exitCode = stale > 0 ? 1 : 0
}
