/**
 * The `qenus` command line: `run`, `validate` and `dev`.
 *
 * @packageDocumentation
 */
export { type CliOptions, main } from './main.js'
export { ExitCode } from './usage.js'
