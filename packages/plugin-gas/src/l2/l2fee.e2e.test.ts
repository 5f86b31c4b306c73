import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { type ChainInfo, type Feature, type GasL2FeeData, KNOWN_CHAINS } from '@qenus/core'
import { type Devnet, startDevnet } from '@qenus/testkit'
import { type Abi, concatHex, encodeFunctionData, type Hex, numberToHex, pad, parseAbi } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testArbGasInfo } from '../../test/arb-gas-info.js'
import { extractRange, gasExtractor } from '../../test/harness.js'
import { ARB_GAS_INFO } from './arbitrum.js'
import { ecotoneL1Fee, GAS_PRICE_ORACLE, L1_BLOCK } from './op-stack.js'
import { referenceSwapTx } from './reference-tx.js'

const require = createRequire(import.meta.url)
const artifact = (name: string) =>
  JSON.parse(
    readFileSync(require.resolve(`@eth-optimism/contracts-bedrock/forge-artifacts/${name}.sol/${name}.json`), 'utf8'),
  ) as { abi: Abi; deployedBytecode: { object: Hex } }
const DEPOSITOR: Hex = '0xdeaddeaddeaddeaddeaddeaddeaddeaddead0001'
const opChain: ChainInfo = { ...KNOWN_CHAINS.devnet!, name: 'op-devnet', family: 'op-stack' }
const arbChain: ChainInfo = {
  ...KNOWN_CHAINS.devnet!,
  name: 'arb-devnet',
  family: 'arbitrum',
  feeMarket: { type: 'arbitrum' },
}

// L1 attributes as an OP Stack sequencer posts them (Ecotone), here Base-like scalars.
const L1 = {
  baseFeeScalar: 2269n,
  blobBaseFeeScalar: 1055762n,
  sequenceNumber: 3n,
  timestamp: 1_769_654_531n,
  number: 24_337_593n,
  basefee: 50_665_748n,
  blobBaseFee: 7_331_411n,
  hash: `0x${'ab'.repeat(32)}` as Hex,
  batcherHash: pad('0x5050f69a9786f081509234f1a7f4684b5e5b76c9'),
}
const ARB_PRICES = [21_000_000_000n, 1_620_000_000n, 2_000_000_000_000n, 10_000_000n, 0n, 10_000_000n] as const
const ARB_L1_BASE_FEE = 101_250_000n

let devnet: Devnet
const rpc = <T>(method: string, params: unknown[] = []) =>
  devnet.publicClient.request({ method, params } as never) as Promise<T>
const head = async () => BigInt(await rpc<Hex>('eth_blockNumber'))

/** Sends a transaction from the depositor account, as the L1 attributes deposit of every L2 block does. */
async function asDepositor(to: Hex, data: Hex) {
  const hash = await devnet.walletClient.sendTransaction({ account: DEPOSITOR, to, data, gas: 500_000n })
  await rpc('evm_mine')
  const receipt = await devnet.publicClient.getTransactionReceipt({ hash })
  expect(receipt.status).toBe('success')
}

/** `setL1BlockValuesEcotone()` calldata: the selector, then the packed fields. */
function ecotoneCalldata(): Hex {
  const u = (v: bigint, bytes: number) => pad(numberToHex(v), { size: bytes })
  return concatHex([
    '0x440a5e20',
    u(L1.baseFeeScalar, 4),
    u(L1.blobBaseFeeScalar, 4),
    u(L1.sequenceNumber, 8),
    u(L1.timestamp, 8),
    u(L1.number, 8),
    u(L1.basefee, 32),
    u(L1.blobBaseFee, 32),
    L1.hash,
    L1.batcherHash,
  ])
}

beforeAll(async () => {
  devnet = await startDevnet({ accounts: 2 })
  await rpc('anvil_setCode', [GAS_PRICE_ORACLE, artifact('GasPriceOracle').deployedBytecode.object])
  await rpc('anvil_setCode', [L1_BLOCK, artifact('L1Block').deployedBytecode.object])
  await rpc('anvil_impersonateAccount', [DEPOSITOR])
  await rpc('anvil_setBalance', [DEPOSITOR, '0xde0b6b3a7640000'])
  await asDepositor(L1_BLOCK, ecotoneCalldata())
  await asDepositor(
    GAS_PRICE_ORACLE,
    encodeFunctionData({ abi: parseAbi(['function setEcotone()']), functionName: 'setEcotone' }),
  )
  const arb = await testArbGasInfo()
  await rpc('anvil_setCode', [ARB_GAS_INFO, arb.deployedBytecode])
  const hash = await devnet.walletClient.sendTransaction({
    account: devnet.accounts[0]!,
    to: ARB_GAS_INFO,
    data: encodeFunctionData({ abi: arb.abi, functionName: 'set', args: [ARB_PRICES, ARB_L1_BASE_FEE] }),
    gas: 500_000n,
  })
  await rpc('evm_mine')
  expect((await devnet.publicClient.getTransactionReceipt({ hash })).status).toBe('success')
}, 60_000)

afterAll(async () => {
  await devnet?.stop()
})

const l2fee = (features: Feature[]) => features.find((f) => f.kind === 'gas.l2fee')!

describe('gas.l2fee on OP Stack, with the real GasPriceOracle and L1Block at their predeploys', () => {
  it('reads the L1 fee inputs the L1 attributes set, and the Ecotone L1 fee of the reference swap', async () => {
    await devnet.traffic({ seed: 3, swaps: 4, txPerBlock: 4 })
    const n = await head()
    const extractor = gasExtractor({ emit: ['block', 'l2fee'], nativeUsd: { 'op-devnet': '3150.5' } })
    const { features } = await extractRange(devnet.rpcUrl, opChain, extractor, n, n)
    const feature = l2fee(features)
    const data = feature.data as GasL2FeeData
    expect(feature).toMatchObject({ protocol: 'op-stack', address: GAS_PRICE_ORACLE, blockNumber: n })
    expect(data).toMatchObject({
      l1BaseFee: L1.basefee,
      l1BlobBaseFee: L1.blobBaseFee,
      baseFeeScalar: L1.baseFeeScalar,
      blobBaseFeeScalar: L1.blobBaseFeeScalar,
    })
    // The Ecotone formula, computed here from the attributes, equals what the contract charged.
    const tx = referenceSwapTx(opChain.chainId)
    let calldataGas = 68n * 16n
    for (let i = 2; i < tx.length; i += 2) calldataGas += tx.slice(i, i + 2) === '00' ? 4n : 16n
    const expected =
      (calldataGas * (16n * L1.baseFeeScalar * L1.basefee + L1.blobBaseFeeScalar * L1.blobBaseFee)) / 16_000_000n
    expect(data.l1FeeEstimate).toBe(expected)
    expect(ecotoneL1Fee(tx, { ...data, l1BlobBaseFee: L1.blobBaseFee } as never)).toBe(expected)
    const block = features.find((f) => f.kind === 'gas.block')!.data as {
      baseFeePerGas: bigint
      priorityFeeP50: bigint
    }
    expect(data.l2GasPrice).toBe(block.baseFeePerGas + block.priorityFeeP50)
    expect(data.totalCostWei).toBe(150_000n * data.l2GasPrice! + expected)
    expect(data.referenceTxBytes).toBe((tx.length - 2) / 2)
    expect(Number(data.totalCostUsd)).toBeCloseTo((Number(data.totalCostWei) * 3150.5) / 1e18, 12)
  })

  it('reports the Fjord fee (FastLZ-based) once the oracle is switched to Fjord, as the contract computes it', async () => {
    await asDepositor(
      GAS_PRICE_ORACLE,
      encodeFunctionData({ abi: parseAbi(['function setFjord()']), functionName: 'setFjord' }),
    )
    const n = await head()
    const { features } = await extractRange(devnet.rpcUrl, opChain, gasExtractor({ emit: ['l2fee'] }), n, n)
    const tx = referenceSwapTx(opChain.chainId)
    const direct = await devnet.publicClient.readContract({
      address: GAS_PRICE_ORACLE,
      abi: parseAbi(['function getL1Fee(bytes) view returns (uint256)']),
      functionName: 'getL1Fee',
      args: [tx],
      blockNumber: n,
    })
    const data = l2fee(features).data as GasL2FeeData
    expect(data.l1FeeEstimate).toBe(direct)
    expect(data.l1FeeEstimate).not.toBe(ecotoneL1Fee(tx, data as never))
  })
})

describe('gas.l2fee and gas.block on Arbitrum, with a test contract at ArbGasInfo', () => {
  it('reads ArbGasInfo prices and L1 base fee estimate, and prices the reference swap', async () => {
    const n = await head()
    const extractor = gasExtractor({ nativeUsd: { 'arb-devnet': '3000' } })
    const { features, events } = await extractRange(devnet.rpcUrl, arbChain, extractor, n, n)
    const header = events[0]!.header
    const tx = referenceSwapTx(arbChain.chainId)
    const l1 = BigInt((tx.length - 2) / 2) * ARB_PRICES[1] + ARB_PRICES[0]
    expect(l2fee(features)).toMatchObject({ protocol: 'arbitrum', address: ARB_GAS_INFO })
    expect(l2fee(features).data).toEqual({
      l1BaseFee: ARB_L1_BASE_FEE,
      l1FeeEstimate: l1,
      l1PricePerCalldataByte: ARB_PRICES[1],
      l2GasPrice: header.baseFeePerGas,
      referenceTxBytes: (tx.length - 2) / 2,
      referenceSwapGas: 150_000n,
      totalCostWei: 150_000n * header.baseFeePerGas! + l1,
      totalCostUsd: expect.any(String),
    })
    // ArbOS prices the next block itself: gas.block takes ArbGasInfo's total L2 price.
    const block = features.find((f) => f.kind === 'gas.block')!.data as { nextBaseFeePerGas: bigint }
    expect(block.nextBaseFeePerGas).toBe(ARB_PRICES[5])
    expect(features.map((f) => f.kind)).toEqual(['gas.block', 'gas.l2fee', 'sequencer.health'])
  })
})
