import { isQenusError } from '../errors.js'
import type { ComponentDefinition, ComponentRole, Plugin } from '../plugin/define.js'
import { loadPlugin } from '../plugin/load.js'
import type { ConfigIssue } from './error.js'
import { fromZodIssues } from './issues.js'
import { joinPath } from './path.js'
import type { ResolvedComponent, Selector } from './types.js'

/** A component entry found in a raw config, before its plugin is loaded. @internal */
export interface RawEntry {
  /** The role the entry's place gives it. */
  role: ComponentRole
  /** Where it is, e.g. `sinks[1]`. */
  path: string
  /** The entry as written (after interpolation); `use` is a non-empty string. */
  entry: Record<string, unknown> & { use: string }
}

/** What resolving one entry gave: the component, or the issues that prevented it. @internal */
export interface EntryResult {
  /** The entry resolved. */
  raw: RawEntry
  /** The component, when its plugin loaded and its options were valid. */
  component?: ResolvedComponent | undefined
  /** The component name the entry picked, when its plugin loaded. */
  name?: string | undefined
  /** Everything wrong with the entry. */
  issues: ConfigIssue[]
}

const ROLE_KEY = { source: 'sources', extractor: 'extractors', detector: 'detectors', sink: 'sinks' } as const
const ENTRY_KEYS = new Set(['use', 'component', 'id', 'chains', 'select'])

/**
 * Loads an entry's plugin, picks its component and validates the entry's options with the
 * component's schema. Problems become issues at the entry's paths; nothing is thrown.
 * @internal
 */
export async function resolveEntry(raw: RawEntry, dir: string): Promise<EntryResult> {
  const { entry, path, role } = raw
  let plugin: Plugin
  try {
    plugin = await loadPlugin(entry.use, dir)
  } catch (error) {
    return { raw, issues: [{ path: joinPath(path, 'use'), message: loadMessage(error) }] }
  }
  const picked = pickComponent(plugin, role, entry.component, path)
  if ('issue' in picked) return { raw, issues: [picked.issue] }
  const { definition } = picked
  const options = Object.fromEntries(Object.entries(entry).filter(([key]) => !ENTRY_KEYS.has(key)))
  const parsed = await parseOptions(definition, options, path)
  if ('issues' in parsed) return { raw, name: definition.name, issues: parsed.issues }
  const component: ResolvedComponent = {
    role,
    id: typeof entry.id === 'string' ? entry.id : definition.name,
    use: entry.use,
    plugin: plugin.name,
    definition,
    options: parsed.data,
    path,
  }
  if (role === 'extractor' && entry.chains !== undefined) component.chains = entry.chains as string[]
  if ((role === 'sink' || role === 'detector') && entry.select !== undefined)
    component.select = entry.select as Selector
  return { raw, component, name: definition.name, issues: [] }
}

function loadMessage(error: unknown): string {
  if (!isQenusError(error)) return error instanceof Error ? error.message : String(error)
  return error.details ? `${error.shortMessage}: ${error.details}` : error.shortMessage
}

type Picked = { definition: ComponentDefinition } | { issue: ConfigIssue }

function pickComponent(plugin: Plugin, role: ComponentRole, wanted: unknown, path: string): Picked {
  const available = plugin.components[ROLE_KEY[role]] ?? {}
  const names = Object.keys(available)
  if (names.length === 0) {
    const ships = shippedSummary(plugin)
    return { issue: { path: joinPath(path, 'use'), message: `plugin ${plugin.name} ships no ${role} (${ships})` } }
  }
  if (typeof wanted === 'string') {
    const definition = Object.hasOwn(available, wanted) ? available[wanted] : undefined
    if (definition) return { definition }
    const message = `plugin ${plugin.name} has no ${role} "${wanted}"; its ${ROLE_KEY[role]}: ${names.join(', ')}`
    return { issue: { path: joinPath(path, 'component'), message } }
  }
  if (names.length > 1) {
    const message = `plugin ${plugin.name} ships several ${ROLE_KEY[role]} (${names.join(', ')}): set component to one of them`
    return { issue: { path: joinPath(path, 'component'), message } }
  }
  return { definition: available[names[0] as string] as ComponentDefinition }
}

function shippedSummary(plugin: Plugin): string {
  const parts = Object.entries(plugin.components)
    .filter(([, components]) => components && Object.keys(components).length > 0)
    .map(([key, components]) => `${key}: ${Object.keys(components ?? {}).join(', ')}`)
  return parts.length > 0 ? `it ships ${parts.join('; ')}` : 'it ships no components'
}

type Parsed = { data: unknown } | { issues: ConfigIssue[] }

async function parseOptions(definition: ComponentDefinition, options: unknown, path: string): Promise<Parsed> {
  try {
    const result = await definition.options.safeParseAsync(options, { reportInput: true })
    if (result.success) return { data: result.data }
    return { issues: fromZodIssues(result.error.issues, path, definition.options) }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    return {
      issues: [{ path, message: `the options schema of ${definition.role} ${definition.name} failed: ${reason}` }],
    }
  }
}
