/** One JSON-RPC call as the proxy saw it. */
export interface ProxiedCall {
  /** The request id. */
  id: unknown
  /** The JSON-RPC method. */
  method: string
  /** The parameters. */
  params: unknown[]
}

/** One JSON-RPC reply. */
export interface ProxiedReply {
  /** The request id. */
  id: unknown
  /** The result, when the call succeeded. */
  result?: unknown
  /** The error, when it failed. */
  error?: { code: number; message: string } | undefined
}

/**
 * A fault the {@link FaultProxy} injects. Faults that break the HTTP exchange (`http-status`,
 * `hang`, `truncate`) hit the whole HTTP request, so every call of a JSON-RPC batch fails with it;
 * the others rewrite one call's reply.
 */
export type Fault =
  /** Answers with this HTTP status (e.g. 429 with `retryAfterSeconds`, 500, 503) and no JSON-RPC body. */
  | { type: 'http-status'; status: number; retryAfterSeconds?: number | undefined }
  /** Never answers; the connection stays open until the client gives up or the proxy stops. */
  | { type: 'hang' }
  /** Answers 200 with the first half of the JSON body. */
  | { type: 'truncate' }
  /** Answers with a JSON-RPC error. */
  | { type: 'rpc-error'; code: number; message: string }
  /** `eth_chainId` answers this chain id. */
  | { type: 'chain-id'; chainId: number }
  /** `eth_blockNumber` (and `eth_getBlockByNumber('latest')`) keeps answering the head it saw when the fault first applied. */
  | { type: 'freeze-head' }
  /**
   * `eth_blockNumber` answers `blocks` below the real head, and `eth_getBlockByNumber('latest')`
   * that block (a lagging replica: a head that goes backwards).
   */
  | { type: 'head-behind'; blocks: number }
  /** The first log of an `eth_getLogs` answer carries another block hash. */
  | { type: 'log-block-hash' }
  /**
   * One log of an `eth_getLogs` answer is left out: by default the last log that is the only
   * one of its address and first topic in its block (the kind a logsBloom check can catch).
   */
  | { type: 'drop-log'; pick?: ((logs: ProxiedLog[]) => number) | undefined }
  /** `eth_getLogs` over more than `maxBlocks` blocks fails with -32005, as hosted providers do. */
  | { type: 'range-limit'; maxBlocks: number }
  /** `eth_getLogs` answers with more than `maxLogs` logs fail with -32005 "response size exceeded". */
  | { type: 'response-limit'; maxLogs: number }

/** A log in an `eth_getLogs` answer, as JSON-RPC sends it. */
export interface ProxiedLog {
  /** Emitting contract. */
  address: string
  /** Topics. */
  topics: string[]
  /** Block hash. */
  blockHash: string
  /** Block number, hex. */
  blockNumber: string
  /** Log index, hex. */
  logIndex: string
}

/** When and how often a {@link Fault} applies. */
export interface FaultRule {
  /** The fault. */
  fault: Fault
  /**
   * The JSON-RPC methods it applies to.
   * @default every method (for the reply-rewriting faults: the one method they rewrite)
   */
  methods?: readonly string[] | undefined
  /**
   * Matching calls let through before the fault first applies.
   * @default 0
   */
  skip?: number | undefined
  /**
   * How many matching calls it applies to; afterwards it is spent.
   * @default Infinity
   */
  times?: number | undefined
}

/** A fault in force; see {@link FaultProxy.inject}. */
export interface FaultHandle {
  /** Matching calls it applied to so far. */
  readonly applied: number
  /** Matching calls seen so far, applied or not. */
  readonly seen: number
  /** Lifts the fault. */
  remove(): void
}
