import { type Feature, type GasBlockData, KNOWN_CHAINS, type SequencerHealthData } from '@qenus/core'
import { compileSolidity, type Devnet, startDevnet } from '@qenus/testkit'
import { type AbiEvent, encodeFunctionData, type Hex, keccak256, toEventSelector, toHex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { gasExtractor, rpcSource } from '../../test/harness.js'
import { SEQUENCER_BATCH_DELIVERED } from '../batches/posting.js'
import type { GasExtractor } from './extractor.js'

const chain = KNOWN_CHAINS.devnet!
const GWEI = 1_000_000_000n
const EDGES = [GWEI / 10n, GWEI / 2n, GWEI, 2n * GWEI, 5n * GWEI, 10n * GWEI]
let devnet: Devnet

interface Sent {
  hash: Hex
  body: Record<string, unknown>
  head: bigint
  maxFee: bigint
  maxPriority: bigint
}
const sent: Sent[] = []

const rpc = <T>(method: string, params: unknown[] = []) =>
  devnet.publicClient.request({ method, params } as never) as Promise<T>
const head = async () => BigInt(await rpc<Hex>('eth_blockNumber'))
const block = (n: bigint) => devnet.publicClient.getBlock({ blockNumber: n })

/** Sends a 21,000-gas transfer with these fees and records the node's raw pending body and the head it was sent at. */
async function send(from: number, maxPriority: bigint, maxFee = 10n ** 12n) {
  const hash = await devnet.walletClient.sendTransaction({
    account: devnet.accounts[from]!,
    to: '0x000000000000000000000000000000000000dEaD',
    value: 1n,
    gas: 21_000n,
    maxPriorityFeePerGas: maxPriority,
    maxFeePerGas: maxFee,
  })
  const body = await rpc<Record<string, unknown>>('eth_getTransactionByHash', [hash])
  sent.push({ hash, body, head: await head(), maxFee, maxPriority })
}

/** Streams `from`..`to` through source-rpc, feeding each sighting to onPending right after its head's block, as the runtime orders them. */
async function run(extractor: GasExtractor, from: bigint, to: bigint): Promise<Feature[]> {
  const source = rpcSource(devnet.rpcUrl, chain)
  const features: Feature[] = []
  try {
    const signal = AbortSignal.timeout(30_000)
    for await (const event of source.stream({ chain, from, to, filters: [], receipts: true, signal })) {
      if (event.type !== 'block') continue
      const reader = source.reader(event.header)
      features.push(...(await extractor.onBlock({ ...event, reader })))
      for (const s of sent.filter((x) => x.head === event.header.number)) {
        const context = { chain, head: event.header, hash: s.hash, transaction: s.body, receivedAtMs: 0, reader }
        expect(await extractor.onPending?.(context)).toEqual([])
      }
    }
  } finally {
    await source.close()
  }
  return features
}

let first: bigint
let last: bigint
/** Per sent transaction, from the chain: its tip bid at the next block's base fee and its delay. */
let observed: { tip: bigint; blocks: number; ms: number }[]

beforeAll(async () => {
  devnet = await startDevnet({ accounts: 5 })
  // Three transfers per block, so low tips wait behind high ones.
  await devnet.testClient.setBlockGasLimit({ gasLimit: 63_000n })
  await devnet.mine()
  first = await head()
  const tips = [GWEI / 20n, (3n * GWEI) / 10n, (7n * GWEI) / 10n, 15n * (GWEI / 10n), 3n * GWEI, 7n * GWEI, 20n * GWEI]
  for (const [i, tip] of tips.entries()) await send(1 + (i % 4), tip)
  const nextBase = (await devnet.publicClient.getBlock({ blockTag: 'pending' })).baseFeePerGas!
  await send(1, nextBase + 3n * GWEI, nextBase + 3n * GWEI) // capped by maxFee − base fee: bids 3 gwei
  await devnet.mine()
  await send(2, GWEI / 5n) // seen one block later
  await send(3, 8n * GWEI)
  for (let i = 0; i < 6; i++) await devnet.mine()
  last = await head()
  observed = await Promise.all(
    sent.map(async (s) => {
      const receipt = await devnet.publicClient.getTransactionReceipt({ hash: s.hash })
      const [seenAt, included] = [await block(s.head), await block(receipt.blockNumber)]
      const nextBaseFee = (await block(s.head + 1n)).baseFeePerGas!
      const tip = s.maxFee - nextBaseFee < s.maxPriority ? s.maxFee - nextBaseFee : s.maxPriority
      return {
        tip,
        blocks: Number(receipt.blockNumber - s.head),
        ms: Number(included.timestamp - seenAt.timestamp) * 1000,
      }
    }),
  )
}, 60_000)

afterAll(async () => {
  await devnet?.stop()
})

const rank = (values: number[], q: number) =>
  values.sort((a, b) => a - b)[Math.max(0, Math.ceil(q * values.length) - 1)]

describe('time to inclusion per tip bucket, from the mempool (automine off, 3 transfers per block)', () => {
  it('reports every bucket with the delays the chain shows', async () => {
    const features = await run(gasExtractor({ mempool: true }), first, last)
    const end = features.find((f) => f.kind === 'gas.block' && f.blockNumber === last)!.data as GasBlockData
    expect(observed.some((o) => o.blocks > 1)).toBe(true) // the gas limit made some wait
    expect(end.inclusion?.pendingTracked).toBe(0)
    expect(end.inclusion?.pendingDropped).toBe(0)
    expect(end.inclusion?.buckets).toHaveLength(EDGES.length + 1)
    for (const [i, bucket] of end.inclusion!.buckets.entries()) {
      const lo = i === 0 ? 0n : EDGES[i - 1]!
      const inside = observed.filter((o) => o.tip >= lo && (EDGES[i] === undefined || o.tip < EDGES[i]!))
      expect(bucket.minTip).toBe(lo)
      expect(bucket.maxTip).toBe(EDGES[i])
      expect(bucket.samples).toBe(inside.length)
      if (inside.length === 0) continue
      expect(bucket.medianBlocks).toBe(
        rank(
          inside.map((o) => o.blocks),
          0.5,
        ),
      )
      expect(bucket.p90Blocks).toBe(
        rank(
          inside.map((o) => o.blocks),
          0.9,
        ),
      )
      expect(bucket.medianMs).toBe(
        rank(
          inside.map((o) => o.ms),
          0.5,
        ),
      )
      expect(bucket.p90Ms).toBe(
        rank(
          inside.map((o) => o.ms),
          0.9,
        ),
      )
    }
    expect(end.inclusion!.buckets.reduce((n, b) => n + b.samples, 0)).toBe(sent.length)
  })

  it('drops and counts transactions pending longer than maxPendingBlocks', async () => {
    const features = await run(gasExtractor({ mempool: true, maxPendingBlocks: 1 }), first, last)
    const end = features.find((f) => f.kind === 'gas.block' && f.blockNumber === last)!.data as GasBlockData
    const late = observed.filter((o) => o.blocks > 1).length
    expect(end.inclusion?.pendingDropped).toBe(late)
    expect(end.inclusion!.buckets.reduce((n, b) => n + b.samples, 0)).toBe(sent.length - late)
  })
})

describe('batch posting lag on the L1 lane', () => {
  const inbox = '0xff00000000000000000000000000000000000539' as Hex
  it('follows only the batcher’s transactions to the inbox, with lags from block timestamps', async () => {
    await devnet.testClient.setBlockGasLimit({ gasLimit: 30_000_000n })
    await devnet.mine()
    const [batcher, other] = [devnet.accounts[1]!, devnet.accounts[2]!]
    const start = (await head()) + 1n
    const tx = (from: Hex, to: Hex) =>
      devnet.walletClient.sendTransaction({ account: from, to, value: 0n, data: '0x00' })
    await tx(other, inbox) // not the batcher: does not count
    await devnet.mine()
    const batch1 = await tx(batcher, inbox)
    await devnet.mine()
    await tx(batcher, devnet.accounts[3]!) // the batcher elsewhere: does not count
    const now = (await devnet.publicClient.getBlock()).timestamp
    await devnet.testClient.setNextBlockTimestamp({ timestamp: now + 40n })
    await devnet.mine()
    await devnet.mine()
    const batch2 = await tx(batcher, inbox)
    await devnet.mine()
    await devnet.mine()
    const end = await head()
    const poster = {
      l2Chain: 'test-l2',
      l2ChainId: 901,
      l1ChainId: chain.chainId,
      type: 'op-stack' as const,
      inbox,
      batcher,
    }
    const extractor = gasExtractor({ emit: ['sequencer'], batchPosting: [poster] })
    expect(extractor.receipts(chain)).toBe(true)
    const features = await run(extractor, start, end)
    const lags = features.filter((f) => f.kind === 'sequencer.health')

    const batchBlocks = await Promise.all(
      [batch1, batch2].map(async (hash) => (await devnet.publicClient.getTransactionReceipt({ hash })).blockNumber),
    )
    expect(lags.map((f) => f.blockNumber)).toEqual(
      Array.from({ length: Number(end - batchBlocks[0]! + 1n) }, (_, i) => batchBlocks[0]! + BigInt(i)),
    )
    for (const f of lags) {
      const data = f.data as SequencerHealthData
      const lastBatch = f.blockNumber >= batchBlocks[1]! ? 1 : 0
      const batchBlock = await block(batchBlocks[lastBatch]!)
      expect(f.address).toBe(inbox)
      expect(f.id).toBe(`${chain.chainId}:${f.blockHash}:-:sequencer.health:batch:901`)
      expect(data).toMatchObject({ l2ChainId: 901, l2Chain: 'test-l2', lastBatchL1Block: batchBlock.number })
      expect(data.lastBatchTxHash).toBe([batch1, batch2][lastBatch])
      expect(data.secondsSinceLastBatch).toBe(Number(f.blockTimestamp - batchBlock.timestamp))
      expect(data.batchesInBlock).toBe(batchBlocks.includes(f.blockNumber) ? 1 : 0)
    }
    expect(lags.some((f) => (f.data as SequencerHealthData).secondsSinceLastBatch! >= 40)).toBe(true)
    // Replaying the same blocks gives the same records, byte for byte.
    const again = await run(gasExtractor({ emit: ['sequencer'], batchPosting: [poster] }), start, end)
    expect(again.filter((f) => f.kind === 'sequencer.health')).toEqual(lags)
  })

  /**
   * A TEST CONTRACT, not Arbitrum's SequencerInbox: `deliver()` only emits the real
   * `SequencerBatchDelivered` event (same signature, so the same topic0), numbering batches.
   */
  const TEST_EMITTER = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
/// TEST CONTRACT: emits Arbitrum's SequencerBatchDelivered event; it is not a SequencerInbox.
contract TestSequencerBatchEmitter {
  struct TimeBounds { uint64 minTimestamp; uint64 maxTimestamp; uint64 minBlockNumber; uint64 maxBlockNumber; }
  enum BatchDataLocation { TxInput, SeparateBatchEvent, NoData, Blob }
  event SequencerBatchDelivered(uint256 indexed batchSequenceNumber, bytes32 indexed beforeAcc,
    bytes32 indexed afterAcc, bytes32 delayedAcc, uint256 afterDelayedMessagesRead,
    TimeBounds timeBounds, BatchDataLocation dataLocation);
  uint256 public batches;
  function deliver() external {
    uint64 t = uint64(block.timestamp);
    emit SequencerBatchDelivered(batches, bytes32(batches), bytes32(batches + 1), bytes32(0), 0,
      TimeBounds(t, t, uint64(block.number), uint64(block.number)), BatchDataLocation.TxInput);
    batches++;
  }
}
`
  const sequencerInbox = '0x1c479675ad559dc151f6ec7ed3fbf8cee79582b6' as Hex

  it('follows SequencerBatchDelivered logs of the configured SequencerInbox only (arbitrum)', async () => {
    const { TestSequencerBatchEmitter: emitter } = await compileSolidity({
      'TestSequencerBatchEmitter.sol': TEST_EMITTER,
    })
    const event = emitter!.abi.find((item) => item.type === 'event') as AbiEvent
    const signature =
      'SequencerBatchDelivered(uint256,bytes32,bytes32,bytes32,uint256,(uint64,uint64,uint64,uint64),uint8)'
    expect(toEventSelector(event)).toBe(keccak256(toHex(signature)))
    expect(toEventSelector(event)).toBe(SEQUENCER_BATCH_DELIVERED)

    await devnet.testClient.setBlockGasLimit({ gasLimit: 30_000_000n })
    await devnet.mine()
    const [sender, elsewhere] = [devnet.accounts[1]!, devnet.accounts[2]!]
    const deploy = await devnet.walletClient.deployContract({
      account: elsewhere,
      abi: emitter!.abi,
      bytecode: emitter!.bytecode as Hex,
    })
    await devnet.testClient.setCode({ address: sequencerInbox, bytecode: emitter!.deployedBytecode as Hex })
    await devnet.mine()
    const other = (
      await devnet.publicClient.getTransactionReceipt({ hash: deploy })
    ).contractAddress!.toLowerCase() as Hex
    const start = (await head()) + 1n
    const deliver = (to: Hex) =>
      devnet.walletClient.sendTransaction({
        account: sender,
        to,
        data: encodeFunctionData({ abi: emitter!.abi, functionName: 'deliver' }),
      })
    const fake = await deliver(other) // the same event from another address: does not count
    await devnet.mine()
    const batch1 = await deliver(sequencerInbox)
    await devnet.mine()
    await deliver(other)
    const now = (await devnet.publicClient.getBlock()).timestamp
    await devnet.testClient.setNextBlockTimestamp({ timestamp: now + 30n })
    await devnet.mine()
    const batch2 = await deliver(sequencerInbox)
    const batch3 = await deliver(sequencerInbox)
    await devnet.mine()
    await devnet.mine()
    const end = await head()

    const receipts = await Promise.all(
      [fake, batch1, batch2, batch3].map((hash) => devnet.publicClient.getTransactionReceipt({ hash })),
    )
    // The chain's own view: every call emitted the event, only three of them from the inbox.
    for (const r of receipts) expect(r.logs[0]?.topics[0]).toBe(SEQUENCER_BATCH_DELIVERED)
    expect(receipts.map((r) => r.logs[0]!.address)).toEqual([other, sequencerInbox, sequencerInbox, sequencerInbox])
    const [, r1, r2, r3] = receipts
    expect(r2!.blockNumber).toBe(r3!.blockNumber)

    const poster = { l2Chain: 'test-arb', l2ChainId: 902, l1ChainId: chain.chainId, type: 'arbitrum' as const }
    const extractor = gasExtractor({ emit: ['sequencer'], batchPosting: [{ ...poster, inbox: sequencerInbox }] })
    const features = await run(extractor, start, end)
    const lags = features.filter((f) => f.kind === 'sequencer.health')
    expect(lags.map((f) => f.blockNumber)).toEqual(
      Array.from({ length: Number(end - r1!.blockNumber + 1n) }, (_, i) => r1!.blockNumber + BigInt(i)),
    )
    for (const f of lags) {
      const data = f.data as SequencerHealthData
      const last = f.blockNumber >= r2!.blockNumber ? r3! : r1!
      const batchBlock = await block(last.blockNumber)
      expect(f.address).toBe(sequencerInbox)
      expect(f.protocol).toBe('arbitrum')
      expect(f.id).toBe(`${chain.chainId}:${f.blockHash}:-:sequencer.health:batch:902`)
      expect(data).toMatchObject({ l2ChainId: 902, l2Chain: 'test-arb', lastBatchL1Block: last.blockNumber })
      expect(data.lastBatchTxHash).toBe(last.transactionHash)
      expect(data.secondsSinceLastBatch).toBe(Number(f.blockTimestamp - batchBlock.timestamp))
      const inBlock = receipts.slice(1).filter((r) => r.blockNumber === f.blockNumber).length
      expect(data.batchesInBlock).toBe(inBlock)
    }
    expect(lags.some((f) => (f.data as SequencerHealthData).secondsSinceLastBatch! >= 30)).toBe(true)
    // Only the other address emitted the event: the same blocks configured with it as the inbox count it.
    const moved = await run(
      gasExtractor({ emit: ['sequencer'], batchPosting: [{ ...poster, inbox: other }] }),
      start,
      end,
    )
    const otherLags = moved.filter((f) => f.kind === 'sequencer.health')
    expect(otherLags[0]?.blockNumber).toBe(receipts[0]!.blockNumber)
  })
})
