import { KNOWN_CHAINS } from '@qenus/core'
import { describe, expect, it } from 'vitest'
import { capturingLogger } from '../../test/logger.js'
import { BURN_TOPIC, COLLECT_TOPIC, MINT_TOPIC, POOL_CREATED_TOPIC } from '../events/decode.js'
import { computePoolAddress, UNISWAP_V3_FACTORIES } from '../pools/factory.js'
import { SWAP_TOPIC } from '../swap/decode.js'
import { UniswapV3Extractor } from './extractor.js'
import { uniswapV3Options } from './options.js'

const { logger } = capturingLogger()
const filters = (input: object, chain = KNOWN_CHAINS.ethereum!) =>
  new UniswapV3Extractor(uniswapV3Options.parse(input), logger).logFilters(chain)
const USDC = '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48'
const WETH = '0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2'
const ALL_TOPICS = [SWAP_TOPIC, MINT_TOPIC, BURN_TOPIC, COLLECT_TOPIC]

describe('pool selection and log filters', () => {
  it('by default follows every pool event of every kind', () => {
    expect(filters({})).toEqual([{ address: undefined, topics: [ALL_TOPICS] }])
    expect(filters({ emit: ['liquidity'] })).toEqual([
      { address: undefined, topics: [[MINT_TOPIC, BURN_TOPIC, COLLECT_TOPIC]] },
    ])
  })

  it('derives pair pools from the factory: USDC/WETH 0.05% is the well-known mainnet pool', () => {
    expect(computePoolAddress(UNISWAP_V3_FACTORIES[1]!, WETH, USDC, 500)).toBe(
      '0x88e6a0c2ddd26feeb64f039a2c41296fcb3f5640',
    )
    const [filter] = filters({ pools: { pairs: [[USDC, WETH]], fees: [500, 3000] } })
    expect(filter).toEqual({
      address: [500, 3000].map((fee) => computePoolAddress(UNISWAP_V3_FACTORIES[1]!, USDC, WETH, fee)),
      topics: [ALL_TOPICS],
    })
    expect(filter!.address).toContain('0x8ad599c3a0ff1de082011efddc58f1908eb6e6d8') // USDC/WETH 0.3%
  })

  it("reads the factory's PoolCreated for pools: 'factory', with the chain's factory or the override", () => {
    expect(filters({ pools: 'factory' }, KNOWN_CHAINS.base!)).toEqual([
      { address: undefined, topics: [ALL_TOPICS] },
      { address: '0x33128a8fc17869897dce68ed026d694621f6fdfd', topics: [POOL_CREATED_TOPIC] },
    ])
    const factory = `0x${'ab'.repeat(20)}`
    expect(filters({ pools: 'factory', factory }, KNOWN_CHAINS.devnet!)[1]).toEqual({
      address: factory,
      topics: [POOL_CREATED_TOPIC],
    })
  })

  it('fails clearly where no factory is known and none is set', () => {
    expect(() => filters({ pools: 'factory' }, KNOWN_CHAINS.devnet!)).toThrow(
      /no Uniswap V3 factory is known for chain devnet.*/,
    )
  })

  it.each([
    [{ pools: { pairs: [] } }, /at least one token pair/],
    [{ pools: { pairs: [[USDC]] } }, /pools/],
    [{ emit: ['swaps'] }, /emit/],
    [{ depthBps: [0] }, /depthBps/],
    [{ factory: '0x12' }, /factory address/],
  ])('rejects %j', (input, message) => {
    const result = uniswapV3Options.safeParse(input)
    expect(result.success).toBe(false)
    expect(JSON.stringify(result.error?.issues)).toMatch(message)
  })
})
