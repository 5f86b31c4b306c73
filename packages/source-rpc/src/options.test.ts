import { isPlugin } from '@qenus/core'
import { describe, expect, it } from 'vitest'
import plugin, { pollInterval, RpcSource, redactUrl, rpcSource, rpcSourceOptions } from './index.js'

describe('rpcSourceOptions', () => {
  it('applies the documented defaults', () => {
    expect(rpcSourceOptions.parse({ providers: ['https://eth.example.com/v2/key'] })).toEqual({
      providers: ['https://eth.example.com/v2/key'],
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

  it('names what is wrong and where', () => {
    const result = rpcSourceOptions.safeParse({ providers: ['ws://x', 'not a url'], maxBlockRange: 0, extra: 1 })
    const issues = result.error?.issues.map((i) => [i.path.join('.'), i.message])
    expect(issues).toEqual(
      expect.arrayContaining([
        ['providers.0', 'expected an http(s):// URL'],
        ['providers.1', 'expected an http(s):// URL'],
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

describe('redactUrl', () => {
  it('keeps scheme and host only', () => {
    expect(redactUrl('https://user:pw@eth.example.com:8545/v2/KEY?apikey=KEY')).toBe(
      'https://eth.example.com:8545/<redacted>',
    )
    expect(redactUrl('http://127.0.0.1:8545')).toBe('http://127.0.0.1:8545')
    expect(redactUrl('nonsense')).toBe('<redacted>')
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
