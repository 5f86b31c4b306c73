import { resolve } from 'node:path'
import type { ComponentRole } from '../plugin/define.js'
import { type ChainInfo, KNOWN_CHAINS } from '../schema/chains.js'
import { checkIds, checkReferences, knownChain } from './checks.js'
import { type EntryResult, type RawEntry, resolveEntry } from './components.js'
import { ConfigError } from './error.js'
import { interpolateEnv } from './interpolate.js'
import { fromZodIssues } from './issues.js'
import { isRecord, isWithin, joinPath, sortByPosition } from './path.js'
import { configSchema, type ParsedConfig } from './schema.js'
import type { ResolvedChain, ResolvedComponent, ResolvedConfig } from './types.js'

/** Where an in-memory config comes from, for {@link resolveConfig}. */
export interface ResolveConfigOptions {
  /** Names the config in errors: its absolute path, or `<embedded>`. @default '<embedded>' */
  file?: string | undefined
  /** Folder that `use` paths, package names and `checkpoint.dir` resolve from. @default process.cwd() */
  dir?: string | undefined
  /** Variables for `${VAR}` interpolation. @default process.env */
  env?: NodeJS.ProcessEnv | undefined
}

/**
 * Validates an in-memory config and resolves it: interpolates environment variables, checks the
 * shape, loads every plugin, validates each component's options with its own schema and applies
 * defaults.
 *
 * @param raw - The config, as a file would hold it.
 * @param options - Where it comes from.
 * @returns The resolved config.
 * @throws {@link ConfigError} listing every problem found.
 *
 * @example
 * ```ts
 * import { resolveConfig } from '@qenus/core'
 * const config = await resolveConfig(
 *   { name: 'dev', chains: { devnet: { source: { use: '@qenus/source-rpc', providers: ['http://127.0.0.1:8545'] } } } },
 *   { file: '<embedded>', dir: process.cwd() },
 * )
 * ```
 */
export async function resolveConfig(raw: unknown, options: ResolveConfigOptions = {}): Promise<ResolvedConfig> {
  const file = options.file ?? '<embedded>'
  const dir = resolve(options.dir ?? process.cwd())
  const { value, issues: envIssues } = interpolateEnv(raw, options.env ?? process.env)
  const shape = configSchema.safeParse(value, { reportInput: true })
  const input = isRecord(value) ? value : {}
  const results = await Promise.all(rawEntries(input).map((entry) => resolveEntry(entry, dir)))
  const found = [
    ...(shape.success ? [] : fromZodIssues(shape.error.issues, '', configSchema)),
    ...checkReferences(input),
    ...results.flatMap((result) => result.issues),
    ...checkIds(results),
  ]
  const issues = [...envIssues, ...found.filter(({ path }) => !envIssues.some((env) => isWithin(path, env.path)))]
  if (issues.length > 0 || !shape.success) throw new ConfigError({ file, issues: sortByPosition(issues, value) })
  return build(shape.data, file, dir, results)
}

function rawEntries(config: Record<string, unknown>): RawEntry[] {
  const chains = isRecord(config.chains) ? Object.entries(config.chains) : []
  const sources = chains.map(
    ([name, chain]) =>
      [isRecord(chain) ? chain.source : undefined, joinPath(joinPath('chains', name), 'source')] as const,
  )
  return [
    ...sources.flatMap(([entry, path]) => asEntry('source', entry, path)),
    ...listed(config, 'extractors', 'extractor'),
    ...listed(config, 'detectors', 'detector'),
    ...listed(config, 'sinks', 'sink'),
  ]
}

function listed(config: Record<string, unknown>, key: string, role: ComponentRole): RawEntry[] {
  const list = config[key]
  return Array.isArray(list) ? list.flatMap((entry, index) => asEntry(role, entry, joinPath(key, index))) : []
}

// Entries whose `use` is not a usable string are left to the shape check, which reports them.
function asEntry(role: ComponentRole, entry: unknown, path: string): RawEntry[] {
  if (!isRecord(entry) || typeof entry.use !== 'string' || entry.use === '') return []
  return [{ role, path, entry: entry as RawEntry['entry'] }]
}

function build(parsed: ParsedConfig, file: string, dir: string, results: EntryResult[]): ResolvedConfig {
  const components = results.map((result) => result.component as ResolvedComponent)
  const ofRole = <R extends ComponentRole>(role: R) =>
    components.filter((component): component is ResolvedComponent<R> => component.role === role)
  const sources = ofRole('source')
  return {
    file,
    dir,
    name: parsed.name,
    chains: Object.entries(parsed.chains).map(([name, entry], index) => resolveChain(name, entry, sources[index]!)),
    extractors: ofRole('extractor'),
    detectors: ofRole('detector'),
    sinks: ofRole('sink'),
    checkpoint: {
      dir: resolve(dir, parsed.checkpoint?.dir ?? '.qenus/checkpoints'),
      everyBlocks: parsed.checkpoint?.everyBlocks ?? 1000,
      everyMs: parsed.checkpoint?.everyMs ?? 1000,
    },
    queue: { maxBlocks: parsed.queue?.maxBlocks ?? 64 },
    server: { host: parsed.server?.host ?? '127.0.0.1', port: parsed.server?.port ?? 9464 },
    log: { level: parsed.log?.level ?? 'info' },
  }
}

type ParsedChain = ParsedConfig['chains'][string]

// A chain the registry does not know is taken for a devnet, without a Multicall3 it cannot vouch for.
function resolveChain(name: string, entry: ParsedChain, source: ResolvedComponent<'source'>): ResolvedChain {
  const base: ChainInfo = knownChain(name) ?? { ...KNOWN_CHAINS.devnet!, multicall3: undefined }
  const info: ChainInfo = {
    ...base,
    name,
    chainId: entry.chainId ?? base.chainId,
    blockTimeMs: entry.blockTimeMs ?? base.blockTimeMs,
    finalityDepth: typeof entry.finality === 'number' ? entry.finality : base.finalityDepth,
  }
  return { info, source, finality: entry.finality ?? info.finalityDepth }
}
