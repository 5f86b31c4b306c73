import {
  type BlockContext,
  type BlockHeader,
  blockFeature,
  type ChainInfo,
  type Extractor,
  FatalError,
  type Feature,
  type Hex,
  inject,
  type LogFilter,
  type Logger,
  LoggerToken,
  OptionsToken,
} from '@qenus/core'
import type { BidTrace } from './bid-trace.js'
import { type RelayAnswer, RelayClient, type RelayStats } from './client.js'
import type { MevBoostOptions } from './options.js'

/** Beacon genesis times (Unix s) by execution chain id: Ethereum, Sepolia, Holesky, Hoodi. */
export const BEACON_GENESIS_TIMES: Readonly<Record<number, number>> = {
  1: 1_606_824_023,
  11155111: 1_655_733_600,
  17000: 1_695_902_400,
  560048: 1_742_213_400,
}

const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000' as Hex

/**
 * The beacon slot of an execution block.
 *
 * @param timestamp - Block timestamp, Unix seconds.
 * @param genesisTime - Beacon genesis time, Unix seconds.
 * @param secondsPerSlot - Slot length.
 * @returns The slot, or `undefined` for a block before genesis.
 * @example
 * ```ts
 * slotOf(1681395083n, 1606824023, 12) // 6214255n
 * ```
 */
export function slotOf(timestamp: bigint, genesisTime: number, secondsPerSlot: number): bigint | undefined {
  const since = timestamp - BigInt(genesisTime)
  return since < 0n ? undefined : since / BigInt(secondsPerSlot)
}

/**
 * `mev.bid` features from MEV-Boost relays, in the block they bid for: for each block, its slot is
 * queried on every relay at once; the bid a relay delivered for the on-chain block comes first
 * with `delivered: true` (which relay and builder won, and the winning value), then, with
 * `bids`, every bid each relay received, in relay order then arrival order.
 *
 * @remarks
 * The features are block features, so they revert and checkpoint like any other. They depend on
 * what the relays answer when the block is extracted: a relay that is slow, rate limited, broken
 * or behind its open circuit breaker is skipped for that block (warned and counted in
 * {@link MevBoostExtractor.relayStats}) while the others are used; the extractor never fails a block.
 */
export class MevBoostExtractor implements Extractor {
  readonly #options: MevBoostOptions
  readonly #logger: Pick<Logger, 'warn'>
  readonly #relays: RelayClient[]

  /**
   * @param options - Validated options (see `mevBoostOptions`).
   * @param logger - Where relay failures are reported.
   */
  constructor(@inject(OptionsToken) options: MevBoostOptions, @inject(LoggerToken) logger: Pick<Logger, 'warn'>) {
    this.#options = options
    this.#logger = logger
    this.#relays = options.relays.map(
      (relay) =>
        new RelayClient(typeof relay === 'string' ? { name: new URL(relay).hostname, url: relay } : relay, options),
    )
  }

  /** Counters per relay name. */
  get relayStats(): ReadonlyMap<string, Readonly<RelayStats>> {
    return new Map(this.#relays.map((client) => [client.relay.name, client.stats]))
  }

  /** No logs: relay data is fetched per block. Fails early on a chain whose slot timing is unknown. */
  logFilters(chain: ChainInfo): LogFilter[] {
    this.#genesis(chain)
    return []
  }

  /** Queries every relay for the block's slot and returns its `mev.bid` features. */
  async onBlock({ chain, header }: BlockContext): Promise<Feature[]> {
    const slot = slotOf(header.timestamp, this.#genesis(chain), this.#options.secondsPerSlot)
    if (slot === undefined) return []
    const answers = await Promise.all(
      this.#relays.map(async (client) => {
        const [delivered, received] = await Promise.all([
          client.bidTraces('proposer_payload_delivered', slot),
          this.#options.bids ? client.bidTraces('builder_blocks_received', slot) : undefined,
        ])
        return { delivered: this.#usable(delivered, slot), received: received && this.#usable(received, slot) }
      }),
    )
    const features: Feature[] = []
    for (const { delivered, received } of answers) {
      const won = delivered?.traces.find((trace) => trace.blockHash === header.hash)
      if (won) features.push(this.#winner(chain, header, delivered!.relay, won, received?.traces ?? []))
    }
    for (const { received } of answers) {
      if (received) features.push(...bidFeatures(chain, header, received.relay, received.traces))
    }
    return features
  }

  #winner(chain: ChainInfo, header: BlockHeader, relay: string, won: BidTrace, bids: BidTrace[]): Feature {
    // The delivered trace has no arrival time; the same bid among the received ones has.
    const same = bids.find(
      (b) => b.blockHash === won.blockHash && b.builderPubkey === won.builderPubkey && b.value === won.value,
    )
    const timestampMs = same?.timestampMs ?? header.timestamp * 1_000n
    return bidFeature(chain, header, relay, { ...won, timestampMs }, `${relay}:delivered`, true)
  }

  #usable(answer: RelayAnswer, slot: bigint): { relay: string; traces: BidTrace[] } | undefined {
    if (!answer.ok) {
      this.#logger.warn(
        { relay: answer.relay, slot: String(slot), reason: answer.reason, detail: answer.detail },
        'mev-boost: relay skipped',
      )
      return undefined
    }
    if (answer.malformedEntries > 0) {
      this.#logger.warn(
        { relay: answer.relay, slot: String(slot), malformed: answer.malformedEntries },
        'mev-boost: malformed bid traces skipped',
      )
    }
    return { relay: answer.relay, traces: answer.traces.filter((trace) => trace.slot === slot) }
  }

  #genesis(chain: ChainInfo): number {
    const genesis = this.#options.genesisTime ?? BEACON_GENESIS_TIMES[chain.chainId]
    if (genesis === undefined) {
      throw new FatalError(`mev-boost: no beacon genesis time known for chain ${chain.name} (id ${chain.chainId})`, {
        code: 'MEV_BOOST_GENESIS_UNKNOWN',
        details: 'Set the `genesisTime` option (Unix seconds) of the mev-boost extractor.',
      })
    }
    return genesis
  }
}

/** Every distinct bid in arrival order; a bid repeated by the relay is kept once. */
function bidFeatures(chain: ChainInfo, header: BlockHeader, relay: string, traces: BidTrace[]): Feature[] {
  const seen = new Set<string>()
  const sorted = [...traces].sort((a, b) =>
    a.timestampMs === b.timestampMs
      ? a.blockHash.localeCompare(b.blockHash)
      : (a.timestampMs ?? 0n) < (b.timestampMs ?? 0n)
        ? -1
        : 1,
  )
  const features: Feature[] = []
  for (const trace of sorted) {
    const key = `${relay}:${trace.blockHash}:${trace.timestampMs ?? '-'}`
    if (seen.has(key)) continue
    seen.add(key)
    features.push(bidFeature(chain, header, relay, trace, key, false))
  }
  return features
}

function bidFeature(
  chain: ChainInfo,
  header: BlockHeader,
  relay: string,
  trace: BidTrace,
  discriminator: string,
  delivered: boolean,
): Feature {
  return blockFeature({
    kind: 'mev.bid',
    chain,
    header,
    protocol: 'mev-boost',
    address: trace.proposerFeeRecipient ?? (header.miner?.toLowerCase() as Hex) ?? ZERO_ADDRESS,
    discriminator,
    data: {
      relay,
      slot: trace.slot,
      builderPubkey: trace.builderPubkey,
      value: trace.value,
      bidBlockHash: trace.blockHash,
      timestampMs: trace.timestampMs ?? header.timestamp * 1_000n,
      gasUsed: trace.gasUsed,
      txCount: trace.txCount,
      bidBlockNumber: trace.blockNumber,
      ...(delivered ? { delivered } : {}),
    },
  })
}
