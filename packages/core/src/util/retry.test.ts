import { describe, expect, it } from 'vitest'
import { FatalError, RetryableError } from '../errors.js'
import { backoffDelay, retry } from './retry.js'

const flaky = (failures: number, error: () => Error = () => new RetryableError('busy', { code: 'BUSY' })) => {
  let calls = 0
  return {
    calls: () => calls,
    fn: async () => {
      calls++
      if (calls <= failures) throw error()
      return calls
    },
  }
}

describe('retry', () => {
  it('retries retryable errors until success', async () => {
    const op = flaky(3)
    const delays: number[] = []
    const result = await retry(op.fn, { minDelayMs: 1, jitter: 0, onRetry: (_e, _a, delay) => delays.push(delay) })
    expect(result).toBe(4)
    expect(delays).toEqual([1, 2, 4])
  })

  it('does not retry a fatal error and gives up after `retries`', async () => {
    const fatal = flaky(1, () => new FatalError('bad', { code: 'BAD' }))
    await expect(retry(fatal.fn, { minDelayMs: 1 })).rejects.toThrow('bad')
    expect(fatal.calls()).toBe(1)
    const busy = flaky(10)
    await expect(retry(busy.fn, { minDelayMs: 1, retries: 2 })).rejects.toThrow('busy')
    expect(busy.calls()).toBe(3)
  })

  it('stops waiting when the signal aborts', async () => {
    const controller = new AbortController()
    const op = flaky(100)
    const started = Date.now()
    setTimeout(() => controller.abort(new Error('stopped')), 20)
    await expect(retry(op.fn, { minDelayMs: 10_000, signal: controller.signal })).rejects.toThrow('stopped')
    expect(Date.now() - started).toBeLessThan(1_000)
  })

  it('grows exponentially, caps, and jitters within the fraction', () => {
    const options = { minDelayMs: 100, maxDelayMs: 1_000, factor: 2, jitter: 0.5 }
    expect([1, 2, 3, 4, 5].map((attempt) => backoffDelay(attempt, options, () => 0))).toEqual([
      100, 200, 400, 800, 1_000,
    ])
    expect(backoffDelay(3, options, () => 0.999)).toBe(200)
  })
})
