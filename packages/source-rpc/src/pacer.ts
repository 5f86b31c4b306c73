/** Heads the block time is estimated over: enough to smooth the poll phase out, few enough to follow a change. */
const WINDOW = 8
/** How long before the estimated arrival the first poll goes out, as a share of the poll interval. */
const LEAD = 0.25

/**
 * When to poll the head next: shortly before the next block is due (estimated from when recent
 * heads were first seen, at most the chain's block time), then every poll interval until it comes.
 *
 * @remarks
 * Polling at a fixed interval asks `blockTime / pollInterval` times per block. Aiming the first
 * poll `LEAD × pollInterval` ahead of the expected arrival makes it about `1 + LEAD` times, while
 * the time from a block's arrival to its poll stays within one poll interval: each early poll
 * moves the phase `LEAD` closer to the arrival, and a miss resets it one interval later.
 * The estimate is an average over {@link WINDOW} heads rather than a median of gaps, since the
 * pacing itself shortens most single gaps by the lead.
 *
 * @internal
 */
export class PollPacer {
  readonly #seen: { head: bigint; at: number }[] = []

  /**
   * @param pollIntervalMs - The shortest wait between two polls.
   * @param blockTimeMs - The chain's block time, the longest block time assumed.
   */
  constructor(
    private readonly pollIntervalMs: number,
    private readonly blockTimeMs: number,
  ) {}

  /** Records a polled head; only a new one moves the estimate. */
  saw(head: bigint, now = Date.now()): void {
    const last = this.#seen.at(-1)
    if (last && head <= last.head) return
    this.#seen.push({ head, at: now })
    if (this.#seen.length > WINDOW + 1) this.#seen.shift()
  }

  /** How long to wait before the next poll, ms. */
  delay(now = Date.now()): number {
    const seen = this.#seen
    if (seen.length < 3) return this.pollIntervalMs
    const first = seen[0]!
    const last = seen.at(-1)!
    const blockMs = Math.min(this.blockTimeMs, (last.at - first.at) / Number(last.head - first.head))
    return Math.max(this.pollIntervalMs, last.at + blockMs - LEAD * this.pollIntervalMs - now)
  }
}
