import { existsSync, readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const CONDITIONS = ['node', 'import', 'default']

/** True when `use` names a file or folder rather than a package. @internal */
export function isPathSpecifier(use: string): boolean {
  return use.startsWith('./') || use.startsWith('../') || use === '.' || use === '..' || isAbsolute(use)
}

/**
 * Resolves a plugin's entry file, or `undefined` when nothing is there.
 *
 * @remarks
 * Packages are looked up in `node_modules` folders from `fromDir` upward and their `exports` are read
 * with ESM conditions, so an ESM-only plugin resolves; `require.resolve` is the fallback for layouts
 * that walk does not cover (NODE_PATH, global folders).
 * @internal
 */
export function resolvePluginEntry(use: string, fromDir: string): string | undefined {
  if (isPathSpecifier(use)) return resolvePath(resolve(fromDir, use))
  const name = packageName(use)
  const root = findPackageRoot(name, fromDir)
  if (root) return resolvePath(join(root, use.slice(name.length)))
  try {
    return createRequire(join(fromDir, 'noop.js')).resolve(use)
  } catch {
    return undefined
  }
}

function resolvePath(path: string): string | undefined {
  if (!existsSync(path)) return undefined
  if (!statSync(path).isDirectory()) return path
  const manifest = join(path, 'package.json')
  if (existsSync(manifest)) return packageEntry(path, JSON.parse(readFileSync(manifest, 'utf8')))
  for (const index of ['index.js', 'index.mjs', 'index.ts']) if (existsSync(join(path, index))) return join(path, index)
  return undefined
}

function packageEntry(dir: string, manifest: { exports?: unknown; main?: unknown }): string | undefined {
  const exported = manifest.exports === undefined ? undefined : pickExport(rootExport(manifest.exports))
  const entry = exported ?? (typeof manifest.main === 'string' ? manifest.main : 'index.js')
  const file = join(dir, entry)
  return existsSync(file) ? file : undefined
}

function rootExport(exports: unknown): unknown {
  if (typeof exports !== 'object' || exports === null || Array.isArray(exports)) return exports
  const keys = Object.keys(exports)
  return keys.some((key) => key.startsWith('.')) ? (exports as Record<string, unknown>)['.'] : exports
}

function pickExport(target: unknown): string | undefined {
  if (typeof target === 'string') return target
  if (Array.isArray(target)) return target.map(pickExport).find((found) => found !== undefined)
  if (typeof target !== 'object' || target === null) return undefined
  for (const [condition, value] of Object.entries(target)) {
    if (!CONDITIONS.includes(condition)) continue
    const found = pickExport(value)
    if (found !== undefined) return found
  }
  return undefined
}

function packageName(use: string): string {
  const parts = use.split('/')
  return use.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? use)
}

function findPackageRoot(name: string, fromDir: string): string | undefined {
  for (let dir = resolve(fromDir); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name)
    if (existsSync(join(candidate, 'package.json'))) return candidate
    if (dirname(dir) === dir) return undefined
  }
}

/** The version of this copy of `@qenus/core`, read from its package.json (from `src/` or `dist/`). @internal */
export function coreVersion(): string {
  cachedVersion ??= readCoreVersion()
  return cachedVersion
}

let cachedVersion: string | undefined

function readCoreVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json')
    if (existsSync(manifest)) {
      const { name, version } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string }
      if (name === '@qenus/core' && version) return version
    }
    if (dirname(dir) === dir) throw new Error('@qenus/core: cannot find its own package.json')
  }
}
