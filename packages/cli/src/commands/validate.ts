import { loadConfig } from '@qenus/core'
import type { CliOptions } from '../main.js'
import { ExitCode } from '../usage.js'

/** `qenus validate`: loads and validates a config, then prints what it would run. */
export async function validate(options: CliOptions): Promise<number> {
  const config = await loadConfig({ config: options.config })
  const lines = [`${config.file}: ok, pipeline "${config.name}"`]
  for (const chain of config.chains) {
    lines.push(`  chain ${chain.info.name} (${chain.info.chainId}) ← ${chain.source.plugin}#${chain.source.id}`)
  }
  for (const role of ['extractors', 'detectors', 'sinks'] as const) {
    for (const component of config[role]) lines.push(`  ${role.slice(0, -1)} ${component.id} ← ${component.plugin}`)
  }
  process.stdout.write(`${lines.join('\n')}\n`)
  return ExitCode.ok
}
