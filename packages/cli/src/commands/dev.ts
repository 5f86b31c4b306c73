import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { resolveConfig } from '@qenus/core'
import type { CliOptions } from '../main.js'
import { runPipeline } from '../pipeline.js'
import { parseNumberOption } from '../usage.js'

/** Where the embedded config resolves its plugins from: this package, which depends on them. */
const PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..')

/**
 * The embedded default pipeline: the devnet's Uniswap V3 pools and gas, read over JSON-RPC, into
 * the console, a JSON lines file and a Parquet archive beside it.
 */
export function devConfig(
  rpcUrl: string,
  out: string,
  quiet: boolean,
  stateDir: string,
  archive: string,
): Record<string, unknown> {
  return {
    name: 'dev',
    chains: {
      devnet: { chainId: 31337, source: { use: '@qenus/source-rpc', providers: [rpcUrl], pollIntervalMs: 100 } },
    },
    extractors: [{ use: '@qenus/plugin-uniswap-v3', pools: 'all' }, { use: '@qenus/plugin-gas' }],
    sinks: [
      ...(quiet ? [] : [{ use: '@qenus/sink-console', id: 'stdout' }]),
      { use: '@qenus/sink-console', id: 'file', path: out },
      // A devnet never reorganises: every block is final at once.
      { use: '@qenus/sink-parquet', id: 'archive', dir: archive, finality: 0 },
    ],
    checkpoint: { dir: resolve(stateDir, 'checkpoints') },
    server: { port: 0 },
  }
}

/** `qenus dev`: a local devnet with real contracts and traffic, and the embedded pipeline on it. */
export async function dev(options: CliOptions): Promise<number> {
  const out = resolve(options.out ?? '.qenus/dev/features.jsonl')
  const seed = parseNumberOption('seed', options.seed, 1)
  const rate = parseNumberOption('rate', options.rate, 2)
  const blocks = options.blocks === undefined ? undefined : BigInt(parseNumberOption('blocks', options.blocks, 1))
  await mkdir(dirname(out), { recursive: true })
  // Each run is a new devnet: an archive of the previous one would mix two chains under one name.
  const archive = join(dirname(out), 'archive')
  await rm(archive, { recursive: true, force: true })
  // The devnet is new each time, so its checkpoints must not outlive it.
  const stateDir = await mkdtemp(join(tmpdir(), 'qenus-dev-'))
  const { startDevnet } = await import('@qenus/testkit')
  const devnet = await startDevnet()
  try {
    const config = await resolveConfig(devConfig(devnet.rpcUrl, out, options.quiet === true, stateDir, archive), {
      file: '<embedded>',
      dir: PACKAGE_DIR,
      env: process.env,
    })
    const start = await devnet.publicClient.getBlockNumber()
    const traffic = devnet.runTraffic({ seed, rate })
    try {
      return await runPipeline(config, { from: start + 1n, to: blocks === undefined ? undefined : start + blocks })
    } finally {
      await traffic.stop()
    }
  } finally {
    await devnet.stop()
    await rm(stateDir, { recursive: true, force: true })
  }
}
