import type { BlockRef, LogFilter } from '@qenus/core'
import { type Devnet, startDevnet } from '@qenus/testkit'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { blocks, chain, collect, makeSource, recorder, swapFilters, untilBlock } from '../test/faults.js'

let devnet: Devnet
let filters: LogFilter[]

beforeAll(async () => {
  devnet = await startDevnet()
  await devnet.traffic({ seed: 5, swaps: 60, txPerBlock: 3 })
  // anvil_mine of thousands of blocks at once outlasts viem's request timeout: mine in chunks.
  for (let i = 0; i < 10; i++) await devnet.mine(500)
  await devnet.traffic({ seed: 6, swaps: 60, mints: 2, txPerBlock: 4 })
})
afterAll(() => devnet?.stop())

it('a backfill of 5,000+ blocks, then following from its checkpoint, equals one uninterrupted run', async () => {
  const head = await devnet.publicClient.getBlockNumber()
  expect(head).toBeGreaterThan(5000n)
  filters = swapFilters(devnet)
  const source = () => makeSource([devnet.rpcUrl], recorder().logger, { maxBlockRange: 1000 })
  const backfill = await collect(source(), { from: 0n, to: head, filters })
  const resume: BlockRef[] = blocks(backfill)
    .slice(-(chain.finalityDepth + 1))
    .map((b) => ({ number: b.header.number, hash: b.header.hash }))
  // Traffic runs while the follower starts from the backfill's checkpoint: 24 swaps, 3 per block.
  const live = devnet.traffic({ seed: 7, swaps: 24, txPerBlock: 3 })
  const follow = await collect(source(), { from: 0n, filters, resume }, untilBlock(head + 8n))
  expect((await live).blocks).toHaveLength(8)
  const whole = await collect(source(), { from: 0n, to: head + 8n, filters })
  expect([...backfill, ...follow]).toEqual(whole)
  expect(blocks(whole).map((b) => b.header.number)).toEqual(blocks(whole).map((_, i) => BigInt(i)))
  expect(blocks(follow).flatMap((b) => b.logs).length).toBeGreaterThan(0)
  expect(blocks(whole).flatMap((b) => b.logs).length).toBeGreaterThan(100)
})
