import 'reflect-metadata'
import { inject } from 'tsyringe'
import { type Hex, keccak256, toHex } from 'viem'
import { describe, expect, it } from 'vitest'
import { component, def, noReads, type RecordingSink, recordingSinkDef, startScripted } from '../../test/scripted.js'
import type { BlockHeader, BlockRef, ChainEvent, ChainReader } from '../contracts/chain.js'
import type { BlockContext, Extractor, TickContext } from '../contracts/extractor.js'
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
const TICK_MS = 20
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const hash = (name: string) => keccak256(toHex(name))

const header = (number: bigint, parentHash: Hex): BlockHeader => ({
  number,
  hash: hash(`block:${number}`),
  parentHash,
  timestamp: 1_700_000_000n + number,
  gasUsed: 1n,
  gasLimit: 2n,
})
const b1 = header(1n, hash('genesis'))
const b2 = header(2n, b1.hash)
const b3 = header(3n, b2.hash)

interface Recorder {
  /** The blocks the source yields, each after waiting `delayMs` (idle time for ticks). */
  script: { header: BlockHeader; delayMs: number }[]
  /** What the extractor saw, in order: `block N`, `tick N`, and `overlap` if a tick ran inside onBlock. */
  seen: string[]
  /** Milliseconds each `onBlock` takes. */
  blockMs: number
  sinks: RecordingSink[]
}

/** Yields the script with pauses, then idles until stopped (a head that stopped moving). */
class IdleSource implements Source {
  constructor(@inject(OptionsToken) readonly options: { record: Recorder }) {}
  async *stream(request: StreamRequest): AsyncGenerator<ChainEvent> {
    for (const { header: h, delayMs } of this.options.record.script) {
      await sleep(delayMs)
      if (request.to !== undefined && h.number > request.to) return
      yield { type: 'block', chain: CHAIN, header: h, logs: [] }
    }
    if (request.to !== undefined) return
    await new Promise((resolve) => request.signal?.addEventListener('abort', resolve, { once: true }))
  }
  reader(ref: BlockRef): ChainReader {
    return noReads(ref)
  }
}

const feature = (chain: ChainInfo, h: BlockHeader, kind: 'gas.block' | 'sequencer.health', disc: string): Feature =>
  ({
    id: featureId({ chainId: chain.chainId, blockHash: h.hash, kind, discriminator: disc }),
    kind,
    chainId: chain.chainId,
    chain: chain.name,
    blockNumber: h.number,
    blockHash: h.hash,
    blockTimestamp: h.timestamp,
    protocol: 'test',
    address: '0x0000000000000000000000000000000000000000',
    // The runtime never reads `data`; these tests follow the envelope alone.
    data: {},
  }) as unknown as Feature

/** One block feature per block; one `sequencer.health` per tick, told apart by the tick's time. */
class TickingExtractor implements Extractor {
  #inBlock = false
  constructor(@inject(OptionsToken) readonly options: { record: Recorder }) {}
  logFilters() {
    return []
  }
  tickIntervalMs(chain: ChainInfo): number | undefined {
    return chain.name === CHAIN.name ? TICK_MS : undefined
  }
  async onBlock({ chain, header: h }: BlockContext): Promise<Feature[]> {
    this.#inBlock = true
    this.options.record.seen.push(`block ${h.number}`)
    await sleep(this.options.record.blockMs)
    this.#inBlock = false
    return [feature(chain, h, 'gas.block', '')]
  }
  onTick({ chain, head, nowMs, reader }: TickContext): Feature[] {
    const { seen } = this.options.record
    seen.push(this.#inBlock ? 'overlap' : `tick ${head.number}`)
    if (reader.block.number !== head.number) seen.push('reader off head')
    return [feature(chain, head, 'sequencer.health', `tick:${nowMs}:${seen.length}`)]
  }
}

const sourceDef = defineSource({ ...def, name: 'idle', component: IdleSource })
const extractorDef = defineExtractor({ ...def, name: 'ticking', component: TickingExtractor })

function start(record: Recorder, to?: bigint) {
  return startScripted({
    chain: CHAIN,
    source: component(sourceDef, 'idle', 'chains.alpha.source', { record }),
    extractors: [component(extractorDef, 'ticking', 'extractors[0]', { record })],
    sinks: [
      component(recordingSinkDef, 'live', 'sinks[0]', { record, pending: true }),
      component(recordingSinkDef, 'plain', 'sinks[1]', { record, pending: false }),
    ],
    from: 1n,
    to,
  })
}

const ticks = (seen: string[]) => seen.filter((s) => s.startsWith('tick')).length

describe('extractor ticks', () => {
  it('run while the lane idles, after the first block, never inside onBlock, and stop on close', async () => {
    const record: Recorder = {
      script: [
        { header: b1, delayMs: 6 * TICK_MS },
        { header: b2, delayMs: 10 * TICK_MS },
        { header: b3, delayMs: 6 * TICK_MS },
      ],
      seen: [],
      blockMs: 4 * TICK_MS,
      sinks: [],
    }
    const { pipeline, featureStore, saved } = await start(record)
    const deadline = Date.now() + 5_000
    while (record.seen.filter((s) => s === 'tick 3').length < 2 && Date.now() < deadline) await sleep(TICK_MS)
    await pipeline.stop()
    const stoppedAt = record.seen.length
    await sleep(5 * TICK_MS)
    expect(record.seen.length).toBe(stoppedAt)
    const { seen } = record
    // The source waited 6 ticks before block 1: no tick came before it.
    expect(seen[0]).toBe('block 1')
    expect(seen).not.toContain('overlap')
    expect(seen).not.toContain('reader off head')
    // Idle between blocks and after block 3: ticks, each on the block extracted before it.
    for (const n of [1, 2, 3]) expect(seen.filter((s) => s === `tick ${n}`).length).toBeGreaterThanOrEqual(2)
    expect(seen.filter((s) => s.startsWith('block'))).toEqual(['block 1', 'block 2', 'block 3'])
    let head = 0
    for (const s of seen) {
      const [what, n] = s.split(' ')
      if (what === 'block') head = Number(n)
      else expect(Number(n)).toBe(head)
    }

    const [live, plain] = record.sinks
    // Tick batches reach writePending in order, after their head's batch, flagged and bound to it.
    expect(live!.pending.length).toBe(ticks(seen))
    expect(live!.log.filter((l) => l.startsWith('write'))).toEqual(['write 1', 'write 2', 'write 3'])
    let written = 0
    for (const line of live!.log) {
      const [what, n] = line.split(' ')
      if (what === 'write') written = Number(n)
      else expect(Number(n)).toBe(written)
    }
    for (const batch of live!.pending) {
      expect(batch.pending).toBe(true)
      expect(batch.features.map((f) => f.kind)).toEqual(['sequencer.health'])
      expect(batch.features[0]!.blockHash).toBe(batch.block.hash)
    }
    // A sink without writePending sees the blocks only; the store and checkpoints hold no tick.
    expect(plain!.log).toEqual(['write 1', 'write 2', 'write 3'])
    for (const batch of [...live!.batches, ...plain!.batches]) {
      expect(batch.pending).toBeUndefined()
      expect(batch.features.map((f) => f.kind)).toEqual(['gas.block'])
    }
    expect(featureStore.snapshot(CHAIN.chainId, { kind: 'sequencer.health' })).toEqual([])
    expect(featureStore.snapshot(CHAIN.chainId).map((f) => f.kind)).toEqual(['gas.block'])
    expect(saved).toEqual([1n, 2n, 3n])
  })

  it('do not run during a bounded backfill', async () => {
    const record: Recorder = {
      script: [
        { header: b1, delayMs: 0 },
        { header: b2, delayMs: 6 * TICK_MS },
        { header: b3, delayMs: 6 * TICK_MS },
      ],
      seen: [],
      blockMs: 2 * TICK_MS,
      sinks: [],
    }
    const { pipeline } = await start(record, 3n)
    await pipeline.done
    expect(record.seen).toEqual(['block 1', 'block 2', 'block 3'])
    expect(record.sinks[0]!.pending).toEqual([])
  })
})
