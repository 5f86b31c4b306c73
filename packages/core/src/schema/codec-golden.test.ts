import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import protobuf from 'protobufjs'
import { decodeEventLog, type Hex, parseAbiItem } from 'viem'
import { describe, expect, it } from 'vitest'
import { PROTO_FILE, protoIncludeDirs } from './codec-schema.js'
import { type AmmSwapData, type FeatureEnvelope, featureId } from './feature.js'
import { decodeFeatureJson, encodeFeatureJson } from './json.js'
import { decodeFeatureProto, encodeFeatureProto } from './protobuf.js'

// Two real mainnet blocks as ethereum-etl exported them (newline-delimited JSON), kept with the
// testkit's fixtures.
const DIR = fileURLToPath(new URL('../../../testkit/fixtures/ethereum-etl', import.meta.url))
const TX = '0xffe1e582dd45870c55b4894e19e366a3979eef27d933117630547bf1c26dc038'
const SWAP = parseAbiItem(
  'event Swap(address indexed sender, address indexed recipient, int256 amount0, int256 amount1, uint160 sqrtPriceX96, uint128 liquidity, int24 tick)',
)

/** Reads ethereum-etl lines, keeping integers past 2^53 exact by quoting them before JSON.parse. */
function readLines(file: string): Record<string, unknown>[] {
  return readFileSync(`${DIR}/${file}`, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line.replace(/:\s*(\d{16,})(?=[,}])/g, ': "$1"')) as Record<string, unknown>)
}

const logs = readLines('logs.json')
const transfers = readLines('token_transfers.json')
const log = logs.find((l) => l.transaction_hash === TX && l.log_index === 93) as Record<string, unknown>
const swapTransfers = transfers.filter((t) => t.transaction_hash === TX)

/** Builds the feature from the raw log the way an extractor would, decoding with viem. */
function swapFeature(): FeatureEnvelope<'amm.swap'> {
  const { args } = decodeEventLog({ abi: [SWAP], data: log.data as Hex, topics: log.topics as [Hex, ...Hex[]] })
  const pool = log.address as Hex
  // The pool's tokens are the ones it moved in this transaction; token0 sorts first.
  const tokens = [...new Set(swapTransfers.map((t) => t.token_address as Hex))].sort()
  const blockHash = log.block_hash as Hex
  const data: AmmSwapData = {
    pool,
    token0: tokens[0],
    token1: tokens[1],
    amount0: args.amount0,
    amount1: args.amount1,
    sender: args.sender.toLowerCase() as Hex,
    recipient: args.recipient.toLowerCase() as Hex,
    fee: 3000, // not in the log; the codecs carry it as given
    sqrtPriceX96: args.sqrtPriceX96,
    liquidity: args.liquidity,
    tick: args.tick,
    price: rawPrice(args.sqrtPriceX96),
  }
  return {
    id: featureId({ chainId: 1, blockHash, logIndex: 93, kind: 'amm.swap', discriminator: '' }),
    kind: 'amm.swap',
    chainId: 1,
    chain: 'ethereum',
    blockNumber: BigInt(log.block_number as number),
    blockHash,
    blockTimestamp: BigInt(log.block_timestamp as number),
    txHash: TX,
    txIndex: log.transaction_index as number,
    logIndex: 93,
    protocol: 'uniswap-v3',
    address: pool,
    data,
  }
}

/** token1 per token0 in raw units, 24 decimals, by integer arithmetic. */
function rawPrice(sqrtPriceX96: bigint): string {
  const scaled = (sqrtPriceX96 * sqrtPriceX96 * 10n ** 24n) >> 192n
  const digits = scaled.toString().padStart(25, '0')
  return `${digits.slice(0, -24)}.${digits.slice(-24)}`
}

describe('golden: mainnet Uniswap V3 swap, block 17173049 log 93', () => {
  const feature = swapFeature()
  const moved = new Map(swapTransfers.map((t) => [t.token_address as string, BigInt(t.value as string)]))

  it('is the swap the token transfers of its transaction show', () => {
    // The pool paid out token0 and received token1, as ethereum-etl's transfers record them.
    expect(feature.data.amount0).toBe(-(moved.get(feature.data.token0) as bigint))
    expect(feature.data.amount1).toBe(moved.get(feature.data.token1))
    expect(feature.data.amount0 < -(2n ** 53n)).toBe(true)
  })

  it('round-trips exactly through JSON, with every bigint a decimal string', () => {
    const json = encodeFeatureJson(feature)
    expect(decodeFeatureJson(json)).toStrictEqual(feature)
    const parsed = JSON.parse(json)
    expect(parsed.data.amount0).toBe(`-${moved.get(feature.data.token0)}`)
    expect(parsed.data.amount1).toBe(`${moved.get(feature.data.token1)}`)
    expect(parsed.blockNumber).toBe(log.block_number)
    expect(parsed.blockTimestamp).toBe(log.block_timestamp)
    expect(parsed.data.tick).toBe(feature.data.tick)
    expect(parsed.data.tick).toBeLessThan(0)
  })

  it('round-trips exactly through protobuf, and protobufjs alone reads the same values', () => {
    const bytes = encodeFeatureProto(feature)
    expect(decodeFeatureProto(bytes)).toStrictEqual(feature)
    // A plain protobufjs read of the same .proto, without the codec's conversions.
    const root = new protobuf.Root()
    root.resolvePath = (_origin, target) =>
      target.startsWith('google/') ? `${protoIncludeDirs()[1]}/${target}` : target
    root.loadSync(PROTO_FILE)
    const plain = root.lookupType('qenus.v1.Feature').toObject(root.lookupType('qenus.v1.Feature').decode(bytes), {
      longs: String,
      bytes: String,
    })
    expect(plain.blockNumber).toBe(String(log.block_number))
    expect(plain.ammSwap.amount0).toBe(`-${moved.get(feature.data.token0)}`)
    expect(plain.ammSwap.amount1).toBe(`${moved.get(feature.data.token1)}`)
    expect(plain.ammSwap.sqrtPriceX96).toBe(feature.data.sqrtPriceX96?.toString())
    expect(Buffer.from(plain.ammSwap.pool, 'base64').toString('hex')).toBe((log.address as string).slice(2))
    expect(plain.ammSwap.tick).toBe(feature.data.tick)
  })

  it('gives the same JSON bytes whichever codec carried it', () => {
    expect(encodeFeatureJson(decodeFeatureProto(encodeFeatureProto(feature)))).toBe(encodeFeatureJson(feature))
  })
})
