import { describe, expect, it } from 'vitest'
import { nodeSourceOptions } from './options.js'

describe('nodeSourceOptions', () => {
  it('takes an ipc path with every default', () => {
    expect(nodeSourceOptions.parse({ ipc: '/data/geth.ipc' })).toEqual({
      ipc: '/data/geth.ipc',
      heads: 'subscribe',
      maxBlockRange: 100,
      blocksPerBatch: 10,
      requestTimeoutMs: 30_000,
      mempool: false,
      mempoolMaxQueued: 10_000,
      healthIntervalMs: 5_000,
      minPeers: 1,
    })
  })

  it('wants exactly one of ipc and ws, naming the path', () => {
    for (const input of [{}, { ipc: '/x.ipc', ws: 'ws://127.0.0.1:8546' }]) {
      const result = nodeSourceOptions.safeParse(input)
      expect(result.success).toBe(false)
      expect(result.error?.issues).toContainEqual(
        expect.objectContaining({ path: ['ipc'], message: 'set exactly one of "ipc" (a socket path) or "ws" (a URL)' }),
      )
    }
  })

  it('rejects a ws option that is not a ws URL, and unknown options', () => {
    expect(nodeSourceOptions.safeParse({ ws: 'http://127.0.0.1:8545' }).error?.issues[0]).toMatchObject({
      path: ['ws'],
      message: 'expected a ws(s):// URL',
    })
    expect(nodeSourceOptions.safeParse({ ipc: '/x.ipc', providers: [] }).success).toBe(false)
  })
})
