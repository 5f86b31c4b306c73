import type { ComponentDefinition, ComponentRole } from '../plugin/define.js'
import type { ChainInfo, FinalityMode } from '../schema/chains.js'

/** Narrows what a sink or detector receives. Every list is optional; omitted means all. */
export interface Selector {
  /** Chain names. */
  chains?: string[] | undefined
  /** Kinds; `*` is a wildcard, e.g. `amm.*`. */
  kinds?: string[] | undefined
  /** Protocols, e.g. `uniswap-v3`. */
  protocols?: string[] | undefined
}

/** One component entry of a config file. Keys other than these are the component's options. */
export interface ComponentEntry {
  /** Package name (resolved from the config file's folder) or a relative path to a plugin. */
  use: string
  /** Which component of the plugin, when it ships several of this role. */
  component?: string | undefined
  /** Instance id, to tell two instances of one component apart; default `<component>`. */
  id?: string | undefined
  /** Component options. */
  [option: string]: unknown
}

/** A chain entry of a config file. */
export interface ChainEntry {
  /** The chain's source. */
  source: ComponentEntry
  /** Chain id; required for a chain the registry does not know (a devnet). */
  chainId?: number | undefined
  /** Finality: a block depth, or follow the node's `safe`/`finalized` tags. */
  finality?: FinalityMode | undefined
  /** Block time in milliseconds, for chains the registry does not know. */
  blockTimeMs?: number | undefined
}

/** The config file's shape, as {@link defineConfig} types it. */
export interface QenusConfig {
  /** Pipeline name; names the checkpoints and metrics. */
  name: string
  /** Chains by name: known names (`ethereum`, `arbitrum`, …) or devnets with a `chainId`. */
  chains: Record<string, ChainEntry>
  /** Extractors; `chains` limits one to some chains (default: every chain). */
  extractors?: (ComponentEntry & { chains?: string[] | undefined })[]
  /** Detectors, each with an optional `select`. */
  detectors?: (ComponentEntry & { select?: Selector | undefined })[]
  /** Sinks, each with an optional `select`. */
  sinks?: (ComponentEntry & { select?: Selector | undefined })[]
  /** Checkpoints. */
  checkpoint?: {
    /** Folder of the embedded file checkpoint store, relative to the config file. @default '.qenus/checkpoints' */
    dir?: string | undefined
    /**
     * Commit once this many blocks were written since the last commit… Each commit flushes
     * every sink and fsyncs, so committing every block costs throughput while catching up.
     * @default 1000
     */
    everyBlocks?: number | undefined
    /** …or once this many milliseconds passed, also when no block arrives. @default 1000 */
    everyMs?: number | undefined
  }
  /** Backpressure. */
  queue?: {
    /** Blocks buffered between extraction and sinks, per chain. @default 64 */
    maxBlocks?: number | undefined
  }
  /** The `/health` and `/metrics` HTTP server. */
  server?: {
    /** Host to bind. @default '127.0.0.1' */
    host?: string | undefined
    /** Port; 0 picks a free one; `false` disables the server. @default 9464 */
    port?: number | false | undefined
  }
  /** Logging. */
  log?: {
    /** pino level. @default 'info' */
    level?: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent' | undefined
  }
}

/** A component entry after its plugin was loaded and its options validated. */
export interface ResolvedComponent<R extends ComponentRole = ComponentRole> {
  /** The role. */
  role: R
  /** Instance id, unique per role: the entry's `id`, else the component name. */
  id: string
  /** The entry's `use`, as written. */
  use: string
  /** The plugin package name. */
  plugin: string
  /** The component's definition. */
  definition: ComponentDefinition<R>
  /** Options as the component's schema parsed them. */
  options: unknown
  /** Where the entry is in the config, e.g. `extractors[0]`. */
  path: string
  /** Extractors: chain names it runs on (all when omitted). */
  chains?: string[] | undefined
  /** Sinks and detectors: what they receive. */
  select?: Selector | undefined
}

/** A chain after validation. */
export interface ResolvedChain {
  /** The chain, with config overrides applied. */
  info: ChainInfo
  /** Its source. */
  source: ResolvedComponent<'source'>
  /** Finality mode as configured. */
  finality: FinalityMode
}

/** A config after loading, interpolation, plugin loading and validation. */
export interface ResolvedConfig {
  /** Absolute path of the config file, or `<embedded>`. */
  file: string
  /** Folder relative paths in the config are resolved from. */
  dir: string
  /** Pipeline name. */
  name: string
  /** Chains, in config order. */
  chains: ResolvedChain[]
  /** Extractors, in config order. */
  extractors: ResolvedComponent<'extractor'>[]
  /** Detectors, in config order. */
  detectors: ResolvedComponent<'detector'>[]
  /** Sinks, in config order. */
  sinks: ResolvedComponent<'sink'>[]
  /** Checkpoint settings with defaults applied; `dir` is absolute. */
  checkpoint: { dir: string; everyBlocks: number; everyMs: number }
  /** Queue settings with defaults applied. */
  queue: { maxBlocks: number }
  /** Server settings with defaults applied. */
  server: { host: string; port: number | false }
  /** Log settings with defaults applied. */
  log: { level: string }
}

/**
 * Types a config file. Returns its argument unchanged.
 *
 * @example
 * ```ts
 * import { defineConfig } from '@qenus/core'
 * export default defineConfig({ name: 'dev', chains: { devnet: { chainId: 31337,
 *   source: { use: '@qenus/source-rpc', providers: ['http://127.0.0.1:8545'] } } } })
 * ```
 */
export function defineConfig(config: QenusConfig): QenusConfig {
  return config
}
