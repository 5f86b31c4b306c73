import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

/** One pipeline run's files. */
export interface Run {
  config: string
  out: string
  checkpoint: string
}

/** Writes a `qenus` config: the given source, Uniswap V3 and gas extractors, a console sink into a file. */
export async function prepare(dir: string, source: Record<string, unknown>, extra: object = {}): Promise<Run> {
  await mkdir(dir, { recursive: true })
  const out = join(dir, 'features.jsonl')
  const config = join(dir, 'qenus.config.json')
  await writeFile(
    config,
    JSON.stringify({
      name: 'e2e',
      chains: { devnet: { chainId: 31337, source } },
      extractors: [{ use: '@qenus/plugin-uniswap-v3', pools: 'all' }, { use: '@qenus/plugin-gas' }],
      sinks: [{ use: '@qenus/sink-console', path: out }],
      checkpoint: { dir: join(dir, 'checkpoints') },
      server: { port: false },
      ...extra,
    }),
  )
  return { config, out, checkpoint: join(dir, 'checkpoints', 'e2e.devnet.json') }
}
