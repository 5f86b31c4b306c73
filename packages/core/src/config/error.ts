import { QenusError } from '../errors.js'

/** One problem found in a config: where it is and what was wrong. */
export interface ConfigIssue {
  /** Where in the config, e.g. `extractors[0].pools` or `chains.ethereum.source.providers[1]`; empty for the whole file. */
  path: string
  /** What was expected and what was found. */
  message: string
}

/** What {@link ConfigError} takes. */
export interface ConfigErrorParameters {
  /** The config file (absolute path), or `<embedded>`. */
  file: string
  /** Every problem found, at least one. */
  issues: ConfigIssue[]
  /** The error that caused this one, when there is a single cause. */
  cause?: unknown
}

const CONFIG_ERROR = Symbol.for('qenus.ConfigError')

/**
 * A config that cannot be used, with every problem found in it. Code `CONFIG_INVALID`.
 *
 * @remarks
 * Its message lists each issue as `<file>: <path>: <message>`, one per line. Use
 * {@link isConfigError} rather than `instanceof` across package boundaries.
 *
 * @example
 * ```ts
 * import { isConfigError, loadConfig } from '@qenus/core'
 * try {
 *   await loadConfig()
 * } catch (error) {
 *   if (isConfigError(error)) for (const issue of error.issues) console.error(issue.path, issue.message)
 * }
 * ```
 */
export class ConfigError extends QenusError {
  override name = 'ConfigError'
  /** The config file (absolute path), or `<embedded>`. */
  readonly file: string
  /** Every problem found. */
  readonly issues: ConfigIssue[]

  constructor({ file, issues, cause }: ConfigErrorParameters) {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`
    super(`Invalid config ${file} (${count})`, {
      code: 'CONFIG_INVALID',
      details: issues.map((issue) => formatIssue(file, issue)).join('\n'),
      cause,
    })
    this.file = file
    this.issues = issues
    Object.defineProperty(this, CONFIG_ERROR, { value: true })
  }
}

/** True when `error` is a {@link ConfigError} from any copy of `@qenus/core`. */
export function isConfigError(error: unknown): error is ConfigError {
  return typeof error === 'object' && error !== null && CONFIG_ERROR in error
}

function formatIssue(file: string, { path, message }: ConfigIssue): string {
  return path ? `${file}: ${path}: ${message}` : `${file}: ${message}`
}
