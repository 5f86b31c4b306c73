import { describe, expect, it } from 'vitest'
import { SequencerMonitor } from './monitor.js'

describe('SequencerMonitor', () => {
  it('is ok on cadence, degraded after a gap, halted by the clock, and degraded on the block after a halt', () => {
    const m = new SequencerMonitor({ expectedBlockTimeMs: 2_000 })
    for (let i = 0n; i < 5n; i++) expect(m.onBlock({ number: i, timestamp: 1_000n + 2n * i }).status).toBe('ok')
    expect(m.check({ now: () => 1_010_000 }).status).toBe('ok')
    const halted = m.check({ now: () => 1_040_000 })
    expect(halted.status).toBe('halted')
    expect(halted.reasons[0]).toBe('no block for 32 s since block 4')
    const after = m.onBlock({ number: 5n, timestamp: 1_040n })
    expect(after.status).toBe('degraded')
    expect(after.reasons[0]).toMatch(/resumed after 32 s/)
    expect(after.gaps).toBe(1)
    m.onRevert(4n)
    expect(m.check({ now: () => 1_008_000 }).reorgs).toBe(1)
  })

  it('does not count one-second timestamp steps as gaps on a sub-second chain', () => {
    const m = new SequencerMonitor({ expectedBlockTimeMs: 250 })
    let report = m.onBlock({ number: 0n, timestamp: 100n })
    for (let i = 1n; i < 20n; i++) report = m.onBlock({ number: i, timestamp: 100n + i / 4n })
    expect(report.status).toBe('ok')
    expect(report.gaps).toBe(0)
  })
})
