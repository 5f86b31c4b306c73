import { parseArgs } from 'node:util'
import { isConfigError, isQenusError } from '@qenus/core'
import { backfill } from './commands/backfill.js'
import { dev } from './commands/dev.js'
import { inspect } from './commands/inspect.js'
import { run } from './commands/run.js'
import { validate } from './commands/validate.js'
import { ExitCode, USAGE, UsageError } from './usage.js'
import { version } from './version.js'

const OPTIONS = {
  config: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  chain: { type: 'string' },
  out: { type: 'string' },
  seed: { type: 'string' },
  rate: { type: 'string' },
  blocks: { type: 'string' },
  quiet: { type: 'boolean' },
  json: { type: 'boolean' },
  sample: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const

/** Options each command accepts; anything else is a usage error. */
const ALLOWED: Record<string, readonly string[]> = {
  run: ['config', 'from'],
  backfill: ['config', 'from', 'to', 'chain'],
  validate: ['config'],
  dev: ['out', 'seed', 'rate', 'blocks', 'quiet'],
  inspect: ['json', 'sample'],
}

/** The parsed command line: each option as given, before the command parses its value. */
export interface CliOptions {
  /** `--config`: the config file. */
  config?: string | undefined
  /** `--from`: the first block when there is no checkpoint. */
  from?: string | undefined
  /** `--to`: the last block of a backfill, or `latest`. */
  to?: string | undefined
  /** `--chain`: backfill only this chain. */
  chain?: string | undefined
  /** `--out`: the dev pipeline's JSON lines file. */
  out?: string | undefined
  /** `--seed`: the dev traffic seed. */
  seed?: string | undefined
  /** `--rate`: dev traffic blocks per second. */
  rate?: string | undefined
  /** `--blocks`: stop the dev pipeline after this many blocks. */
  blocks?: string | undefined
  /** `--quiet`: no features on stdout in dev. */
  quiet?: boolean | undefined
  /** `--json`: machine-readable output of inspect. */
  json?: boolean | undefined
  /** `--sample`: rows in the sample of inspect. */
  sample?: string | undefined
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
    const takesPath = command === 'inspect'
    if (rest.length > (takesPath ? 1 : 0)) {
      throw new UsageError(`unexpected argument "${rest[takesPath ? 1 : 0]}" for "qenus ${command}"`)
    }
    for (const name of Object.keys(values)) {
      if (!allowed.includes(name)) throw new UsageError(`"qenus ${command}" does not take --${name}`)
    }
    const options = values as CliOptions
    if (command === 'run') return await run(options)
    if (command === 'validate') return await validate(options)
    if (command === 'backfill') return await backfill(options)
    if (command === 'inspect') return await inspect(rest[0], options)
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
  const message = isQenusError(error)
    ? error.message
    : error instanceof Error
      ? (error.stack ?? error.message)
      : String(error)
  process.stderr.write(`qenus: ${message}\n`)
  return ExitCode.failure
}

function isUsageParseError(error: unknown): error is Error {
  const code = (error as { code?: unknown } | undefined)?.code
  return error instanceof TypeError && typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')
}
