import { parseArgs } from 'node:util'
import { isConfigError, isQenusError } from '@qenus/core'
import { dev } from './commands/dev.js'
import { run } from './commands/run.js'
import { validate } from './commands/validate.js'
import { ExitCode, USAGE, UsageError } from './usage.js'
import { version } from './version.js'

const OPTIONS = {
  config: { type: 'string' },
  from: { type: 'string' },
  out: { type: 'string' },
  seed: { type: 'string' },
  rate: { type: 'string' },
  blocks: { type: 'string' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const

/** Options each command accepts; anything else is a usage error. */
const ALLOWED: Record<string, readonly string[]> = {
  run: ['config', 'from'],
  validate: ['config'],
  dev: ['out', 'seed', 'rate', 'blocks', 'quiet'],
}

/** The parsed command line. */
export type CliOptions = Partial<Record<Exclude<keyof typeof OPTIONS, 'help' | 'version' | 'quiet'>, string>> & {
  quiet?: boolean
}

/**
 * Runs the `qenus` command line and resolves to its exit code.
 *
 * @param argv - The arguments after the program name.
 * @returns 0 on success, 1 on a runtime failure, 2 on a bad config or bad usage.
 *
 * @example
 * ```ts
 * import { main } from '@qenus/cli'
 * process.exitCode = await main(['validate', '--config', 'qenus.config.ts'])
 * ```
 */
export async function main(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true })
    if (values.version) return print(version)
    const [command, ...rest] = positionals
    if (values.help || command === undefined || command === 'help') return print(USAGE)
    const allowed = ALLOWED[command]
    if (!allowed) throw new UsageError(`unknown command "${command}"`)
    if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}" for "qenus ${command}"`)
    for (const name of Object.keys(values)) {
      if (!allowed.includes(name)) throw new UsageError(`"qenus ${command}" does not take --${name}`)
    }
    const options = values as CliOptions
    if (command === 'run') return await run(options)
    if (command === 'validate') return await validate(options)
    return await dev(options)
  } catch (error) {
    return report(error)
  }
}

function print(text: string): number {
  process.stdout.write(`${text}\n`)
  return ExitCode.ok
}

function report(error: unknown): number {
  if (isConfigError(error) || error instanceof UsageError || isUsageParseError(error)) {
    process.stderr.write(`qenus: ${error instanceof Error ? error.message : String(error)}\n`)
    return ExitCode.usage
  }
  const message = isQenusError(error) ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)
  process.stderr.write(`qenus: ${message}\n`)
  return ExitCode.failure
}

function isUsageParseError(error: unknown): error is Error {
  const code = (error as { code?: unknown } | undefined)?.code
  return error instanceof TypeError && typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')
}
