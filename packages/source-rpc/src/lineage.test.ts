import type { Hex } from '@qenus/core'
import { describe, expect, it } from 'vitest'
import { Lineage } from './lineage.js'

const ref = (n: number) => ({ number: BigInt(n), hash: `0x${n.toString(16).padStart(64, '0')}` as Hex })

describe('Lineage', () => {
  it('keeps at most `limit` refs, dropping the oldest', () => {
    const lineage = new Lineage(3, [ref(1), ref(2)])
    for (const n of [3, 4, 5]) lineage.push(ref(n))
    expect(lineage.newestFirst()).toEqual([ref(5), ref(4), ref(3)])
    expect(new Lineage(2, [ref(1), ref(2), ref(3)]).newestFirst()).toEqual([ref(3), ref(2)])
  })

  it('reverts to an ancestor, returning the dropped refs newest first', () => {
    const lineage = new Lineage(10, [ref(1), ref(2), ref(3), ref(4)])
    expect(lineage.revertTo(ref(2))).toEqual([ref(4), ref(3)])
    expect(lineage.last).toEqual(ref(2))
  })
})
