import { describe, expect, it } from 'vitest'
import plugin from '../index.js'
import { DEVNET, poolAddress, stateBatches } from '../test/helpers.js'
import { Feed, type FeedReader } from './feed.js'
import { compileFilter } from './filter.js'
import { grpcSinkOptions } from './options.js'
import { clientOf } from './security.js'

describe('compileFilter', () => {
  const [batch] = stateBatches(DEVNET, 5n, 1, { pools: 3, perBlock: 3 })
  const features = batch!.features

  it('matches everything when empty, and narrows by every non-empty list', () => {
    expect(features.filter(compileFilter().feature)).toEqual(features)
    expect(features.filter(compileFilter({ kinds: ['amm.*'] }).feature).map((f) => f.kind)).toEqual([
      'amm.pool',
      'amm.pool',
      'amm.pool',
    ])
    expect(features.filter(compileFilter({ kinds: ['gas.block'], chains: ['base'] }).feature)).toEqual([])
    const address = Buffer.from(poolAddress(2).slice(2), 'hex')
    expect(features.filter(compileFilter({ addresses: [address] }).feature).map((f) => f.address)).toEqual([
      poolAddress(2),
    ])
    expect(features.filter(compileFilter({ protocols: ['curve'] }).feature)).toEqual([])
  })

  it('names a malformed address', () => {
    expect(() => compileFilter({ addresses: [Buffer.alloc(20), Buffer.alloc(3)] })).toThrow(
      'filter.addresses[1] has 3 bytes, expected 20',
    )
  })
})

describe('Feed', () => {
  class Reader implements FeedReader {
    cursor = 0
    woken = 0
    evictedAt: number | undefined
    wake() {
      this.woken++
    }
    evict(lag: number) {
      this.evictedAt = lag
    }
  }

  it('keeps retainBlocks per chain for replay, drops reverted blocks, and evicts a reader past maxLag', () => {
    const feed = new Feed(4, 10)
    const reader = new Reader()
    feed.add(reader)
    const batches = stateBatches(DEVNET, 1n, 6, { pools: 4, perBlock: 2 }) // 3 or 4 features a block
    feed.append(batches[0]!)
    feed.append(batches[1]!)
    expect(reader.woken).toBe(2)
    reader.cursor = feed.end // it read both
    for (const b of batches.slice(2)) feed.append(b)
    expect(feed.window(DEVNET.chainId)).toEqual({ from: 3n, head: batches[5]!.block })
    expect(reader.evictedAt).toBeGreaterThan(10)
    expect(feed.replay(DEVNET.chainId, 5n).map((b) => b.ref.number)).toEqual([5n, 6n])
    feed.revert({ chain: DEVNET, to: batches[3]!.block, reverted: [], ids: [] })
    expect(feed.window(DEVNET.chainId)?.head).toEqual(batches[3]!.block)
    // No reader left: the log keeps nothing.
    expect(feed.entry(feed.end - 1)).toBeUndefined()
  })
})

describe('options and helpers', () => {
  it('defaults to loopback, no TLS, no token', () => {
    expect(grpcSinkOptions.parse({})).toEqual({
      host: '127.0.0.1',
      port: 50051,
      retainBlocks: 128,
      maxBufferedMessages: 10_000,
      maxStreams: 256,
      maxStreamsPerClient: 64,
      callsPerSecondPerClient: 100,
      maxRequestBytes: 65_536,
      maxResponseBytes: 64 * 1024 * 1024,
    })
  })

  it.each([[{ token: 'short' }], [{ tls: { cert: 'a.pem' } }], [{ port: 70000 }], [{ maxStreams: 0 }], [{ tsl: {} }]])(
    'rejects %j',
    (input) => expect(grpcSinkOptions.safeParse(input).success).toBe(false),
  )

  it('takes the address of a peer, without its port', () => {
    expect(clientOf('127.0.0.1:5555')).toBe('127.0.0.1')
    expect(clientOf('[::1]:5555')).toBe('[::1]')
    expect(clientOf('unknown')).toBe('unknown')
  })

  it('is a plugin with one sink, grpc', () => {
    expect(Object.keys(plugin.components.sinks ?? {})).toEqual(['grpc'])
  })
})
