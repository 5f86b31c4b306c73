import 'reflect-metadata'
import { injectable } from 'tsyringe'
import type { z } from 'zod'
import type { Detector } from '../contracts/detector.js'
import type { Extractor } from '../contracts/extractor.js'
import type { Sink } from '../contracts/sink.js'
import type { Source } from '../contracts/source.js'

/** How settled a component's behaviour and options are. */
export type Stability = 'experimental' | 'beta' | 'stable'

/** The four roles a component can play. */
export type ComponentRole = 'source' | 'extractor' | 'detector' | 'sink'

/** Maps each role to the interface its instances implement. */
export interface ComponentInstanceMap {
  source: Source
  extractor: Extractor
  detector: Detector
  sink: Sink
}

/** A class whose constructor parameters are all decorated with `@inject(Token)`. */
// biome-ignore lint/suspicious/noExplicitAny: constructor parameters are resolved by the container
export type InjectableClass<T> = new (...args: any[]) => T

/** What a component definition takes. */
export interface ComponentSpec<R extends ComponentRole, S extends z.ZodType> {
  /** Component name, unique within its plugin for its role, e.g. `uniswap-v3`. */
  name: string
  /** One line saying what the component does. */
  summary: string
  /** How settled the component is. */
  stability: Stability
  /**
   * Schema of the component's options: the single source of truth for validation, JSON Schema
   * and docs. It sees the config entry without `use`, `component`, `id`, `chains` and `select`.
   */
  options: S
  /** The implementation; resolved with its validated options under `OptionsToken`. */
  component: InjectableClass<ComponentInstanceMap[R]>
}

/** A component definition, as `defineSource` and friends return it. */
export interface ComponentDefinition<R extends ComponentRole = ComponentRole, S extends z.ZodType = z.ZodType>
  extends ComponentSpec<R, S> {
  /** The role. */
  role: R
}

function define<R extends ComponentRole, S extends z.ZodType>(
  role: R,
  spec: ComponentSpec<R, S>,
): ComponentDefinition<R, S> {
  injectable()(spec.component)
  return Object.freeze({ ...spec, role })
}

/**
 * Defines a source component.
 *
 * @example
 * ```ts
 * import { defineSource, inject, OptionsToken, z } from '@qenus/core'
 * export const rpc = defineSource({ name: 'rpc', summary: 'JSON-RPC', stability: 'beta',
 *   options: z.object({ url: z.string() }), component: RpcSource })
 * ```
 */
export function defineSource<S extends z.ZodType>(spec: ComponentSpec<'source', S>): ComponentDefinition<'source', S> {
  return define('source', spec)
}

/** Defines an extractor component. See {@link defineSource}. */
export function defineExtractor<S extends z.ZodType>(
  spec: ComponentSpec<'extractor', S>,
): ComponentDefinition<'extractor', S> {
  return define('extractor', spec)
}

/** Defines a detector component. See {@link defineSource}. */
export function defineDetector<S extends z.ZodType>(
  spec: ComponentSpec<'detector', S>,
): ComponentDefinition<'detector', S> {
  return define('detector', spec)
}

/** Defines a sink component. See {@link defineSource}. */
export function defineSink<S extends z.ZodType>(spec: ComponentSpec<'sink', S>): ComponentDefinition<'sink', S> {
  return define('sink', spec)
}

/** The components a plugin ships, by role then by name. */
export interface PluginComponents {
  /** Sources by name. */
  sources?: Record<string, ComponentDefinition<'source'>>
  /** Extractors by name. */
  extractors?: Record<string, ComponentDefinition<'extractor'>>
  /** Detectors by name. */
  detectors?: Record<string, ComponentDefinition<'detector'>>
  /** Sinks by name. */
  sinks?: Record<string, ComponentDefinition<'sink'>>
}

/** What {@link definePlugin} takes. */
export interface PluginSpec {
  /** Package name, e.g. `@qenus/plugin-uniswap-v3`. */
  name: string
  /** Package version. */
  version: string
  /** The `@qenus/core` semver range the plugin was built against, e.g. `^0.1.0`. */
  apiVersion: string
  /** The components the plugin ships. */
  components: PluginComponents
}

/** A plugin, the default export of a plugin package. */
export interface Plugin extends PluginSpec {
  /** Brand that marks a value as a plugin across copies of `@qenus/core`. */
  readonly [PLUGIN_BRAND]: true
}

/** @internal */
export const PLUGIN_BRAND: unique symbol = Symbol.for('qenus.plugin') as never

/**
 * Defines a plugin: the one default export of a plugin package.
 *
 * @example
 * ```ts
 * import { definePlugin } from '@qenus/core'
 * export default definePlugin({
 *   name: '@acme/plugin-foo', version: '0.1.0', apiVersion: '^0.1.0',
 *   components: { extractors: { foo: fooExtractor } },
 * })
 * ```
 */
export function definePlugin(spec: PluginSpec): Plugin {
  return Object.freeze({ ...spec, [PLUGIN_BRAND]: true as const })
}

/** True when `value` was made by {@link definePlugin} in any copy of `@qenus/core`. */
export function isPlugin(value: unknown): value is Plugin {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[PLUGIN_BRAND] === true
}
