import 'reflect-metadata'
import { readFileSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createWorkspace, type Workspace } from '../../test/workspace.js'
import { isQenusError } from '../errors.js'
import { isPlugin } from './define.js'
import { loadPlugin } from './load.js'

const coreVersion = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version as string
const fixtureManifest = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../test/fixtures/${name}/package.json`, import.meta.url), 'utf8'))

let ws: Workspace
beforeAll(async () => {
  ws = await createWorkspace()
})
afterAll(() => ws.remove())

async function failure(use: string, fromDir = ws.dir) {
  const error = await loadPlugin(use, fromDir).then(
    () => undefined,
    (caught: unknown) => caught,
  )
  if (!isQenusError(error)) throw new Error(`expected a QenusError loading ${use}, got ${String(error)}`)
  return error
}

describe('loadPlugin', () => {
  it('loads a package by name from the folder, through its ESM-only exports map', async () => {
    const plugin = await loadPlugin('@acme/plugin-x', ws.dir)
    const manifest = fixtureManifest('plugin-x')
    expect(isPlugin(plugin)).toBe(true)
    expect(plugin.name).toBe(manifest.name)
    expect(plugin.version).toBe(manifest.version)
    expect(Object.keys(plugin.components.sinks ?? {})).toEqual(['memory', 'archive'])
  })

  it('resolves a package from a subfolder by walking up to node_modules', async () => {
    const sub = join(ws.dir, 'deep', 'er')
    await mkdir(sub, { recursive: true })
    expect((await loadPlugin('@acme/plugin-x', sub)).name).toBe('@acme/plugin-x')
  })

  it('caches per resolved file: every way of naming one plugin yields one instance', async () => {
    const byName = await loadPlugin('@acme/plugin-x', ws.dir)
    const byPath = await loadPlugin('./node_modules/@acme/plugin-x', ws.dir)
    expect(byPath).toBe(byName)
  })

  it('loads a relative .mjs file, a .ts file and a folder with a package.json', async () => {
    const mjs = await loadPlugin('./plugins/sink.mjs', ws.dir)
    const ts = await loadPlugin('./plugins/extractor.ts', ws.dir)
    const folder = await loadPlugin('./plugins/folder-plugin', ws.dir)
    expect([mjs.name, ts.name, folder.name]).toEqual(['local-lines', 'local-count', 'folder-plugin'])
    expect(Object.keys(ts.components.extractors ?? {})).toEqual(['count'])
    expect(ts.components.extractors?.count?.options.safeParse({ every: 2 }).success).toBe(true)
  })

  it('loads an absolute path', async () => {
    expect((await loadPlugin(join(ws.dir, 'plugins', 'sink.mjs'), '/')).name).toBe('local-lines')
  })

  it('refuses a plugin whose apiVersion this core does not satisfy, naming both versions', async () => {
    const error = await failure('@acme/plugin-old')
    expect(error.code).toBe('PLUGIN_API_MISMATCH')
    expect(error.message).toContain('@acme/plugin-old')
    expect(error.message).toContain('^9.0.0')
    expect(error.message).toContain(`@qenus/core ${coreVersion}`)
  })

  it('reports a package that is not installed with the folder and an install hint', async () => {
    const error = await failure('@acme/missing')
    expect(error.code).toBe('PLUGIN_NOT_FOUND')
    expect(error.message).toContain(`"@acme/missing" from ${ws.dir}`)
    expect(error.message).toContain('npm i @acme/missing')
  })

  it('reports a path that does not exist', async () => {
    const error = await failure('./plugins/nope.js')
    expect(error.code).toBe('PLUGIN_NOT_FOUND')
    expect(error.message).toContain('./plugins/nope.js')
  })

  it('refuses a module without a default export', async () => {
    const error = await failure('@acme/not-a-plugin')
    expect(error.code).toBe('PLUGIN_INVALID')
    expect(error.message).toContain('has no default export')
  })

  it('refuses a default export that is not a plugin', async () => {
    await ws.write(
      'plugins/plain.mjs',
      "export default { name: 'fake', version: '1.0.0', apiVersion: '*', components: {} }\n",
    )
    const error = await failure('./plugins/plain.mjs')
    expect(error.code).toBe('PLUGIN_INVALID')
    expect(error.message).toContain('is not a plugin')
  })

  it('reports a plugin that throws while loading, with the cause', async () => {
    await ws.write('plugins/broken.mjs', "throw new Error('boom at import')\n")
    const error = await failure('./plugins/broken.mjs')
    expect(error.code).toBe('PLUGIN_LOAD_FAILED')
    expect(error.message).toContain('boom at import')
  })
})
