import { describe, expect, it } from 'vitest'
import type { HealthReport } from './health.js'
import { Metrics } from './metrics.js'
import { startServer } from './server.js'

describe('startServer', () => {
  it('serves /metrics and /health on a free loopback port and 404s the rest', async () => {
    const metrics = new Metrics({ pipeline: 'srv' })
    metrics.blocksProcessed.inc({ chain: 'ethereum' }, 7)
    metrics.featuresEmitted.inc({ chain: 'ethereum', kind: 'amm.swap' }, 3)
    let report: HealthReport = {
      status: 'ok',
      pipeline: 'srv',
      chains: {
        ethereum: { chainId: 1, state: 'live', head: '10', processed: '9', lagBlocks: 1, blocks: 7, features: 3 },
      },
    }
    const server = await startServer({ port: 0, metrics, health: () => report })
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      const text = await (await fetch(`${server.url}/metrics`)).text()
      expect(text).toContain('qenus_blocks_processed_total{chain="ethereum",pipeline="srv"} 7')
      expect(text).toContain('qenus_features_emitted_total{chain="ethereum",kind="amm.swap",pipeline="srv"} 3')
      const health = await fetch(`${server.url}/health`)
      expect(health.status).toBe(200)
      expect(await health.json()).toEqual(report)
      report = {
        ...report,
        status: 'down',
        chains: { ethereum: { chainId: 1, state: 'down', lastError: 'x', blocks: 7, features: 3 } },
      }
      expect((await fetch(`${server.url}/health`)).status).toBe(503)
      expect((await fetch(`${server.url}/other`)).status).toBe(404)
    } finally {
      await server.close()
    }
    await expect(fetch(`${server.url}/metrics`)).rejects.toThrow()
  })

  it('keeps two pipelines apart: one registry each, never the global one', async () => {
    const a = new Metrics({ pipeline: 'a' })
    const b = new Metrics({ pipeline: 'b' })
    a.reverts.inc({ chain: 'x' })
    expect(await a.text()).toContain('qenus_reverts_total{chain="x",pipeline="a"} 1')
    expect(await b.text()).not.toContain('chain="x"')
  })
})
