import { createRequire } from 'node:module'
import type { BlockHeader, ChainReader, Hex, MulticallResult, ReadContractParameters } from '@qenus/core'
import { featureId, KNOWN_CHAINS } from '@qenus/core'
import { loadEthereumEtlBlocks } from '@qenus/testkit'
import { beforeAll, describe, expect, it } from 'vitest'
import { capturingLogger } from '../../test/logger.js'
import { decodeSwapLog, SWAP_TOPIC } from '../swap/decode.js'
import { UniswapV3Extractor } from './extractor.js'
import { uniswapV3Options } from './options.js'

const require = createRequire(import.meta.url)
const { Token } = require('@uniswap/sdk-core') as typeof import('@uniswap/sdk-core')
const { Pool, TickMath } = require('@uniswap/v3-sdk') as typeof import('@uniswap/v3-sdk')
const JSBI = require('jsbi') as { BigInt(value: string): never }

const ethereum = KNOWN_CHAINS.ethereum
const { blocks, logs, transfers: etlTransfers } = loadEthereumEtlBlocks()
const swapLogsOf = (n: bigint) => logs.filter((l) => l.blockNumber === n && l.topics[0] === SWAP_TOPIC)

type PoolState = { token0: Hex; token1: Hex; fee: number }

/**
 * Chain state for the reader: each pool's tokens as ethereum-etl's transfers show them (the
 * lower address is token0), with fee and decimals chosen per pool. Mainnet state itself cannot
 * be read here; the anvil e2e test reads real contracts.
 */
function stateFromTransfers(): { pools: Map<Hex, PoolState>; decimals: Map<Hex, number> } {
  const transfers = etlTransfers
  const pools = new Map<Hex, PoolState>()
  const decimals = new Map<Hex, number>()
  const swaps = logs.filter((l) => l.topics[0] === SWAP_TOPIC)
  swaps.forEach((log, i) => {
    const tokens = new Set(
      transfers
        .filter((t) => t.txHash === log.transactionHash && (t.from === log.address || t.to === log.address))
        .map((t) => t.token),
    )
    const [token0, token1] = [...tokens].sort()
    pools.set(log.address, { token0, token1, fee: [100, 500, 3000, 10000][i % 4] })
    decimals.set(token0, [18, 6, 8, 18][i % 4])
    decimals.set(token1, [6, 18, 18, 0][i % 4])
  })
  return { pools, decimals }
}

/** A ChainReader answering from fixed state, recording every multicall it receives. */
class StateReader implements ChainReader {
  readonly multicalls: ReadContractParameters[][] = []
  constructor(
    readonly block: BlockHeader,
    private readonly state: ReturnType<typeof stateFromTransfers>,
  ) {}
  call(): Promise<Hex> {
    throw new Error('not used by the extractor')
  }
  readContract(): never {
    throw new Error('not used by the extractor')
  }
  async multicall(calls: readonly ReadContractParameters[]): Promise<MulticallResult[]> {
    this.multicalls.push([...calls])
    return calls.map(({ address, functionName }) => {
      const pool = this.state.pools.get(address)
      const value =
        functionName === 'decimals' ? this.state.decimals.get(address) : pool?.[functionName as keyof PoolState]
      return value === undefined
        ? { status: 'failure', error: new Error('execution reverted') }
        : { status: 'success', result: value }
    })
  }
}

const { logger, warnings } = capturingLogger()

describe('UniswapV3Extractor on real mainnet swaps', () => {
  const state = stateFromTransfers()
  const extractor = new UniswapV3Extractor(uniswapV3Options.parse({ emit: ['swap'] }), logger)
  const readers = blocks.map((header) => new StateReader(header, state))
  const features: Awaited<ReturnType<UniswapV3Extractor['onBlock']>>[] = []

  beforeAll(async () => {
    for (const [i, header] of blocks.entries()) {
      features.push(
        await extractor.onBlock({ chain: ethereum, header, logs: swapLogsOf(header.number), reader: readers[i] }),
      )
    }
  })

  it('emits one amm.swap per Swap log, in log order, with the envelope of the log', () => {
    blocks.forEach((header, b) => {
      const swapLogs = swapLogsOf(header.number)
      expect(features[b].map((f) => f.logIndex)).toEqual(swapLogs.map((l) => l.logIndex))
      features[b].forEach((feature, i) => {
        const log = swapLogs[i]
        expect(feature).toMatchObject({
          id: featureId({
            chainId: 1,
            blockHash: header.hash,
            logIndex: log.logIndex,
            kind: 'amm.swap',
            discriminator: '',
          }),
          kind: 'amm.swap',
          chainId: 1,
          chain: 'ethereum',
          blockNumber: header.number,
          blockHash: header.hash,
          blockTimestamp: header.timestamp,
          txHash: log.transactionHash,
          txIndex: log.transactionIndex,
          protocol: 'uniswap-v3',
          address: log.address,
        })
      })
    })
    expect(features.flat()).toHaveLength(10)
  })

  it('fills data from the decoded log and the pool state, with the SDK price', () => {
    for (const feature of features.flat()) {
      if (feature.kind !== 'amm.swap') throw new Error('wrong kind')
      const log = logs.find((l) => l.blockHash === feature.blockHash && l.logIndex === feature.logIndex)!
      const decoded = decodeSwapLog(log)
      if (!decoded.ok) throw new Error(decoded.reason)
      const pool = state.pools.get(log.address)!
      expect(feature.data).toMatchObject({ ...decoded.value, ...pool, pool: log.address })
      const sdk = new Pool(
        new Token(1, pool.token0, state.decimals.get(pool.token0)!),
        new Token(1, pool.token1, state.decimals.get(pool.token1)!),
        pool.fee,
        decoded.value.sqrtPriceX96.toString(),
        decoded.value.liquidity.toString(),
        TickMath.getTickAtSqrtRatio(JSBI.BigInt(decoded.value.sqrtPriceX96.toString())),
      ).token0Price
      const places = feature.data.price.split('.')[1]?.length ?? 0
      expect(feature.data.price).toBe(sdk.toFixed(places, { groupSeparator: '' }))
    }
  })

  it('reads pool metadata once per pool: pools, then token decimals, in one multicall each', () => {
    const pools = new Set(swapLogsOf(blocks[0].number).map((l) => l.address))
    expect(readers[0].multicalls[0]).toHaveLength(pools.size * 3)
    expect(readers[0].multicalls[1].map((c) => c.functionName)).toEqual(
      readers[0].multicalls[1].map((_, i) => (i % 2 === 0 ? 'decimals' : 'symbol')),
    )
    expect(readers[0].multicalls).toHaveLength(2)
    const later = new Set(swapLogsOf(blocks[1].number).map((l) => l.address))
    const fresh = [...later].filter((p) => !pools.has(p))
    expect(readers[1].multicalls.length).toBe(fresh.length === 0 ? 0 : 2)
    expect(extractor.quarantined.size).toBe(0)
  })
})

describe('UniswapV3Extractor quarantine', () => {
  it('skips malformed logs and pools whose reads revert, counting each reason', async () => {
    warnings.length = 0
    const state = stateFromTransfers()
    const [header] = blocks
    const swapLogs = swapLogsOf(header.number)
    state.pools.delete(swapLogs[0].address)
    const malformed = { ...swapLogs[1], data: swapLogs[1].data.slice(0, -2) as Hex }
    const extractor = new UniswapV3Extractor(uniswapV3Options.parse({ pools: 'all', emit: ['swap'] }), logger)
    const out = await extractor.onBlock({
      chain: ethereum,
      header,
      logs: [...swapLogs, malformed],
      reader: new StateReader(header, state),
    })
    const revertedPool = swapLogs.filter((l) => l.address === swapLogs[0].address).length
    expect(out).toHaveLength(swapLogs.length - revertedPool)
    expect(Object.fromEntries(extractor.quarantined)).toEqual({ POOL_METADATA: revertedPool, WRONG_DATA_LENGTH: 1 })
    expect(warnings).toHaveLength(revertedPool + 1)
    expect(warnings[0].fields).toMatchObject({ code: 'WRONG_DATA_LENGTH', logIndex: malformed.logIndex })
  })
})

describe('uniswapV3Options and logFilters', () => {
  const pool = '0x88E6A0c2dDD26FEEb64F039a2c41296FcB3f5640'

  it("filters on the Swap topic only for pools: 'all' and emit: ['swap']", () => {
    const extractor = new UniswapV3Extractor(uniswapV3Options.parse({ emit: ['swap'] }), logger)
    expect(extractor.logFilters(ethereum)).toEqual([{ address: undefined, topics: [SWAP_TOPIC] }])
  })

  it('narrows to the listed pools, lower-cased', () => {
    const options = uniswapV3Options.parse({ pools: [pool], emit: ['swap'] })
    expect(new UniswapV3Extractor(options, logger).logFilters(ethereum)).toEqual([
      { address: [pool.toLowerCase()], topics: [SWAP_TOPIC] },
    ])
  })

  it.each([
    [{ pools: [] }, /at least one pool/],
    [{ pools: ['0x1234'] }, /0x followed by 40 hex digits/],
    [{ pools: 'some' }, /pools/],
    [{ pool: 'all' }, /pool/],
  ])('rejects %j', (input, message) => {
    const result = uniswapV3Options.safeParse(input)
    expect(result.success).toBe(false)
    expect(JSON.stringify(result.error?.issues)).toMatch(message)
  })
})

describe('the plugin', () => {
  it('is the default export, with its package version and the uniswap-v3 extractor', async () => {
    const { default: plugin } = await import('../index.js')
    const pkg = require('../../package.json') as { version: string }
    expect(plugin).toMatchObject({ name: '@qenus/plugin-uniswap-v3', version: pkg.version, apiVersion: '^0.1.0' })
    expect(plugin.components.extractors?.['uniswap-v3']?.component).toBe(UniswapV3Extractor)
  })
})
