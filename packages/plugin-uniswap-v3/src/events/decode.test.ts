import type { Hex } from '@qenus/core'
import { KNOWN_CHAINS } from '@qenus/core'
import { loadArtifact, Prng } from '@qenus/testkit'
import { type Abi, decodeEventLog, encodeAbiParameters, encodeEventTopics, keccak256, toHex } from 'viem'
import { describe, expect, it } from 'vitest'
import { capturingLogger } from '../../test/logger.js'
import { UniswapV3Extractor } from '../extractor/extractor.js'
import { uniswapV3Options } from '../extractor/options.js'
import {
  BURN_TOPIC,
  COLLECT_TOPIC,
  decodeBurnLog,
  decodeCollectLog,
  decodeMintLog,
  decodePoolCreatedLog,
  MINT_TOPIC,
  POOL_CREATED_TOPIC,
} from './decode.js'

const poolAbi = loadArtifact('UniswapV3Pool').abi as Abi
const factoryAbi = loadArtifact('UniswapV3Factory').abi as Abi
const prng = new Prng('events-decode')

const address = (): Hex => keccak256(toHex(String(prng.next()))).slice(0, 42) as Hex
const uint = (bits: number): bigint => {
  let v = 0n
  for (let i = 0; i < bits; i += 16) v = (v << 16n) | BigInt(prng.int(0, 0xffff))
  return v & ((1n << BigInt(prng.int(1, bits))) - 1n)
}
const tick = () => prng.int(-887272, 887272)

/** A log encoded by viem from the real ABI, with the arguments it was made from. */
function encode(abi: Abi, eventName: string, args: Record<string, unknown>) {
  const event = abi.find((item) => item.type === 'event' && item.name === eventName)!
  if (event.type !== 'event') throw new Error('not an event')
  const topics = encodeEventTopics({ abi: [event], eventName, args } as never) as Hex[]
  const dataInputs = event.inputs.filter((input) => !input.indexed)
  const data = encodeAbiParameters(dataInputs, dataInputs.map((input) => args[input.name!]) as never)
  return { topics, data }
}

const makers = {
  Mint: () =>
    encode(poolAbi, 'Mint', {
      sender: address(),
      owner: address(),
      tickLower: tick(),
      tickUpper: tick(),
      amount: uint(128),
      amount0: uint(256),
      amount1: uint(256),
    }),
  Burn: () =>
    encode(poolAbi, 'Burn', {
      owner: address(),
      tickLower: tick(),
      tickUpper: tick(),
      amount: uint(128),
      amount0: uint(256),
      amount1: uint(256),
    }),
  Collect: () =>
    encode(poolAbi, 'Collect', {
      owner: address(),
      recipient: address(),
      tickLower: tick(),
      tickUpper: tick(),
      amount0: uint(128),
      amount1: uint(128),
    }),
  PoolCreated: () =>
    encode(factoryAbi, 'PoolCreated', {
      token0: address(),
      token1: address(),
      fee: prng.int(0, 1_000_000),
      tickSpacing: prng.int(-8_000_000, 8_000_000),
      pool: address(),
    }),
}
const decoders = {
  Mint: decodeMintLog,
  Burn: decodeBurnLog,
  Collect: decodeCollectLog,
  PoolCreated: decodePoolCreatedLog,
}
const abis = { Mint: poolAbi, Burn: poolAbi, Collect: poolAbi, PoolCreated: factoryAbi }
const names = Object.keys(makers) as (keyof typeof makers)[]

/** viem's decoding, with addresses lower-cased and int24/uint24 as numbers like ours. */
function reference(name: keyof typeof makers, log: { topics: Hex[]; data: Hex }) {
  const { args } = decodeEventLog({ abi: abis[name], topics: log.topics as [Hex], data: log.data })
  // The ABI is loaded from the artifact at run time, so viem's types cannot tell that every input is named
  // and `args` comes back keyed by name.
  return Object.fromEntries(
    Object.entries(args as unknown as Record<string, unknown>).map(([k, v]) => [
      k,
      typeof v === 'string' ? v.toLowerCase() : v,
    ]),
  )
}

describe('Mint, Burn, Collect and PoolCreated decoders', () => {
  it('have the topics of the real ABIs', () => {
    const topic = (abi: Abi, eventName: string) => encodeEventTopics({ abi, eventName } as never)[0]
    expect([MINT_TOPIC, BURN_TOPIC, COLLECT_TOPIC, POOL_CREATED_TOPIC]).toEqual([
      topic(poolAbi, 'Mint'),
      topic(poolAbi, 'Burn'),
      topic(poolAbi, 'Collect'),
      topic(factoryAbi, 'PoolCreated'),
    ])
  })

  it.each(names)('decode 200 random %s logs as viem does', (name) => {
    for (let i = 0; i < 200; i++) {
      const log = makers[name]()
      const result = decoders[name](log)
      expect(result).toEqual({ ok: true, value: reference(name, log) })
    }
  })

  it.each(names)('quarantine malformed %s logs with the reason', (name) => {
    const log = makers[name]()
    const decode = decoders[name]
    expect(decode({ ...log, data: log.data.slice(0, -2) as Hex })).toMatchObject({
      ok: false,
      code: 'WRONG_DATA_LENGTH',
    })
    expect(decode({ ...log, topics: log.topics.slice(0, 3) })).toMatchObject({ ok: false, code: 'WRONG_TOPIC_COUNT' })
    expect(decode({ ...log, topics: [SWAP_LIKE, ...log.topics.slice(1)] })).toMatchObject({
      ok: false,
      code: 'WRONG_TOPIC',
    })
    expect(decode({ ...log, data: `0x${'zz'.repeat((log.data.length - 2) / 2)}` })).toMatchObject({
      ok: false,
      code: 'NOT_HEX',
    })
    // An int24/uint24 topic whose high bits are neither zero nor its sign extension.
    const bad = `0x${'1'.repeat(64)}` as Hex
    expect(decode({ ...log, topics: [log.topics[0]!, log.topics[1]!, log.topics[2]!, bad] })).toMatchObject({
      ok: false,
      code: 'OUT_OF_RANGE',
      reason: expect.stringMatching(/topic 3/),
    })
  })
})

const SWAP_LIKE: Hex = '0xc42079f94a6350d7e6235f29174924f928cc2ac818eb64fed8004e115fbcca67'

describe('the extractor on malformed Mint, Burn and Collect logs', () => {
  it('quarantines each with its reason, counts them and goes on', async () => {
    const { logger, warnings } = capturingLogger()
    const extractor = new UniswapV3Extractor(uniswapV3Options.parse({}), logger)
    const envelope = {
      address: address(),
      blockNumber: 1n,
      blockHash: keccak256('0x01'),
      transactionHash: keccak256('0x02'),
      transactionIndex: 0,
    }
    const mint = makers.Mint()
    const burn = makers.Burn()
    const collect = makers.Collect()
    const logs = [
      { ...mint, data: `${mint.data}00` as Hex, logIndex: 0 },
      { ...burn, topics: burn.topics.slice(0, 2), logIndex: 1 },
      {
        ...collect,
        topics: [collect.topics[0]!, collect.topics[1]!, `0x${'7'.repeat(64)}` as Hex, collect.topics[3]!],
        logIndex: 2,
      },
    ].map((log) => ({ ...envelope, ...log }))
    const reader = new Proxy({}, { get: () => () => Promise.reject(new Error('no read expected')) })
    const header = {
      number: 1n,
      hash: envelope.blockHash,
      parentHash: envelope.blockHash,
      timestamp: 1n,
      gasUsed: 0n,
      gasLimit: 0n,
    }
    const features = await extractor.onBlock({ chain: KNOWN_CHAINS.ethereum!, header, logs, reader: reader as never })
    expect(features).toEqual([])
    expect(Object.fromEntries(extractor.quarantined)).toEqual({
      WRONG_DATA_LENGTH: 1,
      WRONG_TOPIC_COUNT: 1,
      OUT_OF_RANGE: 1,
    })
    expect(warnings.map((w) => [w.fields.code, w.fields.logIndex])).toEqual([
      ['WRONG_DATA_LENGTH', 0],
      ['WRONG_TOPIC_COUNT', 1],
      ['OUT_OF_RANGE', 2],
    ])
    expect(warnings[0]!.fields.reason).toMatch(/Mint: expected 256 hex chars of data, got 258/)
  })
})
