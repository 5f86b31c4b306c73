import { describe, expect, it } from 'vitest'
import type { BlockRef } from '../contracts/chain.js'
import type { FeatureBatch } from '../contracts/sink.js'
import { isQenusError } from '../errors.js'
import { KNOWN_CHAINS } from '../schema/chains.js'
import { type Feature, featureId } from '../schema/feature.js'
import { InMemoryFeatureStore } from './store.js'

const chain = KNOWN_CHAINS.ethereum
const POOL_A = '0x00000000000000000000000000000000000000aa'
const POOL_B = '0x00000000000000000000000000000000000000bb'

function ref(number: bigint, fork = 0): BlockRef {
  return { number, hash: `0x${(number * 16n + BigInt(fork)).toString(16).padStart(64, '0')}` }
}

/** An `amm.pool` feature whose price is `${block}/${fork}/${logIndex}`, so every version is traceable. */
function pool(block: BlockRef, address: `0x${string}`, logIndex: number, fork = 0): Feature {
  return {
    id: featureId({
      chainId: chain.chainId,
      blockHash: block.hash,
      logIndex,
      kind: 'amm.pool',
      discriminator: address,
    }),
    kind: 'amm.pool',
    chainId: chain.chainId,
    chain: chain.name,
    blockNumber: block.number,
    blockHash: block.hash,
    blockTimestamp: 1_700_000_000n + block.number * 12n,
    logIndex,
    protocol: 'uniswap-v3',
    address,
    data: {
      pool: address,
      tokens: [],
      reserves: [],
      fee: 500,
      price: `${block.number}/${fork}/${logIndex}`,
      depth: [],
    },
  }
}

function gas(block: BlockRef): Feature {
  return {
    id: featureId({ chainId: chain.chainId, blockHash: block.hash, kind: 'gas.block', discriminator: '' }),
    kind: 'gas.block',
    chainId: chain.chainId,
    chain: chain.name,
    blockNumber: block.number,
    blockHash: block.hash,
    blockTimestamp: 1_700_000_000n + block.number * 12n,
    protocol: 'ethereum',
    address: '0x0000000000000000000000000000000000000000',
    data: {
      baseFeePerGas: block.number,
      nextBaseFeePerGas: block.number + 1n,
      gasUsed: 0n,
      gasLimit: 30_000_000n,
      priorityFeeP10: 0n,
      priorityFeeP50: 0n,
      priorityFeeP90: 0n,
    },
  }
}

function batch(block: BlockRef, features: Feature[]): FeatureBatch {
  return { chain, block, timestamp: 1_700_000_000n + block.number * 12n, features }
}

function priceOf(feature: Feature | undefined): string | undefined {
  return feature?.kind === 'amm.pool' ? feature.data.price : undefined
}

function errorCode(run: () => unknown): string | undefined {
  try {
    run()
  } catch (error) {
    return isQenusError(error) ? error.code : 'not a QenusError'
  }
  return undefined
}

describe('InMemoryFeatureStore', () => {
  it('answers the value of a key as of any retained block', () => {
    const store = new InMemoryFeatureStore()
    store.apply(batch(ref(10n), [pool(ref(10n), POOL_A, 0)]))
    store.apply(batch(ref(11n), [pool(ref(11n), POOL_B, 0)]))
    store.apply(batch(ref(12n), [pool(ref(12n), POOL_A, 3), pool(ref(12n), POOL_A, 7)]))
    const key = `amm.pool:${POOL_A}`
    expect(priceOf(store.get(1, key))).toBe('12/0/7') // last of the block wins
    expect(priceOf(store.get(1, key, 11n))).toBe('10/0/0')
    expect(priceOf(store.get(1, key, 10n))).toBe('10/0/0')
    expect(store.get(1, key, 9n)).toBeUndefined()
    expect(priceOf(store.get(1, `amm.pool:${POOL_B}`, 10n))).toBeUndefined()
    expect(store.head(1)).toEqual(ref(12n))
    expect(store.get(1, 'amm.pool:0xnothing')).toBeUndefined()
    expect(store.head(10)).toBeUndefined()
  })

  it('rejects a block not above the head, naming both numbers', () => {
    const store = new InMemoryFeatureStore()
    store.apply(batch(ref(10n), []))
    expect(() => store.apply(batch(ref(10n), []))).toThrow(/block 10 .*head 10/)
    expect(() => store.apply(batch(ref(9n), []))).toThrow(/block 9 .*head 10/)
    expect(errorCode(() => store.apply(batch(ref(9n), [])))).toBe('STORE_BLOCK_OUT_OF_ORDER')
  })

  it('rejects a feature of another block', () => {
    const store = new InMemoryFeatureStore()
    expect(errorCode(() => store.apply(batch(ref(10n), [pool(ref(11n), POOL_A, 0)])))).toBe('STORE_FEATURE_MISMATCH')
  })

  it('keeps N blocks of history and always the newest version of every key', () => {
    const s = new InMemoryFeatureStore({ retainBlocks: 3 })
    s.apply(batch(ref(1n), [pool(ref(1n), POOL_B, 0)])) // never touched again
    for (let n = 2n; n <= 10n; n++) s.apply(batch(ref(n), [pool(ref(n), POOL_A, 0)]))
    // Head 10, retained blocks 8..10; block 7 is the oldest state still readable.
    expect(priceOf(s.get(1, `amm.pool:${POOL_A}`, 7n))).toBe('7/0/0')
    expect(priceOf(s.get(1, `amm.pool:${POOL_A}`, 9n))).toBe('9/0/0')
    expect(errorCode(() => s.get(1, `amm.pool:${POOL_A}`, 6n))).toBe('STORE_BLOCK_OUT_OF_WINDOW')
    expect(errorCode(() => s.get(1, `amm.pool:${POOL_A}`, 11n))).toBe('STORE_BLOCK_OUT_OF_WINDOW')
    expect(priceOf(s.get(1, `amm.pool:${POOL_B}`))).toBe('1/0/0')
    expect(priceOf(s.get(1, `amm.pool:${POOL_B}`, 7n))).toBe('1/0/0')
    expect(s.snapshot(1).map(priceOf)).toEqual(['10/0/0', '1/0/0'])
  })

  it('reverts every version above the ancestor and returns the ids newest first', () => {
    const store = new InMemoryFeatureStore()
    const b = [ref(0n), ref(1n), ref(2n), ref(3n)]
    const f1 = [pool(b[1], POOL_A, 0), gas(b[1])]
    const f2 = [pool(b[2], POOL_A, 1), pool(b[2], POOL_B, 4), gas(b[2])]
    const f3 = [pool(b[3], POOL_B, 2), gas(b[3])]
    store.apply(batch(b[1], f1))
    store.apply(batch(b[2], f2))
    store.apply(batch(b[3], f3))
    const ids = store.revert(1, b[1])
    expect(ids).toEqual([...f3.map((f) => f.id).reverse(), ...f2.map((f) => f.id).reverse()])
    expect(store.head(1)).toEqual(b[1])
    expect(priceOf(store.get(1, `amm.pool:${POOL_A}`))).toBe('1/0/0')
    expect(store.get(1, `amm.pool:${POOL_B}`)).toBeUndefined()
    expect(store.snapshot(1).map((f) => f.id)).toEqual(f1.map((f) => f.id))
    // The replacement chain applies on top of the ancestor.
    const r2 = ref(2n, 1)
    store.apply(batch(r2, [pool(r2, POOL_B, 0, 1)]))
    expect(priceOf(store.get(1, `amm.pool:${POOL_B}`))).toBe('2/1/0')
    expect(store.revert(1, r2)).toEqual([])
  })

  it('can revert the whole window but not below it', () => {
    const store = new InMemoryFeatureStore({ retainBlocks: 2 })
    for (let n = 1n; n <= 5n; n++) store.apply(batch(ref(n), [pool(ref(n), POOL_A, 0)]))
    expect(errorCode(() => store.revert(1, ref(2n)))).toBe('STORE_REVERT_TOO_DEEP')
    expect(store.revert(1, ref(3n))).toEqual([pool(ref(5n), POOL_A, 0).id, pool(ref(4n), POOL_A, 0).id])
    expect(priceOf(store.get(1, `amm.pool:${POOL_A}`))).toBe('3/0/0')
  })

  it('reports the retained window: from the first block, then from the newest pruned one, and after a revert', () => {
    const store = new InMemoryFeatureStore({ retainBlocks: 3 })
    expect(store.window(1)).toBeUndefined()
    for (let n = 5n; n <= 6n; n++) store.apply(batch(ref(n), [pool(ref(n), POOL_A, 0)]))
    expect(store.window(1)).toEqual({ from: 5n, head: ref(6n), blocks: [ref(5n), ref(6n)] })
    for (let n = 7n; n <= 10n; n++) store.apply(batch(ref(n), [pool(ref(n), POOL_A, 0)]))
    // Blocks 8..10 retained; the state at 7 stays readable, as get() agrees.
    expect(store.window(1)).toEqual({ from: 7n, head: ref(10n), blocks: [ref(8n), ref(9n), ref(10n)] })
    expect(priceOf(store.get(1, `amm.pool:${POOL_A}`, 7n))).toBe('7/0/0')
    expect(errorCode(() => store.get(1, `amm.pool:${POOL_A}`, 6n))).toBe('STORE_BLOCK_OUT_OF_WINDOW')
    store.revert(1, ref(8n))
    expect(store.window(1)).toEqual({ from: 7n, head: ref(8n), blocks: [ref(8n)] })
  })

  it('snapshots every key at a block, optionally of one kind', () => {
    const store = new InMemoryFeatureStore()
    store.apply(batch(ref(1n), [pool(ref(1n), POOL_B, 0), gas(ref(1n))]))
    store.apply(batch(ref(2n), [pool(ref(2n), POOL_A, 0), gas(ref(2n))]))
    store.apply(batch(ref(3n), [pool(ref(3n), POOL_B, 5)]))
    const at2 = store.snapshot(1, { atBlock: 2n })
    expect(at2.map((f) => `${f.kind}@${f.blockNumber}`)).toEqual(['amm.pool@2', 'amm.pool@1', 'gas.block@2'])
    expect(store.snapshot(1, { kind: 'amm.pool' }).map(priceOf)).toEqual(['2/0/0', '3/0/5'])
    expect(store.snapshot(1, { atBlock: 1n, kind: 'gas.block' }).map((f) => f.blockNumber)).toEqual([1n])
    expect(store.snapshot(1, { kind: 'mev.bid' })).toEqual([])
    expect(store.snapshot(42161)).toEqual([])
  })

  it('validates retainBlocks', () => {
    expect(errorCode(() => new InMemoryFeatureStore({ retainBlocks: 0 }))).toBe('STORE_OPTIONS_INVALID')
  })
})
