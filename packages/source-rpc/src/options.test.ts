import { isPlugin } from '@qenus/core'
import { describe, expect, it } from 'vitest'
import plugin, { pollInterval, RpcSource, rpcSource, rpcSourceOptions } from './index.js'

describe('rpcSourceOptions', () => {
  it('applies the documented defaults', () => {
    expect(rpcSourceOptions.parse({ providers: ['https://eth.example.com/v2/key'] })).toEqual({
      providers: ['https://eth.example.com/v2/key'],
      heads: 'auto',
      maxBlockRange: 1000,
      requestTimeoutMs: 10_000,
      batch: true,
      breakerFailures: 3,
      breakerResetMs: 30_000,
      minBlockRange: 1,
      targetLogsPerRequest: 10_000,
    })
  })

  it('takes providers as URLs or objects with their own limits, weight and tags', () => {
    const parsed = rpcSourceOptions.parse({
      providers: ['https://a.example.com', { url: 'https://b.example.com/KEY', requestsPerSecond: 25, tags: ['paid'] }],
    })
    expect(parsed.providers).toEqual([
      'https://a.example.com',
      { url: 'https://b.example.com/KEY', requestsPerSecond: 25, maxConcurrency: 16, weight: 1, tags: ['paid'] },
    ])
    const bad = rpcSourceOptions.safeParse({ providers: [{ url: 'https://c.example.com', weight: 0, rps: 1 }] })
    expect(bad.error?.issues.map((i) => i.path.join('.'))).toEqual(expect.arrayContaining(['providers.0']))
  })

  it('takes ws(s) providers and a heads mode', () => {
    const parsed = rpcSourceOptions.parse({ providers: ['wss://eth.example.com/ws/KEY', 'http://a'], heads: 'both' })
    expect(parsed.providers[0]).toBe('wss://eth.example.com/ws/KEY')
    expect(parsed.heads).toBe('both')
    expect(rpcSourceOptions.safeParse({ providers: ['ws://a'], heads: 'push' }).success).toBe(false)
  })

  it('names what is wrong and where', () => {
    const result = rpcSourceOptions.safeParse({ providers: ['ftp://x', 'not a url'], maxBlockRange: 0, extra: 1 })
    const issues = result.error?.issues.map((i) => [i.path.join('.'), i.message])
    expect(issues).toEqual(
      expect.arrayContaining([
        ['providers.0', 'expected an http(s):// or ws(s):// URL'],
        ['providers.1', 'expected an http(s):// or ws(s):// URL'],
        ['maxBlockRange', expect.stringContaining('>0')],
        ['', expect.stringContaining('extra')],
      ]),
    )
    expect(rpcSourceOptions.safeParse({ providers: [] }).error?.issues[0].message).toBe(
      'expected at least one provider URL',
    )
  })

  it('polls at half the block time, at most once a second, unless set', () => {
    expect(pollInterval({}, 12_000)).toBe(1000)
    expect(pollInterval({}, 250)).toBe(125)
    expect(pollInterval({ pollIntervalMs: 42 }, 12_000)).toBe(42)
  })
})

describe('plugin', () => {
  it('ships the rpc source under its package name and version', async () => {
    const { version } = (await import('../package.json', { with: { type: 'json' } })).default
    expect(isPlugin(plugin)).toBe(true)
    expect(plugin).toMatchObject({ name: '@qenus/source-rpc', version, apiVersion: '^0.1.0' })
    expect(plugin.components.sources?.rpc).toBe(rpcSource)
    expect(rpcSource).toMatchObject({ name: 'rpc', role: 'source', stability: 'beta', component: RpcSource })
  })
})
