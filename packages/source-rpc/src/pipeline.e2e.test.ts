import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type ChainInfo, type HealthReport, KNOWN_CHAINS, type LogFilter, redactUrl } from '@qenus/core'
import { type Devnet, type FaultProxy, startDevnet, startFaultProxy } from '@qenus/testkit'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { swapFilters } from '../test/faults.js'
import { type Anvil, startAnvil } from '../test/harness.js'
import { rpcPipeline, series, sum, waitFor } from '../test/pipeline.js'

let devnet: Devnet
let other: Anvil
let filters: LogFilter[]
let dir: string
const proxies: FaultProxy[] = []
const chainA: ChainInfo = { ...KNOWN_CHAINS.devnet, finalityDepth: 16 }
const chainB: ChainInfo = { ...KNOWN_CHAINS.devnet, name: 'devnet-b', chainId: 31338, finalityDepth: 16 }

const proxy = async (target: string) => {
  const p = await startFaultProxy(target)
  proxies.push(p)
  return p
}
const health = async (url: string) => {
  const res = await fetch(`${url}/health`)
  return { status: res.status, body: (await res.json()) as HealthReport }
}

beforeAll(async () => {
  ;[devnet, other] = await Promise.all([startDevnet(), startAnvil(['--chain-id', '31338'])])
  await devnet.traffic({ seed: 21, swaps: 60, txPerBlock: 3 })
  await other.rpc('anvil_mine', ['0x10'])
  filters = swapFilters(devnet)
  dir = await mkdtemp(join(tmpdir(), 'qenus-rpc-pipeline-'))
})
afterAll(async () => {
  await Promise.all([devnet?.stop(), other?.stop()])
})
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.stop()))
})

describe('a real Pipeline over source-rpc', () => {
  it('serves per-provider requests, errors by class, latency, rate-limit waits and breaker state on /metrics', async () => {
    const front = await proxy(devnet.rpcUrl)
    // Unbatched, so each 429 fails exactly one call.
    front.inject({
      fault: { type: 'http-status', status: 429, retryAfterSeconds: 0 },
      methods: ['eth_getLogs'],
      times: 2,
    })
    const dead = 'http://127.0.0.1:9/v1/SECRET'
    const head = await devnet.publicClient.getBlockNumber()
    const { pipeline, written } = rpcPipeline(
      [
        {
          info: chainA,
          source: {
            providers: [{ url: front.url, requestsPerSecond: 20, weight: 10 }, dead],
            pollIntervalMs: 60_000,
            maxBlockRange: 10,
            batch: false,
            breakerResetMs: 60_000,
            requestTimeoutMs: 2_000,
          },
        },
      ],
      filters,
      join(dir, 'metrics'),
      { from: head - 40n },
    )
    await pipeline.start()
    try {
      await waitFor('catch-up', () => written.get(chainA.name)?.at(-1)?.block === head)
      await new Promise((r) => setTimeout(r, 200))
      const text = await (await fetch(`${pipeline.url}/metrics`)).text()
      const good = { chain: chainA.name, provider: redactUrl(front.url) }
      const bad = { chain: chainA.name, provider: redactUrl(dead) }
      expect(text).not.toContain('SECRET')
      const proxied = [...front.calls.values()].reduce((a, b) => a + b, 0)
      expect(proxied).toBeGreaterThan(40)
      expect(sum(text, 'qenus_rpc_requests_total', good)).toBe(proxied)
      expect(series(text, 'qenus_rpc_requests_total', { ...good, method: 'eth_getLogs' })).toBe(
        front.calls.get('eth_getLogs'),
      )
      expect(front.applied.get('http-status')).toBe(2)
      expect(series(text, 'qenus_rpc_errors_total', { ...good, class: 'rate-limited' })).toBe(2)
      expect(series(text, 'qenus_rpc_request_duration_seconds_count', good)).toBe(proxied - 2)
      const snapshot = pipeline.health().chains[chainA.name]?.source as { providers: { rateLimitWaits: number }[] }
      expect(snapshot.providers[0]!.rateLimitWaits).toBeGreaterThan(0)
      expect(series(text, 'qenus_rpc_rate_limit_waits_total', good)).toBe(snapshot.providers[0]!.rateLimitWaits)
      expect(series(text, 'qenus_rpc_breaker_state', good)).toBe(0)
      expect(series(text, 'qenus_rpc_breaker_state', bad)).toBe(2)
      expect(series(text, 'qenus_rpc_errors_total', { ...bad, class: 'network' })).toBeGreaterThan(0)
    } finally {
      await pipeline.stop()
    }
  })

  it('isolates a chain whose providers are all down: the other keeps streaming, /health names the down one', async () => {
    const frontB = await proxy(other.url)
    const headA = await devnet.publicClient.getBlockNumber()
    const fast = { pollIntervalMs: 20, breakerResetMs: 200, requestTimeoutMs: 500 }
    const { pipeline, written } = rpcPipeline(
      [
        { info: chainA, source: { providers: [devnet.rpcUrl], ...fast } },
        { info: chainB, source: { providers: [frontB.url], ...fast } },
      ],
      filters,
      join(dir, 'isolation'),
      { from: 'head' },
    )
    const last = (chain: string) => written.get(chain)?.at(-1)?.block ?? -1n
    await pipeline.start()
    try {
      await waitFor('both lanes', () => last(chainA.name) >= headA && last(chainB.name) >= 0n)
      expect((await health(pipeline.url!)).body.status).toBe('ok')

      frontB.inject({ fault: { type: 'http-status', status: 503 } })
      await other.rpc('anvil_mine', ['0x3'])
      await waitFor(
        'chain B down',
        async () => (await health(pipeline.url!)).body.chains[chainB.name]?.state === 'down',
      )
      const down = await health(pipeline.url!)
      expect(down.status).toBe(503)
      expect(down.body.status).toBe('degraded')
      expect(down.body.chains[chainA.name]?.state).not.toBe('down')
      expect(down.body.chains[chainB.name]?.source).toMatchObject({
        state: 'down',
        providers: [{ name: redactUrl(frontB.url), state: expect.stringMatching(/benched|probing/) }],
      })

      const stuckAt = last(chainB.name)
      const before = last(chainA.name)
      await devnet.mine(5)
      await waitFor('chain A streams on', () => last(chainA.name) >= before + 5n)
      expect(last(chainB.name)).toBe(stuckAt)
      expect((await health(pipeline.url!)).body.chains[chainB.name]?.state).toBe('down')

      frontB.clear()
      await other.rpc('anvil_mine', ['0x2'])
      const headB = BigInt(await other.rpc<string>('eth_blockNumber'))
      await waitFor('chain B recovers', () => last(chainB.name) >= headB)
      const recovered = await health(pipeline.url!)
      expect(recovered.body.chains[chainB.name]?.state).not.toBe('down')
      expect(recovered.body.status).toBe('ok')
      const numbers = written.get(chainB.name)!.map((w) => w.block)
      expect(numbers).toEqual(numbers.map((_, i) => numbers[0]! + BigInt(i)))
      for (const w of written.get(chainB.name)!) {
        const node = await other.rpc<{ hash: string }>('eth_getBlockByNumber', [`0x${w.block.toString(16)}`, false])
        expect(w.hash).toBe(node.hash)
      }
    } finally {
      await pipeline.stop()
    }
  })
})
