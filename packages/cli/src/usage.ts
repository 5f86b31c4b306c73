import { QenusError } from '@qenus/core'

/** Exit codes of the `qenus` command. */
export const ExitCode = {
  /** Success. */
  ok: 0,
  /** A runtime failure. */
  failure: 1,
  /** A bad config or bad usage. */
  usage: 2,
} as const

/** Text printed by `qenus --help`. */
export const USAGE = `Usage: qenus <command> [options]

Commands:
  run        Run a pipeline, following the head.
               --config <file>   config file (default: searched from the current folder)
               --from <block>    first block when there is no checkpoint yet (default: the head)
  backfill   Process a block range, resuming from the checkpoint, and exit when done.
               --config <file>
               --from <block>    first block (when there is no checkpoint yet)
               --to <block|latest>
               --chain <name>    only this chain
  validate   Load and validate a config, print what it runs, and exit.
               --config <file>
  dev        Start a local devnet with real Uniswap V3 contracts and traffic, and run the
             embedded default pipeline on it: Uniswap V3 and gas features to the console, a
             JSON lines file and a Parquet archive in the file's folder (archive/).
               --out <file>      JSON lines file (default: .qenus/dev/features.jsonl)
               --seed <n>        traffic seed (default: 1)
               --rate <n>        blocks of traffic per second (default: 2)
               --blocks <n>      stop after this many blocks (default: run until interrupted)
               --quiet           do not print features to stdout
  inspect    Print the schema, row count, block range and a sample of a Parquet file or of
             every .parquet file under a folder (e.g. an archive of @qenus/sink-parquet).
               <file|dir>        the file or folder
               --json            print JSON instead of tables
               --sample <n>      rows in the sample (default: 5)

Options:
  -h, --help     show this help
  -v, --version  print the version

Exit codes: 0 ok, 1 runtime failure, 2 bad config or usage.`

/** A command line that cannot be run as written. */
export class UsageError extends QenusError {
  override name = 'UsageError'
  constructor(message: string) {
    super(message, { code: 'USAGE', details: 'Run `qenus --help` for usage.' })
  }
}

/** Parses a non-negative integer option, naming it when it is not one. */
export function parseBlockOption(name: string, value: string | undefined): bigint | undefined {
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} expects a block number, got "${value}"`)
  return BigInt(value)
}

/** Parses a positive number option, naming it when it is not one. */
export function parseNumberOption(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} expects a positive number, got "${value}"`)
  return n
}
