import type { ConfigIssue } from './error.js'
import { isRecord, joinPath } from './path.js'

/** What {@link interpolateEnv} returns. */
export interface InterpolateEnvResult<T> {
  /** The value with every reference replaced; a reference that failed is left as written. */
  value: T
  /** One issue per reference that could not be replaced, at the path of its string. */
  issues: ConfigIssue[]
}

const REFERENCE = /\$(\$?)\{([^}]*)\}/g
const VARIABLE = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/

/**
 * Replaces `${VAR}` and `${VAR:-default}` in every string of `value`, deeply, with values from
 * `env`. `$${VAR}` is an escape that yields the literal text `${VAR}`.
 *
 * @remarks
 * As in a shell, `${VAR:-default}` uses the default when `VAR` is unset or empty. A reference to a
 * missing variable without a default is reported as an issue naming the path of its string and the
 * variable, never the value of any variable. Object keys are not interpolated.
 *
 * @param value - The raw config, as the file held it.
 * @param env - The variables, usually `process.env`.
 * @param path - The path of `value` in the config, prefixed to issue paths. @default ''
 * @returns A copy of `value` with references replaced, and the issues found.
 *
 * @example
 * ```ts
 * import { interpolateEnv } from '@qenus/core'
 * const { value, issues } = interpolateEnv({ url: '${RPC:-http://127.0.0.1:8545}' }, process.env)
 * ```
 */
export function interpolateEnv<T>(value: T, env: NodeJS.ProcessEnv, path = ''): InterpolateEnvResult<T> {
  const issues: ConfigIssue[] = []
  return { value: walk(value, env, path, issues) as T, issues }
}

function walk(value: unknown, env: NodeJS.ProcessEnv, path: string, issues: ConfigIssue[]): unknown {
  if (typeof value === 'string') return interpolateString(value, env, path, issues)
  if (Array.isArray(value)) return value.map((item, index) => walk(item, env, joinPath(path, index), issues))
  if (!isPlainObject(value)) return value
  const copy: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value)) copy[key] = walk(item, env, joinPath(path, key), issues)
  return copy
}

function interpolateString(text: string, env: NodeJS.ProcessEnv, path: string, issues: ConfigIssue[]): string {
  return text.replace(REFERENCE, (whole, escaped: string, body: string) => {
    if (escaped) return whole.slice(1)
    const match = VARIABLE.exec(body)
    if (!match) {
      issues.push({ path, message: `invalid variable reference "\${${body}}": expected \${NAME} or \${NAME:-default}` })
      return whole
    }
    const [, name, fallback] = match as unknown as [string, string, string | undefined]
    const found = env[name]
    if (fallback !== undefined) return found ? found : fallback
    if (found !== undefined) return found
    issues.push({ path, message: `environment variable ${name} is not set (write \${${name}:-default} for a default)` })
    return whole
  })
}

// Class instances (a Date, a URL) are values, not config structure: leave them as they are.
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (!isRecord(value)) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}
