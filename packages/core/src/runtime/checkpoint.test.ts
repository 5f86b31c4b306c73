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

describe('FileCheckpointStore feature journal', () => {
  const ref = (number: bigint, fork = 0) => ({ number, hash: hash(Number(number % 1000n) + fork * 5000) })
  const held = (number: bigint, fork = 0) => ({
    block: ref(number, fork),
    features: Array.from({ length: 40 }, (_, i) => ({
      id: `1:${ref(number, fork).hash}:${i}:amm.swap:-`,
      kind: 'amm.swap' as const,
      address: `0x${i.toString(16).padStart(40, 'a')}`,
    })),
  })
  /** A lane committing every block, keeping `depth` recent blocks. */
  const commit = (tip: bigint, depth: number, fork = 0): Checkpoint => {
    const numbers = Array.from({ length: Math.min(depth, Number(tip)) }, (_, i) => tip - BigInt(i)).reverse()
    return {
      ...checkpoint(tip),
      block: ref(tip, fork),
      recent: numbers.map((n) => ref(n, fork)),
      features: numbers.map((n) => held(n, fork)),
    }
  }

  it('appends per save, keeps only the recent blocks on load, and stays bounded by compaction', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'qenus-cp-'))
    const store = new FileCheckpointStore(dir)
    const journal = join(dir, 'p.ethereum.features.jsonl')
    const sizes: number[] = []
    for (let tip = 1n; tip <= 100n; tip++) {
      await store.save(commit(tip, 8))
      sizes.push((await readFile(journal)).length)
    }
    // Appends grow the file; compactions shrink it back to the live blocks.
    expect(sizes.some((size, i) => i > 0 && size < sizes[i - 1]!)).toBe(true)
    const live = (await readFile(journal, 'utf8')).split('\n').filter(Boolean).length
    const line = sizes[0]!
    expect(Math.max(...sizes)).toBeLessThanOrEqual(4 * 8 * line + 64 * 1024 + line)
    expect(live).toBeGreaterThanOrEqual(8)
    const loaded = await new FileCheckpointStore(dir).load('p', 'ethereum')
    expect(loaded).toEqual(commit(100n, 8))
  })

  it('ignores reorged blocks, blocks above the checkpoint and a torn last line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'qenus-cp-'))
    const store = new FileCheckpointStore(dir)
    await store.save(commit(10n, 4))
    // A reorg of 9 and 10 (fork 1), then a crash after appending block 11 but before its checkpoint.
    const reorged = commit(10n, 4)
    reorged.recent.splice(2, 2, ref(9n, 1), ref(10n, 1))
    reorged.features!.splice(2, 2, held(9n, 1), held(10n, 1))
    reorged.block = ref(10n, 1)
    await store.save(reorged)
    const journal = join(dir, 'p.ethereum.features.jsonl')
    const torn = `${JSON.stringify({ n: '11', h: ref(11n, 1).hash, f: [] })}\n{"n":"12","h":"0x`
    await writeFile(journal, `${await readFile(journal, 'utf8')}${torn}`)
    const loaded = await new FileCheckpointStore(dir).load('p', 'ethereum')
    expect(loaded?.features).toEqual(reorged.features)
  })

  it('names the journal line that is broken', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'qenus-cp-'))
    const store = new FileCheckpointStore(dir)
    await store.save(commit(3n, 4))
    await writeFile(join(dir, 'p.ethereum.features.jsonl'), '{"n":"x"}\n{}\n')
    await expect(new FileCheckpointStore(dir).load('p', 'ethereum')).rejects.toThrow(
      /features.jsonl is invalid at line 1/,
    )
  })
})
