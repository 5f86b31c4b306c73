import { loadConfig } from '@qenus/core'
import type { CliOptions } from '../main.js'
import { runPipeline } from '../pipeline.js'
import { parseBlockOption } from '../usage.js'

/** `qenus run`: follows the head from the checkpoint, or from `--from` when there is none. */
export async function run(options: CliOptions): Promise<number> {
  const from = parseBlockOption('from', options.from) ?? 'head'
  const config = await loadConfig({ config: options.config })
  return runPipeline(config, { from })
}
