import { readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { BlockContext, BlockHeader, ChainReader, Feature, Hex, MevBidData } from '@qenus/core'
import { KNOWN_CHAINS } from '@qenus/core'
import { fixturePath } from '@qenus/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MevBoostExtractor, slotOf } from './extractor.js'
import { mevBoostOptions } from './options.js'

// 501 real bid traces a relay received for slot 6214255 (block 17039004), as its data API returned them.
const RECORDED = fixturePath('relay', 'builder_blocks_received_slot6214255.json')
type RawTrace = Record<string, string>
const raw = readFileSync(RECORDED, 'utf8')
const bids = JSON.parse(raw) as RawTrace[]
// No recorded proposer_payload_delivered answer exists: it is built in the relay API's documented
// format (the bid trace fields without timestamps) from the recording's highest bid, which is the
// one MEV-Boost would select.
const winner = bids.reduce((best, bid) => (BigInt(bid.value!) > BigInt(best.value!) ? bid : best))
const DELIVERED_FIELDS = [
  'slot',
  'parent_hash',
  'block_hash',
  'builder_pubkey',
  'proposer_pubkey',
  'proposer_fee_recipient',
  'gas_limit',
  'gas_used',
  'value',
  'block_number',
  'num_tx',
]
const delivered = JSON.stringify([Object.fromEntries(DELIVERED_FIELDS.map((key) => [key, winner[key]]))])

/** How each named relay of the local server answers. */
const behaviour: Record<string, (endpoint: string, res: ServerResponse, seen: number) => void> = {
  good: (endpoint, res) => send(res, 200, endpoint === 'builder_blocks_received' ? raw : delivered),
  // The first call of each endpoint is rate limited, then it answers like a good relay.
  limited: (endpoint, res, seen) =>
    seen === 1
      ? send(res, 429, '{"code":429,"message":"rate limited"}', { 'retry-after': '1' })
      : behaviour.good!(endpoint, res, seen),
  slow: (endpoint, res) => setTimeout(() => behaviour.good!(endpoint, res, 0), 4_000).unref(),
  truncated: (endpoint, res) => {
    const body = endpoint === 'builder_blocks_received' ? raw : delivered
    send(res, 200, body.slice(0, body.length / 2))
  },
  // Two recorded entries damaged: a negative value and a missing block hash; the rest is intact.
  damaged: (endpoint, res) => {
    if (endpoint !== 'builder_blocks_received') return send(res, 200, delivered)
    const copy = bids.map((bid) => ({ ...bid }))
    copy[3]!.value = '-1'
    delete copy[7]!.block_hash
    send(res, 200, JSON.stringify(copy))
  },
  down: (_, res) => send(res, 503, 'unavailable'),
}

const send = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
  res.end(body)
}

let server: Server
let base = ''
const calls = new Map<string, number>()
const requested: string[] = []

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://relay')
    const [, relay, ...rest] = url.pathname.split('/')
    const endpoint = rest.at(-1) ?? ''
    requested.push(`${relay} ${rest.join('/')}?${url.searchParams}`)
    const key = `${relay}/${endpoint}`
    calls.set(key, (calls.get(key) ?? 0) + 1)
    behaviour[relay ?? '']?.(endpoint, res, calls.get(key)!)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

const chain = KNOWN_CHAINS.ethereum!
const header: BlockHeader = {
  number: 17039004n,
  hash: winner.block_hash as Hex,
  parentHash: winner.parent_hash as Hex,
  timestamp: 1681395083n,
  gasUsed: BigInt(winner.gas_used!),
  gasLimit: 30_000_000n,
}
const noReads = { block: header } as unknown as ChainReader
const context: BlockContext = { chain, header, logs: [], reader: noReads }

const extractorFor = (names: string[], warnings: unknown[] = []) =>
  new MevBoostExtractor(
    mevBoostOptions.parse({
      relays: names.map((name) => ({ name, url: `${base}/${name}` })),
      timeoutMs: 2_000,
      failureThreshold: 2,
      ratePerSecond: 50,
    }),
    { warn: (obj: unknown) => warnings.push(obj) },
  )

const data = (feature: Feature) => feature.data as MevBidData
const ofRelay = (features: Feature[], relay: string) =>
  features.filter((f) => data(f).relay === relay && !data(f).delivered)

/** What a feature must hold for a recorded trace, compared as the relay's decimal strings. */
const expected = (bid: RawTrace, relay: string) => ({
  relay,
  slot: bid.slot,
  builderPubkey: bid.builder_pubkey,
  value: bid.value,
  bidBlockHash: bid.block_hash,
  timestampMs: bid.timestamp_ms,
  gasUsed: bid.gas_used,
  txCount: bid.num_tx,
  bidBlockNumber: bid.block_number,
})
const asRecorded = (feature: Feature) => {
  const d = data(feature)
  return {
    relay: d.relay,
    slot: String(d.slot),
    builderPubkey: d.builderPubkey,
    value: String(d.value),
    bidBlockHash: d.bidBlockHash,
    timestampMs: String(d.timestampMs),
    gasUsed: String(d.gasUsed),
    txCount: String(d.txCount),
    bidBlockNumber: String(d.bidBlockNumber),
  }
}
const byArrival = (a: RawTrace, b: RawTrace) =>
  a.timestamp_ms === b.timestamp_ms
    ? a.block_hash!.localeCompare(b.block_hash!)
    : Number(BigInt(a.timestamp_ms!) - BigInt(b.timestamp_ms!))
const countBy = (values: string[]) => {
  const counts = new Map<string, number>()
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1)
  return counts
}

describe('mev-boost extractor against a local relay replaying recorded bid traces', () => {
  it('maps the block to its slot', () => {
    expect(slotOf(header.timestamp, 1_606_824_023, 12)).toBe(BigInt(winner.slot!))
    expect(winner.slot).toBe('6214255')
  })

  it('emits every recorded bid wei-exact, per builder, and the delivered bid as the winner', async () => {
    const features = await extractorFor(['good']).onBlock(context)
    expect(requested.filter((r) => r.startsWith('good '))).toEqual(
      expect.arrayContaining([
        'good relay/v1/data/bidtraces/proposer_payload_delivered?slot=6214255',
        'good relay/v1/data/bidtraces/builder_blocks_received?slot=6214255',
      ]),
    )
    const [first, ...rest] = features
    expect(data(first!)).toMatchObject({ relay: 'good', delivered: true })
    expect(asRecorded(first!)).toEqual(expected(winner, 'good'))
    expect(first!.address).toBe(winner.proposer_fee_recipient)
    expect(rest.map(asRecorded)).toEqual([...bids].sort(byArrival).map((bid) => expected(bid, 'good')))
    expect(countBy(rest.map((f) => data(f).builderPubkey))).toEqual(countBy(bids.map((b) => b.builder_pubkey!)))
    expect(new Set(rest.map((f) => data(f).builderPubkey)).size).toBe(37)
    expect(new Set(rest.map((f) => data(f).bidBlockHash)).size).toBe(477)
    expect(new Set(features.map((f) => f.id)).size).toBe(features.length)
    expect(
      features.every((f) => f.kind === 'mev.bid' && f.blockHash === header.hash && f.blockNumber === 17039004n),
    ).toBe(true)
    // The winning bid is the highest one the relay received for this block.
    const top = rest.reduce((best, f) => (data(f).value > data(best).value ? f : best))
    expect(data(top).value).toBe(data(first!).value)
  })

  it('keeps using healthy relays when others are slow, rate limited, truncated, damaged or down', async () => {
    const warnings: { relay?: string; reason?: string; malformed?: number }[] = []
    const extractor = extractorFor(['good', 'limited', 'slow', 'truncated', 'damaged', 'down'], warnings)
    const started = Date.now()
    const features = await extractor.onBlock(context)
    expect(Date.now() - started).toBeLessThan(3_000)
    const good = ofRelay(features, 'good').map(asRecorded)
    expect(good).toHaveLength(501)
    // After its 429 and Retry-After, the limited relay's answer is the same data.
    expect(ofRelay(features, 'limited').map((f) => ({ ...asRecorded(f), relay: 'good' }))).toEqual(good)
    expect(ofRelay(features, 'damaged').map((f) => ({ ...asRecorded(f), relay: 'good' }))).toEqual(
      good.filter((f) => f.timestampMs !== bids[3]!.timestamp_ms && f.timestampMs !== bids[7]!.timestamp_ms),
    )
    for (const relay of ['slow', 'truncated', 'down']) expect(ofRelay(features, relay)).toEqual([])
    const winners = features.filter((f) => data(f).delivered)
    expect(winners.map((f) => data(f).relay)).toEqual(['good', 'limited', 'damaged'])
    expect(new Set(winners.map((f) => `${data(f).value}:${data(f).builderPubkey}`))).toEqual(
      new Set([`${winner.value}:${winner.builder_pubkey}`]),
    )
    const stats = extractor.relayStats
    expect(stats.get('limited')).toMatchObject({ rateLimited: 2, ok: 2 })
    expect(stats.get('slow')).toMatchObject({ timeouts: 2, ok: 0 })
    expect(stats.get('truncated')).toMatchObject({ malformed: 2, ok: 0 })
    expect(stats.get('damaged')).toMatchObject({ malformed: 2, ok: 2 })
    expect(stats.get('down')!.errors).toBeGreaterThanOrEqual(2)
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ relay: 'slow', reason: 'timeout' }),
        expect.objectContaining({ relay: 'truncated', reason: 'malformed' }),
        expect.objectContaining({ relay: 'damaged', malformed: 2 }),
      ]),
    )
    // Both endpoints of the slow relay failed: its breaker is open, so the next block does not wait for it.
    const again = Date.now()
    const next = await extractor.onBlock(context)
    expect(Date.now() - again).toBeLessThan(1_000)
    expect(extractor.relayStats.get('slow')!.circuitOpen).toBe(2)
    expect(ofRelay(next, 'good')).toHaveLength(501)
  })

  it('fails early, naming the option, on a chain without a known beacon genesis', () => {
    const extractor = extractorFor(['good'])
    expect(() => extractor.logFilters({ ...chain, chainId: 31337, name: 'devnet' })).toThrow(/genesisTime/)
  })
})
