import type { ChainHealth, LaneState } from '../observability/health.js'
import type { Metrics } from '../observability/metrics.js'
import { redactUrlsDeep, redactUrlsInText } from '../observability/redact.js'
import type { ChainInfo } from '../schema/chains.js'
import type { Clock } from '../util/clock.js'

/**
 * What a lane knows about itself, for `/health` and the lag gauges.
 *
 * @internal
 */
export class LaneStatus {
  state: LaneState = 'starting'
  head: bigint | undefined
  processed: { number: bigint; timestamp: bigint } | undefined
  checkpoint: bigint | undefined
  lastError: string | undefined
  blocks = 0
  features = 0
  source: (() => Record<string, unknown>) | undefined
  #headFromSource = false

  constructor(
    readonly chain: ChainInfo,
    readonly metrics: Metrics,
    readonly clock: Clock,
  ) {}

  /** Records an extracted block and refreshes the lag gauges. */
  onProcessed(number: bigint, timestamp: bigint, features: number): void {
    this.processed = { number, timestamp }
    this.blocks++
    this.features += features
    if (this.state === 'starting') this.state = 'syncing'
    if (this.head === undefined || this.head < number) this.head = number
    this.#gauges()
  }

  /** Records the head as the source reported it. */
  onHead(head: bigint): void {
    this.#headFromSource = true
    if (this.head === undefined || head > this.head) this.head = head
    this.#gauges()
  }

  /** Records an error, with any URL in it redacted. */
  onError(error: unknown): void {
    this.lastError = redactUrlsInText(error instanceof Error ? error.message : String(error))
  }

  /** The lane's `/health` entry. */
  health(): ChainHealth {
    const lagBlocks = this.#lagBlocks()
    const lagSeconds = this.#lagSeconds()
    const source = this.#sourceHealth()
    return {
      chainId: this.chain.chainId,
      state: source?.state === 'down' && this.#running() ? 'down' : this.#state(lagBlocks, lagSeconds),
      head: this.head?.toString(),
      processed: this.processed?.number.toString(),
      checkpoint: this.checkpoint?.toString(),
      lagBlocks,
      lagSeconds,
      blocks: this.blocks,
      features: this.features,
      lastError: this.lastError,
      source,
    }
  }

  /** A running lane is `down` while its source reports `state: 'down'` (e.g. every provider benched). */
  #running(): boolean {
    return this.state === 'starting' || this.state === 'syncing'
  }

  #state(lagBlocks: number | undefined, lagSeconds: number | undefined): LaneState {
    if (this.state !== 'syncing') return this.state
    // "Live" means within about ten seconds of the head, whatever the chain's block time.
    const liveBlocks = Math.max(2, Math.ceil(10_000 / this.chain.blockTimeMs))
    if (this.#headFromSource && lagBlocks !== undefined) return lagBlocks <= liveBlocks ? 'live' : 'syncing'
    return lagSeconds !== undefined && lagSeconds * 1000 <= Math.max(60_000, 5 * this.chain.blockTimeMs)
      ? 'live'
      : 'syncing'
  }

  #lagBlocks(): number | undefined {
    if (this.head === undefined || this.processed === undefined) return undefined
    return Number(this.head - this.processed.number)
  }

  #lagSeconds(): number | undefined {
    if (this.processed === undefined) return undefined
    return Math.max(0, this.clock.now() / 1000 - Number(this.processed.timestamp))
  }

  #gauges(): void {
    const labels = { chain: this.chain.name }
    const lagBlocks = this.#lagBlocks()
    if (lagBlocks !== undefined) this.metrics.headLagBlocks.set(labels, lagBlocks)
    const lagSeconds = this.#lagSeconds()
    if (lagSeconds !== undefined) this.metrics.headLagSeconds.set(labels, lagSeconds)
  }

  #sourceHealth(): Record<string, unknown> | undefined {
    try {
      const reported = this.source?.()
      // A source should not report secrets; provider URLs are redacted here all the same.
      return reported === undefined ? undefined : (redactUrlsDeep(reported) as Record<string, unknown>)
    } catch (error) {
      return { error: redactUrlsInText((error as Error).message) }
    }
  }
}
