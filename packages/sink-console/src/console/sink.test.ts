import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import {
  decodeFeatureJson,
  decodeRetractionJson,
  type Feature,
  type FeatureBatch,
  featureId,
  type Hex,
  isQenusError,
  KNOWN_CHAINS,
  type Retraction,
} from '@qenus/core'
import { describe, expect, it } from 'vitest'
import plugin from '../index.js'
import { consoleSinkOptions } from './options.js'
import { ConsoleSink } from './sink.js'

const chain = KNOWN_CHAINS.ethereum
const logger = { warn: () => undefined }
const hash = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hex

function swap(block: number, logIndex: number): Feature {
  const blockHash = hash(block)
  return {
    id: featureId({ chainId: 1, blockHash, logIndex, kind: 'amm.swap', discriminator: '' }),
    kind: 'amm.swap',
    chainId: 1,
    chain: 'ethereum',
    blockNumber: BigInt(block),
    blockHash,
    blockTimestamp: 1_683_029_999n + BigInt(block),
    txHash: hash(block * 1000 + logIndex),
    txIndex: logIndex,
    logIndex,
    protocol: 'uniswap-v3',
    address: '0x88e6a0c2ddd26feeb64f039a2c41296fcb3f5640',
    data: {
      pool: '0x88e6a0c2ddd26feeb64f039a2c41296fcb3f5640',
      token0: '0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48',
      token1: '0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2',
      // beyond 2^53 and 2^64, and negative: a float anywhere on the way would show
      amount0: -(2n ** 255n) + BigInt(logIndex),
      amount1: 903_011_634_319_514_535_653_893n * BigInt(block),
      sender: '0x68b3465833fb72a70ecdf485e0e4c7bd8665fc45',
      recipient: '0xc89c92526f5b49821bdd137d375a4032a317212f',
      fee: 500,
      sqrtPriceX96: 1_461_446_703_485_210_103_287_273_052_203_988_822_378_723_970_341n,
      liquidity: 2n ** 128n - 1n,
      tick: -887_272,
      price: '0.000540082375367707333',
    },
  }
}

function batch(block: number, logIndexes: number[]): FeatureBatch {
  return {
    chain,
    block: { number: BigInt(block), hash: hash(block) },
    timestamp: 1_683_029_999n + BigInt(block),
    features: logIndexes.map((i) => swap(block, i)),
  }
}

function tempFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'qenus-console-')), 'features.jsonl')
}

async function sinkAt(path: string, options: object = {}): Promise<ConsoleSink> {
  const sink = new ConsoleSink(consoleSinkOptions.parse({ path, ...options }), logger)
  await sink.start()
  return sink
}

/** Lines of the file, parsed with plain JSON.parse. */
function lines(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l))
}

describe('ConsoleSink to a file', () => {
  const retraction: Retraction = {
    chain,
    to: { number: 100n, hash: hash(100) },
    reverted: [{ number: 101n, hash: hash(101) }],
    ids: batch(101, [2, 7])
      .features.map((f) => f.id)
      .reverse(),
  }

  it('writes one line per feature, in order, that decodes back exactly', async () => {
    const path = tempFile()
    const sink = await sinkAt(path)
    const batches = [batch(100, [0, 3, 9]), batch(101, [2, 7]), batch(102, [])]
    for (const b of batches) await sink.write(b)
    await sink.flush()
    const text = readFileSync(path, 'utf8').split('\n')
    const features = batches.flatMap((b) => b.features)
    expect(text.at(-1)).toBe('')
    expect(text.slice(0, -1).map((line) => decodeFeatureJson(line))).toEqual(features)
    // An independent reader: plain JSON.parse, integers revived with BigInt from their strings.
    lines(path).forEach((line, i) => {
      const data = line.data as Record<string, string>
      const expected = features[i]
      if (expected.kind !== 'amm.swap') throw new Error('wrong kind')
      expect(line.id).toBe(expected.id)
      expect(BigInt(data.amount0)).toBe(expected.data.amount0)
      expect(BigInt(data.amount1)).toBe(expected.data.amount1)
      expect(BigInt(data.sqrtPriceX96)).toBe(expected.data.sqrtPriceX96)
      expect(BigInt(data.liquidity)).toBe(expected.data.liquidity)
    })
    await sink.close()
  })

  it('writes a retraction line on revert, then the replacement and a replay with the same ids', async () => {
    const path = tempFile()
    const sink = await sinkAt(path)
    await sink.write(batch(101, [2, 7]))
    await sink.revert(retraction)
    await sink.write(batch(101, [2, 7]))
    await sink.close()
    const raw = readFileSync(path, 'utf8').split('\n').filter(Boolean)
    const parsed = raw.map((l) => JSON.parse(l))
    expect(parsed.map((l) => l.type ?? l.kind)).toEqual(['amm.swap', 'amm.swap', 'retraction', 'amm.swap', 'amm.swap'])
    expect(parsed[2].ids).toEqual(retraction.ids)
    expect(decodeRetractionJson(raw[2])).toEqual({
      chainId: 1,
      chain: 'ethereum',
      to: retraction.to,
      reverted: retraction.reverted,
      ids: retraction.ids,
    })
    // A consumer deduping by id sees each feature once per canonical block.
    expect(new Set(parsed.filter((l) => l.kind).map((l) => l.id)).size).toBe(2)
  })

  it('drops the lines a restarted pipeline writes again, so the file stays exactly-once', async () => {
    const path = tempFile()
    const first = await sinkAt(path)
    const base = KNOWN_CHAINS.base
    const other = (b: FeatureBatch): FeatureBatch => ({
      ...b,
      chain: base,
      features: b.features.map((f) => ({ ...f, chain: 'base', chainId: 8453 })),
    })
    for (const n of [100, 101, 102]) {
      await first.write(batch(n, [0, 1]))
      await first.write(other(batch(n, [4])))
    }
    await first.revert(retraction)
    await first.close()
    // The pipeline resumes ethereum after block 100 and base from scratch.
    const second = new ConsoleSink(consoleSinkOptions.parse({ path }), logger)
    await second.start({
      chains: new Set(['ethereum', 'base']),
      resume: new Map([['ethereum', { number: 100n, hash: hash(100) }]]),
    })
    await second.close()
    const kept = lines(path)
    expect(kept.map((l) => l.type ?? `${l.chain}:${l.blockNumber}`)).toEqual([
      'ethereum:100',
      'ethereum:100',
      'retraction',
    ])
    // Replaying what was dropped restores the file byte for byte, retraction aside.
    const again = new ConsoleSink(consoleSinkOptions.parse({ path }), logger)
    await again.start({
      chains: new Set(['ethereum']),
      resume: new Map([['ethereum', { number: 100n, hash: hash(100) }]]),
    })
    await again.write(batch(101, [0, 1]))
    await again.write(batch(102, [0, 1]))
    await again.close()
    expect(
      lines(path)
        .filter((l) => l.kind)
        .map((l) => l.id),
    ).toEqual([100, 101, 102].flatMap((n) => batch(n, [0, 1]).features.map((f) => f.id)))
  })

  it('prints no retraction line when retractions is off', async () => {
    const path = tempFile()
    const sink = await sinkAt(path, { retractions: false })
    await sink.write(batch(101, [2]))
    await sink.revert(retraction)
    await sink.close()
    expect(lines(path).map((l) => l.kind)).toEqual(['amm.swap'])
  })

  it('appends to an existing file, and every flushed line is in the file', async () => {
    const path = tempFile()
    writeFileSync(path, '{"earlier":true}\n')
    const sink = await sinkAt(path)
    for (let block = 1; block <= 200; block++) {
      await sink.write(batch(block, [0, 1, 2, 3, 4]))
      if (block % 50 === 0) {
        await sink.flush()
        expect(lines(path)).toHaveLength(1 + block * 5)
      }
    }
    await sink.close()
    const all = lines(path)
    expect(all[0]).toEqual({ earlier: true })
    expect(all.slice(1).map((l) => l.id)).toEqual(
      Array.from({ length: 200 }, (_, b) => batch(b + 1, [0, 1, 2, 3, 4]).features.map((f) => f.id)).flat(),
    )
  })

  it('resolves a relative path against the working directory', async () => {
    const path = tempFile()
    const sink = await sinkAt(relative(process.cwd(), path))
    await sink.write(batch(7, [1]))
    await sink.close()
    expect(lines(path).map((l) => l.id)).toEqual([swap(7, 1).id])
  })

  it('fails start with a clear error when the file cannot be opened', async () => {
    const path = join(tempFile(), 'no-such-dir', 'x.jsonl')
    const sink = new ConsoleSink(consoleSinkOptions.parse({ path }), logger)
    const error = await sink.start().catch((e: unknown) => e)
    expect(isQenusError(error)).toBe(true)
    expect(error).toMatchObject({ code: 'SINK_CONSOLE_WRITE_FAILED' })
    expect(String((error as Error).message)).toContain(path)
  })
})

describe('consoleSinkOptions and the plugin', () => {
  it('defaults to stdout, json and retractions', () => {
    expect(consoleSinkOptions.parse({})).toEqual({ codec: 'json', retractions: true })
  })

  it.each([[{ codec: 'protobuf' }], [{ path: '' }], [{ retractions: 'yes' }], [{ file: 'x' }]])(
    'rejects %j',
    (input) => {
      expect(consoleSinkOptions.safeParse(input).success).toBe(false)
    },
  )

  it('is the default export, with its package version', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'))
    expect(plugin).toMatchObject({ name: '@qenus/sink-console', version: pkg.version, apiVersion: '^0.1.0' })
    expect(plugin.components.sinks?.console?.component).toBe(ConsoleSink)
  })
})
