import type { z } from 'zod'
import type { ConfigIssue } from './error.js'
import { joinPaths } from './path.js'

type ZodIssue = z.core.$ZodIssue

/**
 * Turns zod issues into config issues below `base`: one issue per unknown key, at that key, and
 * messages that say what was expected and what kind of value was found (never a string's text,
 * which may hold an interpolated secret).
 * @internal
 */
export function fromZodIssues(issues: readonly ZodIssue[], base: string, schema: z.ZodType): ConfigIssue[] {
  return issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') return unknownKeys(issue, base, schema)
    return [{ path: joinPaths(base, issue.path), message: describeIssue(issue) }]
  })
}

function unknownKeys(issue: ZodIssue & { keys: string[] }, base: string, schema: z.ZodType): ConfigIssue[] {
  const known = objectKeysAt(schema, issue.path)
  const hint = known.length > 0 ? `; expected one of: ${known.join(', ')}` : ''
  const where = issue.path.length === 0 && base === '' ? 'top-level key' : 'key'
  return issue.keys.map((key) => ({
    path: joinPaths(base, [...issue.path, key]),
    message: `unknown ${where} "${key}"${hint}`,
  }))
}

function describeIssue(issue: ZodIssue): string {
  const input = (issue as { input?: unknown }).input
  if (issue.code === 'invalid_type' && issue.message.startsWith('Invalid input:')) {
    if (input === undefined) return `required: expected ${issue.expected}`
    return `expected ${issue.expected}, found ${describeValue(input)}`
  }
  if (input === undefined || /\bfound\b/.test(issue.message)) return issue.message
  if (issue.code === 'invalid_value' && typeof input === 'string') return `${issue.message}, found "${input}"`
  return `${issue.message}, found ${describeValue(input)}`
}

/** Names a value by kind; numbers and booleans by value, strings never (they may be secrets). @internal */
export function describeValue(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (typeof value === 'object') return 'an object'
  if (typeof value === 'string') return value === '' ? 'an empty string' : 'a string'
  return value === undefined ? 'nothing' : `a ${typeof value}`
}

interface SchemaDef {
  type: string
  shape?: Record<string, unknown>
  innerType?: z.ZodType
  element?: z.ZodType
  valueType?: z.ZodType
  in?: z.ZodType
}

// Walks the schema along an issue path to list the keys an object there accepts.
function objectKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let current: z.ZodType | undefined = schema
  for (let index = 0; current && index <= path.length; ) {
    const def: SchemaDef = (current as unknown as { _zod: { def: SchemaDef } })._zod.def
    const inner: z.ZodType | undefined = def.innerType ?? def.in
    if (inner) {
      current = inner
      continue
    }
    if (index === path.length) return def.type === 'object' && def.shape ? Object.keys(def.shape) : []
    const key = path[index++]
    if (def.type === 'object') current = def.shape?.[String(key)] as z.ZodType | undefined
    else current = def.type === 'array' ? def.element : def.type === 'record' ? def.valueType : undefined
  }
  return []
}
