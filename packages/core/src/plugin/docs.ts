import { z } from 'zod'
import type { ComponentDefinition } from './define.js'

type JsonSchema = {
  type?: string | string[]
  const?: unknown
  enum?: unknown[]
  anyOf?: JsonSchema[]
  oneOf?: JsonSchema[]
  items?: JsonSchema
  properties?: Record<string, JsonSchema>
  required?: string[]
  default?: unknown
  description?: string
  minimum?: number
  maximum?: number
}

/** The markers around the generated options table in a package README. */
export const OPTIONS_TABLE_MARKERS = {
  /** Put before the table. */
  start: '<!-- options:start -->',
  /** Put after the table. */
  end: '<!-- options:end -->',
} as const

/**
 * The Markdown table of a component's options, generated from its options schema (the single
 * source of truth): name, type, default and the schema's `.describe()` text.
 *
 * @param definition - A component made with `defineSource`, `defineExtractor`, `defineDetector` or `defineSink`.
 * @returns The table, without the surrounding markers.
 *
 * @example
 * ```ts
 * import { optionsTable } from '@qenus/core'
 * import plugin from '@qenus/sink-console'
 * console.log(optionsTable(plugin.components.sinks!.console!))
 * ```
 */
export function optionsTable(definition: ComponentDefinition): string {
  const schema = z.toJSONSchema(definition.options, { io: 'input', unrepresentable: 'any' }) as JsonSchema
  const required = new Set(schema.required ?? [])
  const rows = Object.entries(schema.properties ?? {}).map(([name, property]) => {
    const fallback = property.default === undefined ? (required.has(name) ? 'required' : '') : code(property.default)
    return `| \`${name}\` | ${typeOf(property)} | ${fallback} | ${cell(property.description ?? '')} |`
  })
  return ['| option | type | default | description |', '|---|---|---|---|', ...rows].join('\n')
}

/**
 * Replaces the options table between {@link OPTIONS_TABLE_MARKERS} in a README's text.
 *
 * @returns The new text, or `undefined` when the markers are missing.
 */
export function withOptionsTable(readme: string, table: string): string | undefined {
  const start = readme.indexOf(OPTIONS_TABLE_MARKERS.start)
  const end = readme.indexOf(OPTIONS_TABLE_MARKERS.end)
  if (start < 0 || end < start) return undefined
  return `${readme.slice(0, start + OPTIONS_TABLE_MARKERS.start.length)}\n${table}\n${readme.slice(end)}`
}

function typeOf(schema: JsonSchema): string {
  if (schema.const !== undefined) return code(schema.const)
  if (schema.enum) return schema.enum.map(code).join(' \\| ')
  const union = schema.anyOf ?? schema.oneOf
  if (union) return union.map(typeOf).join(' \\| ')
  if (schema.type === 'array') {
    const item = schema.items ? typeOf(schema.items) : 'any'
    return item.includes(' \\| ') ? `(${item})[]` : `${item}[]`
  }
  if (Array.isArray(schema.type)) return schema.type.join(' \\| ')
  return schema.type ?? 'any'
}

function code(value: unknown): string {
  return `\`${JSON.stringify(value)}\``
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ')
}
