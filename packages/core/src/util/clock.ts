/**
 * A source of time. The runtime injects one under `ClockToken`, so tests can control time.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number
}

/** The wall clock. */
export const systemClock: Clock = Object.freeze({ now: () => Date.now() })
