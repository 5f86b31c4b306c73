import {
  type BlockEvent,
  type ChainEvent,
  type ChainInfo,
  KNOWN_CHAINS,
  type LogFilter,
  type StreamRequest,
} from '@qenus/core'
import { type Devnet, loadArtifact } from '@qenus/testkit'
import { encodeEventTopics } from 'viem'
import { expect } from 'vitest'
import { type RpcSourceOptionsInput, rpcSourceOptions } from '../src/options.js'
import { RpcSource } from '../src/source.js'

/** The devnet chain with a finality depth deep enough for the depth-20 reorg. */
export const chain: ChainInfo = { ...KNOWN_CHAINS.devnet, finalityDepth: 32 }

/** Log lines a source wrote, for assertions on benching and restoring. */
export type Line = { level: string; fields: Record<string, unknown>; message: string }

/** A logger that keeps its lines. */
export function recorder() {
  const lines: Line[] = []
  const at = (level: string) => (fields: object, message: string) =>
    lines.push({ level, fields: fields as Record<string, unknown>, message })
  return { lines, logger: { debug: at('debug'), info: at('info'), warn: at('warn') } }
}

/** The Uniswap V3 Swap events of the devnet's pools: the filter the fault runs ask for. */
export function swapFilters(devnet: Devnet): LogFilter[] {
  const abi = loadArtifact('UniswapV3Pool').abi
  const swap = encodeEventTopics({ abi, eventName: 'Swap' } as never)[0]!
  return [{ address: devnet.pools.map((p) => p.address), topics: [swap] }]
}

/** A source over `providers` with fast test timings. */
export function makeSource(
  providers: RpcSourceOptionsInput['providers'],
  logger: ReturnType<typeof recorder>['logger'],
  overrides: Partial<RpcSourceOptionsInput> = {},
): RpcSource {
  const options = rpcSourceOptions.parse({
    providers,
    pollIntervalMs: 20,
    requestTimeoutMs: 600,
    breakerResetMs: 150,
    maxHeadLagBlocks: 2,
    headStallMs: 250,
    maxBlockRange: 8,
    ...overrides,
  })
  return new RpcSource(options, chain, logger)
}

/** Streams until `stop` says so or the stream ends, within a time limit (on {@link chain} unless the request names one). */
export async function collect(
  source: RpcSource,
  request: Omit<StreamRequest, 'chain' | 'signal'> & { chain?: ChainInfo },
  stop: (events: ChainEvent[]) => boolean = () => false,
  onEvent: (event: ChainEvent) => void = () => {},
): Promise<ChainEvent[]> {
  const ac = new AbortController()
  const timer = setTimeout(() => ac.abort(new Error('test timed out')), 60_000)
  const events: ChainEvent[] = []
  try {
    for await (const event of source.stream({ chain, ...request, signal: ac.signal })) {
      events.push(event)
      onEvent(event)
      if (stop(events)) break
    }
  } finally {
    clearTimeout(timer)
  }
  expect(ac.signal.aborted, 'stream hit the test time limit').toBe(false)
  return events
}

/** Block events only. */
export const blocks = (events: ChainEvent[]) => events.filter((e): e is BlockEvent => e.type === 'block')

/** Stops once the last event is block `n`. */
export const untilBlock = (n: bigint) => (events: ChainEvent[]) => {
  const last = events.at(-1)
  return last?.type === 'block' && last.header.number === n
}

/**
 * Waits until `provider` is healthy again in `source.health()`, driving requests so half-open
 * probes run, and returns the number of head requests that took.
 */
export async function restored(source: RpcSource, provider: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const state = source.health().providers.find((p) => p.name === provider)?.state
    if (state === 'healthy') return
    await source.head()
    await new Promise((r) => setTimeout(r, 10))
  }
  throw new Error(`${provider} was not restored`)
}
