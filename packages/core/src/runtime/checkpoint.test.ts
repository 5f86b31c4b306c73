import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Hex } from 'viem'
import { describe, expect, it } from 'vitest'
import { type Checkpoint, FileCheckpointStore } from './checkpoint.js'

const hash = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hex
const checkpoint = (block: bigint): Checkpoint => ({
  pipeline: 'p',
  chain: 'ethereum',
  chainId: 1,
  block: { number: block, hash: hash(Number(block % 1000n)) },
  recent: [block - 1n, block].map((number) => ({ number, hash: hash(Number(number % 1000n)) })),
  updatedAt: new Date(0).toISOString(),
})

describe('FileCheckpointStore', () => {
  it('round-trips, bigints beyond 2^53 included, as decimal strings on disk', async () => {
    const store = new FileCheckpointStore(await mkdtemp(join(tmpdir(), 'qenus-cp-')))
    expect(await store.load('p', 'ethereum')).toBeUndefined()
    const saved = checkpoint(2n ** 60n + 7n)
    await store.save(saved)
    expect(await store.load('p', 'ethereum')).toEqual(saved)
    const raw = JSON.parse(await readFile(store.file('p', 'ethereum'), 'utf8'))
    expect(raw.block.number).toBe('1152921504606846983')
    await store.save(checkpoint(100n))
    expect((await store.load('p', 'ethereum'))?.block.number).toBe(100n)
    expect(await readdir(store.dir)).toEqual(['p.ethereum.json'])
  })

  it('ignores a torn temp file left by a crash mid-save', async () => {
    const store = new FileCheckpointStore(await mkdtemp(join(tmpdir(), 'qenus-cp-')))
    await store.save(checkpoint(50n))
    const full = await readFile(store.file('p', 'ethereum'), 'utf8')
    await writeFile(join(store.dir, '.deadbeef0000.tmp'), full.slice(0, full.length / 2))
    expect((await store.load('p', 'ethereum'))?.block.number).toBe(50n)
    await store.save(checkpoint(51n))
    expect((await store.load('p', 'ethereum'))?.block.number).toBe(51n)
  })

  it('concurrent saves leave one whole checkpoint, never a mix', async () => {
    const store = new FileCheckpointStore(await mkdtemp(join(tmpdir(), 'qenus-cp-')))
    await Promise.all([10n, 11n, 12n, 13n, 14n].map((block) => store.save(checkpoint(block))))
    const loaded = await store.load('p', 'ethereum')
    expect(loaded).toEqual(checkpoint(loaded!.block.number))
  })

  it('names the file and the problem when a checkpoint is invalid', async () => {
    const store = new FileCheckpointStore(await mkdtemp(join(tmpdir(), 'qenus-cp-')))
    await writeFile(store.file('p', 'ethereum'), '{"version":1,"pipeline":"p"')
    await expect(store.load('p', 'ethereum')).rejects.toThrow(/p\.ethereum\.json is invalid: not JSON/)
    const bad = JSON.parse(
      JSON.stringify({ ...checkpoint(5n), version: 1 }, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)),
    )
    bad.recent = [{ number: '4', hash: hash(4) }]
    await writeFile(store.file('p', 'ethereum'), JSON.stringify(bad))
    await expect(store.load('p', 'ethereum')).rejects.toThrow(/recent must end with block/)
  })
})
