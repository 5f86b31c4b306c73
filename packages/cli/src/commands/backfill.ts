import { loadConfig, type ResolvedConfig } from '@qenus/core'
import type { CliOptions } from '../main.js'
import { runPipeline } from '../pipeline.js'
import { parseBlockOption, UsageError } from '../usage.js'

/**
 * `qenus backfill --from N --to M|latest [--chain C]`: processes blocks N..M (resuming from a
 * checkpoint when one exists), shows progress on a TTY, and exits when every lane reached M.
 *
 * @param options - The parsed command-line options.
 * @returns 0 when done; throws a usage or config error for bad input, a runtime error otherwise.
 *
 * @example
 * ```ts
 * process.exitCode = await backfill({ from: '19000000', to: 'latest', chain: 'ethereum' })
 * ```
 */
export async function backfill(options: CliOptions): Promise<number> {
  const from = parseBlockOption('from', options.from)
  if (from === undefined) throw new UsageError('"qenus backfill" needs --from <block>')
  if (options.to === undefined) throw new UsageError('"qenus backfill" needs --to <block|latest>')
  const to = options.to === 'latest' ? 'head' : (parseBlockOption('to', options.to) as bigint)
  if (to !== 'head' && to < from) throw new UsageError(`--to (${to}) is before --from (${from})`)
  const config = onlyChain(await loadConfig({ config: options.config }), options.chain)
  return runPipeline(config, { from, to })
}

/** The config narrowed to one chain, naming the configured chains when `name` is not one of them. */
function onlyChain(config: ResolvedConfig, name: string | undefined): ResolvedConfig {
  if (name === undefined) return config
  const chains = config.chains.filter((c) => c.info.name === name)
  if (chains.length === 0) {
    const known = config.chains.map((c) => c.info.name).join(', ')
    throw new UsageError(`--chain "${name}" is not in ${config.file}; configured chains: ${known}`)
  }
  return { ...config, chains }
}
