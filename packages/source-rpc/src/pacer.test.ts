import { describe, expect, it } from 'vitest'
import { PollPacer } from './pacer.js'

/**
 * Polls a simulated chain (block `n` appears at `n × blockMs + jitter(n)`) as the stream does,
 * and returns the polls per block and the worst delay from a block's appearance to its poll.
 */
function simulate(blockMs: number, pollMs: number, chainBlockMs: number, jitter = (_n: number) => 0) {
  const pacer = new PollPacer(pollMs, chainBlockMs)
  const headAt = (t: number) => {
    let n = Math.floor(t / blockMs)
    while (n > 0 && n * blockMs + jitter(n) > t) n--
    return n
  }
  let now = blockMs
  let polls = 0
  let worst = 0
  let last = headAt(now)
  pacer.saw(BigInt(last), now)
  const blocks = 200
  while (last < blocks) {
    now += pacer.delay(now)
    polls++
    const head = headAt(now)
    if (head > last) worst = Math.max(worst, now - ((last + 1) * blockMs + jitter(last + 1)))
    last = Math.max(last, head)
    pacer.saw(BigInt(head), now)
  }
  return { perBlock: polls / (blocks - 1), worst }
}

describe('PollPacer', () => {
  it('polls about 1.25 times per block on a steady chain, never later than one poll interval', () => {
    const { perBlock, worst } = simulate(12_000, 1_000, 12_000)
    expect(perBlock).toBeGreaterThan(1)
    expect(perBlock).toBeLessThan(1.4)
    expect(worst).toBeLessThanOrEqual(1_000)
  })

  it('learns blocks faster than the chain block time', () => {
    const { perBlock, worst } = simulate(300, 100, 1_000)
    expect(perBlock).toBeLessThan(1.6)
    expect(worst).toBeLessThanOrEqual(100)
  })

  it('stays within the chain block time when blocks are late', () => {
    const { perBlock } = simulate(3_000, 500, 1_000)
    expect(perBlock).toBeGreaterThan(3)
  })

  it('keeps polling at the interval before it has seen enough heads', () => {
    const pacer = new PollPacer(100, 12_000)
    pacer.saw(5n, 0)
    pacer.saw(6n, 12_000)
    expect(pacer.delay(12_010)).toBe(100)
    pacer.saw(7n, 24_000)
    expect(pacer.delay(24_010)).toBe(12_000 - 25 - 10)
  })
})
