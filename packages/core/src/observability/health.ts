/** The life cycle of a chain lane. */
export type LaneState = 'starting' | 'syncing' | 'live' | 'down' | 'stopped'

/** The health of one chain lane, as `GET /health` reports it. Block numbers are decimal strings. */
export interface ChainHealth {
  /** EIP-155 chain id. */
  chainId: number
  /** Where the lane is in its life cycle. */
  state: LaneState
  /** The head as the source last reported it. */
  head?: string | undefined
  /** The last block extracted. */
  processed?: string | undefined
  /** The last block checkpointed (every sink flushed it). */
  checkpoint?: string | undefined
  /** Blocks between `head` and `processed`. */
  lagBlocks?: number | undefined
  /** Seconds between now and the processed block's timestamp. */
  lagSeconds?: number | undefined
  /** Blocks extracted since the pipeline started (a revert does not subtract). */
  blocks: number
  /** Features emitted since the pipeline started. */
  features: number
  /** The last error the lane met, retried or fatal. */
  lastError?: string | undefined
  /** Whatever the source reports through its `health()` method, e.g. provider states. */
  source?: Record<string, unknown> | undefined
}

/** What `GET /health` returns. */
export interface HealthReport {
  /** `ok` when no lane is down; `down` when every lane is; `degraded` otherwise. */
  status: 'ok' | 'degraded' | 'down'
  /** Pipeline name. */
  pipeline: string
  /** Lanes by chain name. */
  chains: Record<string, ChainHealth>
}
