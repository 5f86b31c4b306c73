import 'reflect-metadata'
import { inject } from 'tsyringe'
import { type Hex, keccak256, toHex, zeroAddress } from 'viem'
import { describe, expect, it } from 'vitest'
import { component, def, noReads, type RecordingSink, recordingSinkDef, startScripted } from '../../test/scripted.js'
import type { BlockHeader, BlockRef, ChainEvent, ChainReader, Log } from '../contracts/chain.js'
import type { BlockContext, Extractor, PendingContext } from '../contracts/extractor.js'
import type { FeatureBatch } from '../contracts/sink.js'
import type { Source, StreamRequest } from '../contracts/source.js'
import { OptionsToken } from '../di/tokens.js'
import { defineExtractor, defineSource } from '../plugin/define.js'
import type { ChainInfo } from '../schema/chains.js'
import { type Feature, featureId } from '../schema/feature.js'

const CHAIN: ChainInfo = {
  name: 'alpha',
  chainId: 9001,
  blockTimeMs: 1_000,
  finalityDepth: 8,
  family: 'devnet',
  hasBlobs: false,
}
const POOL = '0x00000000000000000000000000000000000000a1' as Hex
const tx = (name: string) => keccak256(toHex(name))
const BAD_TX = tx('bad')

const header = (number: bigint, fork: string, parentHash: Hex): BlockHeader => ({
  number,
  hash: keccak256(toHex(`${fork}:${number}`)),
  parentHash,
  timestamp: 1_700_000_000n + number,
  gasUsed: 1n,
  gasLimit: 2n,
})
const swapLog = (h: BlockHeader): Log => ({
  address: POOL,
  topics: [tx('Swap()')],
  data: '0x',
  blockNumber: h.number,
  blockHash: h.hash,
  transactionHash: tx(`${h.hash}:0`),
  transactionIndex: 0,
  logIndex: 0,
})

const b1 = header(1n, 'a', tx('genesis'))
const b2 = header(2n, 'a', b1.hash)
const b2r = header(2n, 'b', b1.hash)
const b3r = header(3n, 'b', b2r.hash)
const block = (h: BlockHeader): ChainEvent => ({ type: 'block', chain: CHAIN, header: h, logs: [swapLog(h)] })
const pending = (name: string): ChainEvent => ({
  type: 'pending',
  chain: CHAIN,
  hash: name === 'bad' ? BAD_TX : tx(name),
  transaction: { name },
})

/** Pending transactions around blocks: before the first, between, after a reorg. */
const SCRIPT: ChainEvent[] = [
  pending('tx0'),
  block(b1),
  pending('tx1'),
  pending('bad'),
  block(b2),
  { type: 'revert', chain: CHAIN, to: { number: 1n, hash: b1.hash }, reverted: [{ number: 2n, hash: b2.hash }] },
  pending('tx3'),
  block(b2r),
  pending('tx4'),
  block(b3r),
]

interface Recorder {
  script: ChainEvent[]
  requests: StreamRequest[]
  pendingSeen: { tx: string; head: bigint; reader: bigint }[]
  sinks: RecordingSink[]
}

class ScriptSource implements Source {
  constructor(@inject(OptionsToken) readonly options: { record: Recorder }) {}
  async *stream(request: StreamRequest): AsyncGenerator<ChainEvent> {
    this.options.record.requests.push(request)
    for (const event of this.options.record.script) {
      if (event.type === 'pending' && !request.pending) continue
      yield event
    }
  }
  reader(ref: BlockRef): ChainReader {
    return noReads(ref)
  }
}

const swapFeature = (chain: ChainInfo, h: BlockHeader, log: Log): Feature =>
  ({
    id: featureId({
      chainId: chain.chainId,
      blockHash: h.hash,
      logIndex: log.logIndex,
      kind: 'amm.swap',
      discriminator: '',
    }),
    kind: 'amm.swap',
    chainId: chain.chainId,
    chain: chain.name,
    blockNumber: h.number,
    blockHash: h.hash,
    blockTimestamp: h.timestamp,
    logIndex: log.logIndex,
    protocol: 'test',
    address: POOL,
    data: {},
  }) as Feature

/** Block features from its logs; with `mempool`, one `mempool.swap` per pending transaction. */
class TestExtractor implements Extractor {
  onPending?: (context: PendingContext) => Feature[]
  constructor(@inject(OptionsToken) readonly options: { record: Recorder; mempool: boolean }) {
    if (options.mempool) this.onPending = (context) => this.#pending(context)
  }
  logFilters() {
    return [{ address: POOL }]
  }
  onBlock({ chain, header: h, logs }: BlockContext): Feature[] {
    return logs.map((log) => swapFeature(chain, h, log))
  }
  #pending({ chain, head, hash, reader }: PendingContext): Feature[] {
    if (hash === BAD_TX) throw new Error('cannot decode this transaction')
    this.options.record.pendingSeen.push({ tx: hash, head: head.number, reader: reader.block.number })
    const id = featureId({ chainId: chain.chainId, blockHash: head.hash, kind: 'mempool.swap', discriminator: hash })
    // The runtime never reads `data`; these tests follow the envelope (id, block, tx) alone.
    const data = {
      pool: POOL,
      tokenIn: zeroAddress,
      tokenOut: zeroAddress,
      amountIn: 0n,
      amountOutMin: 0n,
      from: zeroAddress,
      maxPriorityFeePerGas: 0n,
    }
    const swap = swapFeature(chain, head, swapLog(head))
    return [{ ...swap, id, kind: 'mempool.swap', logIndex: undefined, txHash: hash, data }]
  }
}

const sourceDef = defineSource({ ...def, name: 'script', component: ScriptSource })
const extractorDef = defineExtractor({ ...def, name: 'test', component: TestExtractor })

async function run(script: ChainEvent[], mempool: boolean) {
  const record: Recorder = { script, requests: [], pendingSeen: [], sinks: [] }
  const describePending = (batch: FeatureBatch) =>
    `pending ${batch.block.number} ${batch.features.map((f) => f.txHash).join(',')}`
  const { pipeline, featureStore, saved } = await startScripted({
    chain: CHAIN,
    source: component(sourceDef, 'script', 'chains.alpha.source', { record }),
    extractors: [component(extractorDef, 'test', 'extractors[0]', { record, mempool })],
    sinks: [
      component(recordingSinkDef, 'live', 'sinks[0]', { record, pending: true, describePending }),
      component(recordingSinkDef, 'plain', 'sinks[1]', { record, pending: false }),
    ],
    from: 1n,
    to: 3n,
  })
  await pipeline.done
  const [live, plain] = record.sinks
  return { record, live: live!, plain: plain!, featureStore, saved }
}

const json = (value: unknown) => JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? `${v}n` : v))

describe('pending events', () => {
  it('reach writePending sinks after their head block and before the next, bound to that head', async () => {
    const { record, live } = await run(SCRIPT, true)
    expect(record.requests[0]?.pending).toBe(true)
    expect(live.log).toEqual([
      'write 1',
      `pending 1 ${tx('tx1')}`,
      'write 2',
      'revert 1',
      'write 2',
      `pending 2 ${tx('tx4')}`,
      'write 3',
    ])
    // tx0 came before any block, tx3 after a revert and before the next block: no state to extract on.
    expect(record.pendingSeen).toEqual([
      { tx: tx('tx1'), head: 1n, reader: 1n },
      { tx: tx('tx4'), head: 2n, reader: 2n },
    ])
    const [first, second] = live.pending
    expect(first).toMatchObject({ pending: true, block: { number: 1n, hash: b1.hash }, timestamp: b1.timestamp })
    expect(second?.block).toEqual({ number: 2n, hash: b2r.hash })
  })

  it('stay out of the block stream, the feature store and checkpoints', async () => {
    const withMempool = await run(SCRIPT, true)
    const without = await run(SCRIPT, false)
    expect(without.record.requests[0]?.pending).toBeUndefined()
    expect(without.live.pending).toEqual([])
    // Block batches are byte-identical whether pending events flowed or not, for both sinks.
    expect(json(withMempool.live.batches)).toBe(json(without.live.batches))
    expect(json(withMempool.plain.batches)).toBe(json(withMempool.live.batches))
    expect(withMempool.plain.log).toEqual(['write 1', 'write 2', 'revert 1', 'write 2', 'write 3'])
    expect(withMempool.featureStore.snapshot(CHAIN.chainId).map((f) => f.kind)).toEqual(['amm.swap'])
    expect(withMempool.featureStore.snapshot(CHAIN.chainId, { kind: 'mempool.swap' })).toEqual([])
    expect(withMempool.saved).toEqual(without.saved)
    expect(withMempool.saved.at(-1)).toBe(3n)
  })
})
