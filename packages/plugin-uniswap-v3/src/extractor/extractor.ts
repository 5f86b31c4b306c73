import {
  type BlockContext,
  type ChainInfo,
  type Extractor,
  type Feature,
  featureId,
  type Hex,
  inject,
  type Log,
  type LogFilter,
  LoggerToken,
  OptionsToken,
} from '@qenus/core'
import { priceFromSqrtPriceX96 } from '../math/price.js'
import { decodeSwapLog, SWAP_TOPIC, type SwapEvent, type SwapQuarantineCode } from '../swap/decode.js'
import type { UniswapV3Options } from './options.js'
import { type PoolMetadata, PoolMetadataCache } from './pool-metadata.js'

/** The logger calls the extractor makes; a pino logger satisfies it. */
export interface ExtractorLogger {
  /** Logs a warning with structured fields. */
  warn(fields: object, message: string): void
}

/** Why a log was set aside: a decoder code, or `POOL_METADATA` when its pool could not be read. */
export type QuarantineReasonCode = SwapQuarantineCode | 'POOL_METADATA'

type DecodedSwap = { log: Log; pool: Hex; swap: SwapEvent }

/**
 * Extracts `amm.swap` features from Uniswap V3 `Swap` logs.
 *
 * @remarks
 * Pool metadata (tokens, fee, token decimals) is immutable, so it is read once per pool through
 * the block's {@link ChainReader} and kept in memory; reverts need no rollback. Malformed logs and
 * swaps of pools whose metadata cannot be read are quarantined: logged with their reason, counted
 * in {@link UniswapV3Extractor.quarantined}, and skipped.
 */
export class UniswapV3Extractor implements Extractor {
  readonly #options: UniswapV3Options
  readonly #logger: ExtractorLogger
  readonly #metadata = new Map<number, PoolMetadataCache>()
  readonly #quarantined = new Map<QuarantineReasonCode, number>()

  constructor(@inject(OptionsToken) options: UniswapV3Options, @inject(LoggerToken) logger: ExtractorLogger) {
    this.#options = options
    this.#logger = logger
  }

  /** Quarantined logs so far, by reason code. */
  get quarantined(): ReadonlyMap<QuarantineReasonCode, number> {
    return this.#quarantined
  }

  /** One filter on the `Swap` topic, narrowed to the configured pools unless `pools` is `'all'`. */
  logFilters(_chain: ChainInfo): LogFilter[] {
    const { pools } = this.#options
    return [{ address: pools === 'all' ? undefined : [...pools], topics: [SWAP_TOPIC] }]
  }

  /** Decodes the block's `Swap` logs into `amm.swap` features, in log order. */
  async onBlock({ chain, header, logs, reader }: BlockContext): Promise<Feature[]> {
    const decoded = this.#decode(logs)
    if (decoded.length === 0) return []
    const cache = this.#cacheOf(chain)
    await cache.load(
      decoded.map((d) => d.pool),
      reader,
    )
    const features: Feature[] = []
    for (const { log, pool, swap } of decoded) {
      const metadata = cache.get(pool)
      if (metadata === undefined || !('token0' in metadata)) {
        this.#quarantine('POOL_METADATA', metadata?.reason ?? 'pool metadata missing', log)
        continue
      }
      features.push(toFeature(chain, header, log, pool, swap, metadata))
    }
    return features
  }

  #decode(logs: Log[]): DecodedSwap[] {
    const decoded: DecodedSwap[] = []
    for (const log of logs) {
      const result = decodeSwapLog(log)
      if (result.ok) decoded.push({ log, pool: log.address.toLowerCase() as Hex, swap: result.value })
      else this.#quarantine(result.code, result.reason, log)
    }
    return decoded
  }

  #cacheOf(chain: ChainInfo): PoolMetadataCache {
    let cache = this.#metadata.get(chain.chainId)
    if (cache === undefined) {
      cache = new PoolMetadataCache()
      this.#metadata.set(chain.chainId, cache)
    }
    return cache
  }

  #quarantine(code: QuarantineReasonCode, reason: string, log: Log): void {
    this.#quarantined.set(code, (this.#quarantined.get(code) ?? 0) + 1)
    this.#logger.warn(
      { code, reason, address: log.address, txHash: log.transactionHash, logIndex: log.logIndex },
      'uniswap-v3: log quarantined',
    )
  }
}

function toFeature(
  chain: ChainInfo,
  header: BlockContext['header'],
  log: Log,
  pool: Hex,
  swap: SwapEvent,
  metadata: PoolMetadata,
): Feature {
  return {
    id: featureId({
      chainId: chain.chainId,
      blockHash: header.hash,
      logIndex: log.logIndex,
      kind: 'amm.swap',
      discriminator: '',
    }),
    kind: 'amm.swap',
    chainId: chain.chainId,
    chain: chain.name,
    blockNumber: header.number,
    blockHash: header.hash,
    blockTimestamp: header.timestamp,
    txHash: log.transactionHash,
    txIndex: log.transactionIndex,
    logIndex: log.logIndex,
    protocol: 'uniswap-v3',
    address: pool,
    data: {
      pool,
      token0: metadata.token0,
      token1: metadata.token1,
      amount0: swap.amount0,
      amount1: swap.amount1,
      sender: swap.sender,
      recipient: swap.recipient,
      fee: metadata.fee,
      sqrtPriceX96: swap.sqrtPriceX96,
      liquidity: swap.liquidity,
      tick: swap.tick,
      price: priceFromSqrtPriceX96(swap.sqrtPriceX96, metadata.decimals0, metadata.decimals1),
    },
  }
}
