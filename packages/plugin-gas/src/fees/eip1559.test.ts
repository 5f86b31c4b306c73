import { readFileSync } from 'node:fs'
import { KNOWN_CHAINS } from '@qenus/core'
import { fixturePath, parseJsonExact } from '@qenus/testkit'
import { describe, expect, it } from 'vitest'
import { blobBaseFee, blobParametersAt, fakeExponential, nextBaseFee } from './eip1559.js'

const dataPath = fixturePath('gas', 'mainnet-headers-24337593-24338592.json')

interface MainnetBlock {
  number: bigint
  timestamp: bigint
  base_fee_per_gas: bigint
  gas_used: bigint
  gas_limit: bigint
}

describe('nextBaseFee', () => {
  it('gives the next base fee of 1,000 consecutive mainnet headers exactly, all 999 transitions', () => {
    const text = readFileSync(dataPath, 'utf8')
    const blocks = parseJsonExact(text, dataPath) as MainnetBlock[]
    expect(blocks).toHaveLength(1000)
    const params = KNOWN_CHAINS.ethereum!.feeMarket as {
      elasticityMultiplier: number
      baseFeeMaxChangeDenominator: number
    }
    const mismatches: string[] = []
    for (let i = 0; i + 1 < blocks.length; i++) {
      const [parent, child] = [blocks[i]!, blocks[i + 1]!]
      expect(child.number).toBe(parent.number + 1n)
      const got = nextBaseFee(
        { baseFeePerGas: parent.base_fee_per_gas, gasUsed: parent.gas_used, gasLimit: parent.gas_limit },
        params,
      )
      if (got !== child.base_fee_per_gas) mismatches.push(`${child.number}: ${got} != ${child.base_fee_per_gas}`)
    }
    expect(mismatches).toEqual([])
  })

  it('moves by at most 1/8 on Ethereum and 1/250 on OP Stack, and by at least 1 wei when over target', () => {
    const full = { baseFeePerGas: 1_000_000_000n, gasUsed: 30_000_000n, gasLimit: 30_000_000n }
    expect(nextBaseFee(full)).toBe(1_125_000_000n)
    expect(nextBaseFee({ ...full, gasUsed: 0n })).toBe(875_000_000n)
    expect(nextBaseFee({ ...full, gasUsed: 15_000_000n })).toBe(1_000_000_000n)
    const op = KNOWN_CHAINS.optimism!.feeMarket as { elasticityMultiplier: number; baseFeeMaxChangeDenominator: number }
    // OP target is 5M of 30M: full is 5× over target, so +5/250 = +2%.
    expect(nextBaseFee(full, op)).toBe(1_020_000_000n)
    expect(nextBaseFee({ ...full, gasUsed: 0n }, op)).toBe(996_000_000n)
    expect(nextBaseFee({ baseFeePerGas: 7n, gasUsed: 15_000_001n, gasLimit: 30_000_000n })).toBe(8n)
    expect(nextBaseFee({ baseFeePerGas: 7n, gasUsed: 0n, gasLimit: 30_000_000n })).toBe(7n)
  })
})

describe('blob base fee', () => {
  // fake_exponential reference values from the EIP-4844 client test vectors (factor, numerator, denominator, want).
  it.each([
    [1n, 0n, 1n, 1n],
    [38493n, 0n, 1000n, 38493n],
    [0n, 1234n, 2345n, 0n],
    [1n, 2n, 1n, 6n],
    [1n, 4n, 2n, 6n],
    [1n, 3n, 1n, 16n],
    [1n, 6n, 2n, 18n],
    [1n, 4n, 1n, 49n],
    [1n, 8n, 2n, 50n],
    [10n, 8n, 2n, 542n],
    [11n, 8n, 2n, 596n],
    [1n, 5n, 1n, 136n],
    [1n, 5n, 2n, 11n],
    [2n, 5n, 2n, 23n],
    [1n, 50_000_000n, 2_225_652n, 5_709_098_764n],
  ])('fake_exponential(%s, %s, %s) = %s', (factor, numerator, denominator, want) => {
    expect(fakeExponential(factor, numerator, denominator)).toBe(want)
  })

  it('is 1 wei at zero excess and grows about 12.5% per target-sized excess step on Cancun', () => {
    expect(blobBaseFee(0n, 3_338_477)).toBe(1n)
    // e^(x/3338477) crosses 2 at x = ln 2 × 3338477 ≈ 2314058.
    expect(blobBaseFee(2_314_057n, 3_338_477)).toBe(1n)
    expect(blobBaseFee(2_400_000n, 3_338_477)).toBe(2n)
  })

  it('uses the fraction of the fork in force at the block timestamp', () => {
    const eth = KNOWN_CHAINS.ethereum!
    expect(blobParametersAt(eth, 1_710_338_134n)).toBeUndefined()
    expect(blobParametersAt(eth, 1_710_338_135n)?.baseFeeUpdateFraction).toBe(3_338_477)
    expect(blobParametersAt(eth, 1_746_612_311n)?.baseFeeUpdateFraction).toBe(5_007_716)
    expect(blobParametersAt(eth, 1_769_654_531n)?.baseFeeUpdateFraction).toBe(11_684_671)
    expect(blobParametersAt(KNOWN_CHAINS.base!, 1_769_654_531n)).toBeUndefined()
  })
})
