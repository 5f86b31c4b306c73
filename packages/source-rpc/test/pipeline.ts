import {
  type BlockContext,
  type ChainInfo,
  createLogger,
  defineExtractor,
  defineSink,
  type Extractor,
  type Feature,
  type FeatureBatch,
  type FinalityMode,
  featureId,
  inject,
  type LogFilter,
  OptionsToken,
  Pipeline,
  type PipelineOptions,
  type Receipt,
  type ResolvedComponent,
  type ResolvedConfig,
  type Retraction,
  type Sink,
  z,
} from '@qenus/core'
import { rpcSource } from '../src/index.js'
import { type RpcSourceOptionsInput, rpcSourceOptions } from '../src/options.js'

/** What the test sink saw: one entry per written block, per chain. */
export type Written = Map<string, { block: bigint; hash: string; logs: number }[]>

/** What a test extractor asks for and records: whether it wants receipts, and the receipts it got per block. */
export interface ExtractorProbe {
  id: string
  receipts?: boolean
  seen: Map<bigint, Receipt[] | undefined>
}

/** Emits one feature per matching log; the filters come from its options. */
class LogsExtractor implements Extractor {
  constructor(
    @inject(OptionsToken) private readonly options: { filters: LogFilter[]; probe?: ExtractorProbe | undefined },
  ) {}
  logFilters(): LogFilter[] {
    return this.options.filters
  }
  receipts(): boolean {
    return this.options.probe?.receipts === true
  }
  onBlock({ chain, header, logs, receipts }: BlockContext): Feature[] {
    this.options.probe?.seen.set(header.number, receipts)
    return logs.map(
      (log) =>
        ({
          id: featureId({
            chainId: chain.chainId,
            blockHash: header.hash,
            logIndex: log.logIndex,
            kind: 'amm.swap',
            discriminator: '',
          }),
          kind: 'amm.swap',
          chainId: chain.chainId,
          chain: chain.name,
          blockNumber: header.number,
          blockHash: header.hash,
          blockTimestamp: header.timestamp,
          logIndex: log.logIndex,
          protocol: 'test',
          address: log.address,
          data: {},
        }) as never,
    )
  }
}

/** Keeps every written block in `options.written`. */
class MemorySink implements Sink {
  constructor(@inject(OptionsToken) private readonly options: { written: Written }) {}
  async write(batch: FeatureBatch): Promise<void> {
    const list = this.options.written.get(batch.chain.name) ?? []
    list.push({ block: batch.block.number, hash: batch.block.hash, logs: batch.features.length })
    this.options.written.set(batch.chain.name, list)
  }
  async revert(retraction: Retraction): Promise<void> {
    const list = this.options.written.get(retraction.chain.name) ?? []
    this.options.written.set(
      retraction.chain.name,
      list.filter((w) => w.block <= retraction.to.number),
    )
  }
  async flush(): Promise<void> {}
}

const extractorDef = defineExtractor({
  name: 'logs',
  summary: 'test',
  stability: 'experimental',
  options: z.any(),
  component: LogsExtractor,
})
const sinkDef = defineSink({
  name: 'memory',
  summary: 'test',
  stability: 'experimental',
  options: z.any(),
  component: MemorySink,
})

const component = <R extends 'source' | 'extractor' | 'sink'>(
  definition: ResolvedComponent<R>['definition'],
  id: string,
  path: string,
  options: unknown,
): ResolvedComponent<R> =>
  ({ role: definition.role, id, use: './test', plugin: 'test', definition, options, path }) as never

/**
 * A real {@link Pipeline} of `@qenus/source-rpc` sources (one per chain), a logs extractor and a
 * memory sink, serving `/health` and `/metrics` on a free loopback port.
 */
export function rpcPipeline(
  chains: { info: ChainInfo; source: RpcSourceOptionsInput; finality?: FinalityMode }[],
  filters: LogFilter[],
  dir: string,
  options: PipelineOptions = {},
  probes: ExtractorProbe[] = [],
): { pipeline: Pipeline; written: Written } {
  const written: Written = new Map()
  const config: ResolvedConfig = {
    file: '<embedded>',
    dir,
    name: 'rpc-e2e',
    chains: chains.map(({ info, source, finality }) => ({
      info,
      finality: finality ?? info.finalityDepth,
      source: component(rpcSource, 'rpc', `chains.${info.name}.source`, rpcSourceOptions.parse(source)),
    })),
    extractors: probes.length
      ? probes.map((probe, i) => component(extractorDef, probe.id, `extractors[${i}]`, { filters, probe }))
      : [component(extractorDef, 'logs', 'extractors[0]', { filters })],
    detectors: [],
    sinks: [component(sinkDef, 'memory', 'sinks[0]', { written })],
    checkpoint: { dir: `${dir}/checkpoints`, everyBlocks: 1, everyMs: 60_000 },
    queue: { maxBlocks: 16 },
    server: { host: '127.0.0.1', port: 0 },
    log: { level: 'silent' },
  }
  const pipeline = new Pipeline(config, {
    logger: createLogger({ level: 'silent' }),
    retry: { minDelayMs: 10, maxDelayMs: 100 },
    ...options,
  })
  return { pipeline, written }
}

/** Polls `condition` every 20 ms until it holds, or fails naming `what`. */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** The value of one Prometheus series in a `/metrics` text, or `undefined` when absent. */
export function series(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`)
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) && wanted.every((w) => l.slice(0, l.lastIndexOf('}')).includes(w)))
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1))
}

/** Sums every series of `name` whose labels include `labels`. */
export function sum(text: string, name: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`)
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) && wanted.every((w) => l.includes(w)))
    .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0)
}
