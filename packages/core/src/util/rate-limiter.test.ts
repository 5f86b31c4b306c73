import { describe, expect, it } from 'vitest'
import { RateLimiter } from './rate-limiter.js'

describe('RateLimiter', () => {
  it('allows a burst, then refills at the rate', () => {
    let now = 0
    const limiter = new RateLimiter({ ratePerSecond: 10, burst: 3, clock: { now: () => now } })
    expect([1, 2, 3, 4].map(() => limiter.tryTake())).toEqual([true, true, true, false])
    now += 100
    expect(limiter.tryTake()).toBe(true)
    expect(limiter.tryTake()).toBe(false)
    now += 10_000
    expect(limiter.available).toBe(3)
  })

  it('paces waiting callers in call order', async () => {
    const limiter = new RateLimiter({ ratePerSecond: 50, burst: 1 })
    const started = Date.now()
    const order: number[] = []
    await Promise.all([0, 1, 2, 3, 4].map((i) => limiter.take().then(() => order.push(i))))
    expect(order).toEqual([0, 1, 2, 3, 4])
    // Four waits of 20 ms each after the first token.
    expect(Date.now() - started).toBeGreaterThanOrEqual(75)
  })

  it('returns the reservation when a wait is aborted', async () => {
    const limiter = new RateLimiter({ ratePerSecond: 1, burst: 1 })
    await limiter.take()
    const controller = new AbortController()
    const waiting = limiter.take(1, controller.signal)
    controller.abort(new Error('gone'))
    await expect(waiting).rejects.toThrow('gone')
    expect(limiter.available).toBeGreaterThan(-0.5)
  })
})
