import { parseEventLogs } from 'viem'
import { afterEach, describe, expect, it } from 'vitest'
import { loadArtifact } from './artifacts.js'
import { type Devnet, startDevnet } from './devnet.js'
import type { TrafficOptions } from './traffic.js'

const poolAbi = loadArtifact('UniswapV3Pool').abi
const npmAbi = loadArtifact('NonfungiblePositionManager').abi
const devnets: Devnet[] = []
const start = async () => {
  const devnet = await startDevnet()
  devnets.push(devnet)
  return devnet
}
afterEach(async () => {
  await Promise.all(devnets.splice(0).map((d) => d.stop()))
})

describe('traffic', () => {
  it('replays the same seed to identical block hashes on two fresh devnets', async () => {
    const options: TrafficOptions = { seed: 'determinism', swaps: 120, mints: 15, burns: 15, txPerBlock: 15 }
    const [a, b] = [await start(), await start()]
    const [ra, rb] = [await a.traffic(options), await b.traffic(options)]
    expect(ra.blocks).toHaveLength(10)
    expect(rb.blocks.map((x) => x.hash)).toEqual(ra.blocks.map((x) => x.hash))
    const other = await (await start()).traffic({ ...options, seed: 'other' })
    expect(other.blocks.map((x) => x.hash)).not.toEqual(ra.blocks.map((x) => x.hash))
  })

  it('mints and burns positions through the position manager', async () => {
    const devnet = await start()
    const result = await devnet.traffic({ seed: 3, swaps: 10, mints: 10, burns: 10, blocks: 3 })
    expect(result.blocks).toHaveLength(3)
    const logs = []
    for (const block of result.blocks) {
      logs.push(...(await devnet.publicClient.getBlockReceipts({ blockNumber: block.number })).flatMap((r) => r.logs))
    }
    expect(parseEventLogs({ abi: npmAbi, logs, eventName: 'IncreaseLiquidity' })).toHaveLength(10)
    expect(parseEventLogs({ abi: npmAbi, logs, eventName: 'DecreaseLiquidity' })).toHaveLength(10)
    expect(parseEventLogs({ abi: poolAbi, logs, eventName: 'Mint' })).toHaveLength(10)
    // collect() pokes the position with a zero burn first, so only burns with liquidity count.
    const burns = parseEventLogs({ abi: poolAbi, logs, eventName: 'Burn' })
    expect(burns.filter((b) => (b.args as { amount: bigint }).amount > 0n)).toHaveLength(10)
    expect(parseEventLogs({ abi: poolAbi, logs, eventName: 'Collect' })).toHaveLength(10)
    expect(parseEventLogs({ abi: poolAbi, logs, eventName: 'Swap' })).toHaveLength(10)
  })

  it('sends 1,000 swaps in well under a minute', async () => {
    const devnet = await start()
    const result = await devnet.traffic({ seed: 1000, swaps: 1000, txPerBlock: 25 })
    console.info(`1,000 swaps in ${result.blocks.length} blocks: ${result.durationMs.toFixed(0)} ms`)
    const from = result.blocks[0]!.number
    const to = result.blocks.at(-1)!.number
    const swaps = await devnet.publicClient.getLogs({
      event: poolAbi.find((x) => x.type === 'event' && x.name === 'Swap') as never,
      fromBlock: from,
      toBlock: to,
    })
    expect(swaps).toHaveLength(1000)
    expect(result.durationMs).toBeLessThan(30_000)
  })

  it('mines blocks continuously at a rate until stopped', async () => {
    const devnet = await start()
    const head = await devnet.publicClient.getBlockNumber()
    const loop = devnet.runTraffic({ rate: 10, txPerBlock: 5 })
    await new Promise((r) => setTimeout(r, 1_000))
    await loop.stop()
    expect(loop.blocks).toBeGreaterThanOrEqual(5)
    expect(await devnet.publicClient.getBlockNumber()).toBe(head + BigInt(loop.blocks))
  })
})
