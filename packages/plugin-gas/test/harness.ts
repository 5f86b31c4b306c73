import type { BlockEvent, ChainInfo, Feature, Logger } from '@qenus/core'
import { RpcSource, rpcSourceOptions } from '@qenus/source-rpc'
import { GasExtractor } from '../src/extractor/extractor.js'
import { type GasOptionsInput, gasOptions } from '../src/extractor/options.js'

/** A logger that keeps what it was told. */
export function recordingLogger() {
  const lines: { level: string; fields: unknown; message: string }[] = []
  const log = (level: string) => (fields: unknown, message: string) => lines.push({ level, fields, message })
  return { lines, warn: log('warn'), info: log('info'), debug: log('debug') } as unknown as Logger & {
    lines: typeof lines
  }
}

/** An RpcSource on `url` for `chain`, polling fast. */
export function rpcSource(url: string, chain: ChainInfo): RpcSource {
  const quiet = { debug() {}, info() {}, warn() {} }
  return new RpcSource(rpcSourceOptions.parse({ providers: [url], pollIntervalMs: 25 }), chain, quiet)
}

/** A GasExtractor with these options. */
export function gasExtractor(options: GasOptionsInput = {}, logger = recordingLogger(), now = () => Date.now()) {
  return new GasExtractor(gasOptions.parse(options), logger, { now })
}

/** Streams blocks `from`..`to` through the real source-rpc with receipts, and the extractor over each. */
export async function extractRange(
  url: string,
  chain: ChainInfo,
  extractor: GasExtractor,
  from: bigint,
  to: bigint,
): Promise<{ events: BlockEvent[]; features: Feature[] }> {
  const source = rpcSource(url, chain)
  const events: BlockEvent[] = []
  const features: Feature[] = []
  try {
    const signal = AbortSignal.timeout(30_000)
    for await (const event of source.stream({ chain, from, to, filters: [], receipts: true, signal })) {
      if (event.type !== 'block') continue
      events.push(event)
      const reader = source.reader(event.header)
      features.push(...(await extractor.onBlock({ ...event, reader })))
    }
  } finally {
    await source.close()
  }
  return { events, features }
}
