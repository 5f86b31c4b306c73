import { type BlockEvent, type Feature, type GasBlockData, KNOWN_CHAINS } from '@qenus/core'
import { type Devnet, startDevnet } from '@qenus/testkit'
import type { Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { extractRange, gasExtractor, recordingLogger } from '../../test/harness.js'

const chain = KNOWN_CHAINS.devnet!
const GWEI = 1_000_000_000n
let devnet: Devnet
let events: BlockEvent[]
let features: Feature[]
/** Blocks whose successor's base fee was forced with anvil_setNextBlockBaseFeePerGas. */
const overridden = new Set<bigint>()

const rpc = <T>(method: string, params: unknown[] = []) =>
  devnet.publicClient.request({ method, params } as never) as Promise<T>
const head = async () => BigInt(await rpc<Hex>('eth_blockNumber'))

/** Sends `n` transfers of 21,000 gas with tips of 1..n gwei from several senders, and mines them into one block. */
async function transfers(n: number, tipBase = GWEI) {
  for (let i = 0; i < n; i++) {
    await devnet.walletClient.sendTransaction({
      account: devnet.accounts[i % devnet.accounts.length]!,
      to: '0x000000000000000000000000000000000000dEaD',
      value: 1n,
      gas: 21_000n,
      maxPriorityFeePerGas: tipBase * BigInt(((i * 7) % n) + 1),
      maxFeePerGas: 10n ** 17n,
    })
  }
  await rpc('evm_mine')
}

async function forceNextBaseFee(fee: bigint) {
  overridden.add(await head())
  await rpc('anvil_setNextBlockBaseFeePerGas', [`0x${fee.toString(16)}`])
}

beforeAll(async () => {
  devnet = await startDevnet({ accounts: 4 })
  const first = (await head()) + 1n
  // Real Uniswap traffic (varied gas per transaction) at the 30M limit, some with extra transfers at varied tips.
  await devnet.traffic({ seed: 7, swaps: 12, mints: 2, txPerBlock: 7 })
  await rpc('evm_setAutomine', [false])
  await devnet.testClient.setBlockGasLimit({ gasLimit: 210_000n })
  await rpc('evm_mine')
  await transfers(10) // full: 210,000 of 210,000
  await transfers(5) // 105,000: exactly at target
  await transfers(7) // over target
  await transfers(3) // under target
  await rpc('evm_mine') // empty
  // Edge cases: the smallest base fees (the +1 wei floor when over target), and a huge one.
  await forceNextBaseFee(1n)
  await transfers(10, 1n) // full at 1 wei: the next is 2 (the +1 wei floor)
  await transfers(10, 1n)
  await forceNextBaseFee(0n)
  await rpc('evm_mine')
  await rpc('evm_mine') // 0 stays 0
  await forceNextBaseFee(7n)
  await transfers(6, 1n) // over target at 7 wei: 8
  await rpc('evm_mine')
  await forceNextBaseFee(10n ** 15n)
  await transfers(9, GWEI)
  await rpc('evm_mine')
  await forceNextBaseFee(10n ** 18n)
  await rpc('evm_mine')
  await rpc('evm_mine')
  await rpc('evm_setAutomine', [true])
  const extractor = gasExtractor()
  ;({ events, features } = await extractRange(devnet.rpcUrl, chain, extractor, first, await head()))
}, 60_000)

afterAll(async () => {
  await devnet?.stop()
})

const gas = (n: bigint) => features.find((f) => f.kind === 'gas.block' && f.blockNumber === n)?.data as GasBlockData

describe('gas.block on anvil', () => {
  it('has one gas.block per block, and full, at-target, under-target and empty blocks among them', () => {
    expect(events).toHaveLength(18)
    expect(features.filter((f) => f.kind === 'gas.block')).toHaveLength(events.length)
    const ratios = new Set(events.map((e) => gas(e.header.number).utilization))
    for (const ratio of [1, 0.5, 0]) expect(ratios).toContain(ratio)
    expect([...ratios].some((r) => r !== undefined && r > 0 && r < 0.1)).toBe(true)
  })

  it('predicts the base fee anvil sets for every next block', () => {
    const checked: string[] = []
    for (let i = 0; i + 1 < events.length; i++) {
      const { header } = events[i]!
      if (overridden.has(header.number)) continue
      const predicted = gas(header.number).nextBaseFeePerGas
      expect(predicted, `block ${header.number + 1n}`).toBe(events[i + 1]!.header.baseFeePerGas)
      checked.push(`${header.baseFeePerGas}->${predicted}`)
    }
    // The +1 wei floor over target, 0 staying 0 when empty, and a 1 ETH base fee going down by 1/8.
    expect(checked).toContain('1->2')
    expect(checked).toContain('0->0')
    expect(checked).toContain('7->8')
    expect(checked).toContain(`${10n ** 18n}->${10n ** 18n - 10n ** 18n / 8n}`)
    expect(checked).toHaveLength(12)
  })

  it('gives the tip percentiles eth_feeHistory gives', async () => {
    const last = events.at(-1)!.header.number
    const history = await devnet.publicClient.getFeeHistory({
      blockCount: events.length,
      blockNumber: last,
      rewardPercentiles: [10, 50, 90],
    })
    let withTips = 0
    events.forEach(({ header }, i) => {
      const data = gas(header.number)
      const reward = history.reward![i]!
      if (data.txCount === 0) return
      withTips++
      expect([data.priorityFeeP10, data.priorityFeeP50, data.priorityFeeP90], `block ${header.number}`).toEqual(reward)
    })
    expect(withTips).toBeGreaterThan(8)
    expect(new Set(events.map((e) => gas(e.header.number).priorityFeeP50)).size).toBeGreaterThan(3)
  })

  it('gives the blob fields of the header and the blob base fee anvil reports', async () => {
    const last = events.at(-1)!
    const data = gas(last.header.number)
    expect(data.blobGasUsed).toBe(last.header.blobGasUsed)
    expect(data.excessBlobGas).toBe(last.header.excessBlobGas)
    expect(data.blobBaseFee).toBe(BigInt(await rpc<Hex>('eth_blobBaseFee')))
  })

  it('recommends tips from recent blocks, cheaper for later inclusion', () => {
    const data = gas(events.at(-3)!.header.number)
    expect(data.recommendedPriorityFee1! >= data.recommendedPriorityFee3!).toBe(true)
    expect(data.recommendedPriorityFee3! >= data.recommendedPriorityFee10!).toBe(true)
    expect(data.recommendedPriorityFee1! > 0n).toBe(true)
  })

  it('quarantines a block without its base fee, naming block and field, and goes on', async () => {
    const logger = recordingLogger()
    const extractor = gasExtractor({}, logger)
    const event = events[3]!
    const reader = { block: event.header } as never
    const out = await extractor.onBlock({ ...event, header: { ...event.header, baseFeePerGas: undefined }, reader })
    expect(out).toEqual([])
    expect(extractor.quarantined.get('BAD_BLOCK')).toBe(1)
    expect(JSON.stringify(logger.lines[0])).toContain(
      `devnet block ${event.header.number} (${event.header.hash}): baseFeePerGas missing`,
    )
    expect(await extractor.onBlock({ ...event, reader })).toHaveLength(1)
  })
})
