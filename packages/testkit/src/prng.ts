/**
 * A small seeded pseudo-random generator (mulberry32 over a splitmix-hashed seed), so the same
 * seed always yields the same traffic.
 */
export class Prng {
  #state: number

  /**
   * @param seed - Any integer or string; equal seeds give equal sequences.
   */
  constructor(seed: number | string) {
    let h = typeof seed === 'number' ? seed >>> 0 : hashString(seed)
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
    this.#state = (h ^ (h >>> 16)) >>> 0
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0
    let t = this.#state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  /** An integer in [min, max], inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Prng.pick: empty array')
    return items[Math.floor(this.next() * items.length)]!
  }

  /** `max` times a random fraction between `lowPpm` and `highPpm` parts per million. */
  fraction(max: bigint, lowPpm: number, highPpm: number): bigint {
    return (max * BigInt(this.int(lowPpm, highPpm))) / 1_000_000n
  }

  /** Shuffles an array in place (Fisher–Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1))
      ;[items[i], items[j]] = [items[j]!, items[i]!]
    }
    return items
  }
}

function hashString(s: string): number {
  let h = 2166136261
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619)
  return h >>> 0
}
