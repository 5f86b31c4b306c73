import { dirname, resolve } from 'node:path'
import { type CosmiconfigResult, cosmiconfig } from 'cosmiconfig'
import { ConfigError } from './error.js'
import { resolveConfig } from './resolve.js'
import type { ResolvedConfig } from './types.js'

/** Where {@link loadConfig} looks for a config. */
export interface LoadConfigOptions {
  /** Config file to load, relative to `cwd`; when omitted, the config is searched for from `cwd`. */
  config?: string | undefined
  /** Folder to search from and to resolve `config` against. @default process.cwd() */
  cwd?: string | undefined
  /** Variables for `${VAR}` interpolation. @default process.env */
  env?: NodeJS.ProcessEnv | undefined
}

/** The file names searched for, in order, in each folder from `cwd` up to the project root. */
export const CONFIG_FILE_NAMES: readonly string[] = [
  'package.json',
  'qenus.config.ts',
  'qenus.config.mjs',
  'qenus.config.js',
  'qenus.config.cjs',
  'qenus.config.json',
  'qenus.config.yaml',
  'qenus.config.yml',
  '.qenusrc',
  '.qenusrc.json',
  '.qenusrc.yaml',
  '.qenusrc.yml',
  '.qenusrc.js',
  '.qenusrc.mjs',
  '.qenusrc.ts',
]

/**
 * Finds, reads and resolves a config: `qenus.config.{ts,mjs,js,cjs,json,yaml,yml}`, `.qenusrc`,
 * `.qenusrc.{json,yaml,yml,js,mjs,ts}` or a `"qenus"` key in package.json, searched from `cwd` up to
 * the nearest folder with a package.json, or the file named by `config`.
 *
 * @remarks
 * A `.ts` config is compiled with the `typescript` package, which must then be installed. Paths and
 * package names in the config resolve from the config file's folder. See {@link resolveConfig} for
 * what happens after reading.
 *
 * @param options - Where to look.
 * @returns The resolved config.
 * @throws {@link ConfigError} when no config is found, it cannot be read, or it is invalid.
 *
 * @example
 * ```ts
 * import { loadConfig } from '@qenus/core'
 * const config = await loadConfig({ config: 'qenus.config.ts' })
 * console.log(config.chains.map((chain) => chain.info.name))
 * ```
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<ResolvedConfig> {
  const cwd = resolve(options.cwd ?? process.cwd())
  const file = options.config === undefined ? undefined : resolve(cwd, options.config)
  const result = await read(file, cwd)
  if (!result) {
    const message = `no config found from ${cwd} up to the project root; looked for ${CONFIG_FILE_NAMES.join(', ')} (with a "qenus" key)`
    throw new ConfigError({ file: cwd, issues: [{ path: '', message }] })
  }
  if (result.isEmpty || result.config === undefined || result.config === null) {
    throw new ConfigError({ file: result.filepath, issues: [{ path: '', message: 'the config is empty' }] })
  }
  return resolveConfig(result.config, { file: result.filepath, dir: dirname(result.filepath), env: options.env })
}

async function read(file: string | undefined, cwd: string): Promise<CosmiconfigResult> {
  const explorer = cosmiconfig('qenus', {
    searchPlaces: [...CONFIG_FILE_NAMES],
    searchStrategy: 'project',
    cache: false,
  })
  try {
    return file === undefined ? await explorer.search(cwd) : await explorer.load(file)
  } catch (cause) {
    throw new ConfigError({ file: file ?? cwd, issues: [{ path: '', message: readFailure(cause) }], cause })
  }
}

function readFailure(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string }
  if (code === 'ENOENT') return 'cannot read the config: no such file'
  if (code === 'ERR_MODULE_NOT_FOUND' && message?.includes("'typescript'")) {
    return 'loading a .ts config needs the typescript package: npm i -D typescript'
  }
  return `cannot read the config: ${message ?? String(error)}`
}
