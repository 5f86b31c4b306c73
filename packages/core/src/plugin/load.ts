import { randomUUID } from 'node:crypto'
import { realpathSync } from 'node:fs'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { pathToFileURL } from 'node:url'
import semver from 'semver'
import { QenusError } from '../errors.js'
import { isPlugin, type Plugin } from './define.js'
import { coreVersion, isPathSpecifier, resolvePluginEntry } from './resolve.js'

const cache = new Map<string, Promise<Plugin>>()

/**
 * Loads a plugin: a package name resolved from `fromDir`, or a path (a `.js`, `.mjs` or `.ts` file,
 * or a folder with a package.json) resolved against `fromDir`.
 *
 * @remarks
 * The module's default export must be made by {@link definePlugin}, and this `@qenus/core`'s
 * version must satisfy the plugin's `apiVersion` range. Plugins are cached by resolved file, so
 * every entry naming the same plugin shares one instance. A `.ts` plugin is compiled with the
 * `typescript` package, which must then be installed; it may import packages and `.js` files only.
 *
 * @param use - Package name (`@qenus/sink-kafka`) or path (`./plugins/foo.ts`), as in a config entry.
 * @param fromDir - Folder to resolve from: the config file's folder.
 * @returns The plugin.
 * @throws {@link QenusError} with code `PLUGIN_NOT_FOUND`, `PLUGIN_LOAD_FAILED`, `PLUGIN_INVALID`
 * or `PLUGIN_API_MISMATCH`.
 *
 * @example
 * ```ts
 * import { loadPlugin } from '@qenus/core'
 * const plugin = await loadPlugin('@qenus/sink-console', process.cwd())
 * ```
 */
export async function loadPlugin(use: string, fromDir: string): Promise<Plugin> {
  const entry = resolvePluginEntry(use, fromDir)
  if (!entry) throw notFound(use, fromDir)
  const key = realpathSync(entry)
  let pending = cache.get(key)
  if (!pending) {
    pending = importPlugin(use, key)
    cache.set(key, pending)
    pending.catch(() => cache.delete(key))
  }
  return pending
}

async function importPlugin(use: string, file: string): Promise<Plugin> {
  let module: { default?: unknown }
  try {
    module =
      file.endsWith('.ts') || file.endsWith('.mts')
        ? await importTypeScript(file)
        : await import(pathToFileURL(file).href)
  } catch (cause) {
    throw new QenusError(`cannot load plugin "${use}" from ${file}`, {
      code: 'PLUGIN_LOAD_FAILED',
      details: cause instanceof Error ? cause.message : String(cause),
      cause,
    })
  }
  return checkPlugin(use, file, pluginExport(module))
}

// A CommonJS build of an ES module puts the plugin under `module.exports.default`.
function pluginExport(module: { default?: unknown }): unknown {
  const value = module.default
  if (isPlugin(value)) return value
  const nested = (value as { default?: unknown } | undefined)?.default
  return isPlugin(nested) ? nested : value
}

function checkPlugin(use: string, file: string, value: unknown): Plugin {
  if (value === undefined) {
    throw new QenusError(`"${use}" (${file}) has no default export; a plugin's default export is definePlugin({...})`, {
      code: 'PLUGIN_INVALID',
    })
  }
  if (!isPlugin(value)) {
    throw new QenusError(
      `the default export of "${use}" (${file}) is not a plugin; export default definePlugin({...}) from @qenus/core`,
      { code: 'PLUGIN_INVALID' },
    )
  }
  const core = coreVersion()
  const range = semver.validRange(value.apiVersion)
  if (!range) {
    throw new QenusError(
      `plugin ${value.name} has an invalid apiVersion "${value.apiVersion}"; expected a semver range`,
      {
        code: 'PLUGIN_INVALID',
      },
    )
  }
  if (!semver.satisfies(core, range, { includePrerelease: true })) {
    throw new QenusError(
      `plugin ${value.name} ${value.version} needs @qenus/core ${value.apiVersion} (its apiVersion), but this is @qenus/core ${core}; install a release of ${value.name} built for @qenus/core ${core}`,
      { code: 'PLUGIN_API_MISMATCH' },
    )
  }
  return value
}

function notFound(use: string, fromDir: string): QenusError {
  if (isPathSpecifier(use)) {
    return new QenusError(`cannot find plugin "${use}" from ${fromDir}: no such file, or a folder without an entry`, {
      code: 'PLUGIN_NOT_FOUND',
    })
  }
  return new QenusError(`cannot find package "${use}" from ${fromDir}; install it: npm i ${use}`, {
    code: 'PLUGIN_NOT_FOUND',
  })
}

// Node 20 cannot import TypeScript: compile to an ES module beside the file so its imports resolve as written.
async function importTypeScript(file: string): Promise<{ default?: unknown }> {
  const ts = await importTypeScriptCompiler()
  const output = ts.transpileModule(await readFile(file, 'utf8'), {
    fileName: file,
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      experimentalDecorators: true,
      sourceMap: false,
    },
  })
  const compiled = `${file}.${randomUUID()}.mjs`
  await writeFile(compiled, output.outputText)
  try {
    return await import(pathToFileURL(compiled).href)
  } finally {
    await rm(compiled, { force: true })
  }
}

async function importTypeScriptCompiler(): Promise<typeof import('typescript')> {
  try {
    return (await import('typescript')).default
  } catch (cause) {
    throw new Error('loading a .ts plugin needs the typescript package: npm i -D typescript', { cause })
  }
}
