import { describe, expect, it } from 'vitest'
import { isQenusError } from '../errors.js'
import { CircuitBreaker } from './circuit-breaker.js'

describe('CircuitBreaker', () => {
  it('opens after the threshold, half-opens after the timeout, and closes on a good trial', async () => {
    let now = 0
    const breaker = new CircuitBreaker({ failureThreshold: 2, resetTimeoutMs: 1_000, clock: { now: () => now } })
    const fail = () => Promise.reject(new Error('down'))
    await expect(breaker.run(fail)).rejects.toThrow('down')
    expect(breaker.state).toBe('closed')
    await expect(breaker.run(fail)).rejects.toThrow('down')
    expect(breaker.state).toBe('open')
    const refused = await breaker.run(async () => 1).catch((error) => error)
    expect(isQenusError(refused) && refused.code).toBe('CIRCUIT_OPEN')
    now += 1_000
    expect(breaker.state).toBe('half-open')
    expect(breaker.allow()).toBe(true)
    expect(breaker.allow()).toBe(false)
    breaker.success()
    expect(breaker.state).toBe('closed')
  })

  it('re-opens when the half-open trial fails', async () => {
    let now = 0
    const breaker = new CircuitBreaker({ failureThreshold: 1, resetTimeoutMs: 500, clock: { now: () => now } })
    breaker.failure()
    now += 500
    await expect(breaker.run(() => Promise.reject(new Error('still down')))).rejects.toThrow('still down')
    expect(breaker.state).toBe('open')
    now += 499
    expect(breaker.state).toBe('open')
  })
})
