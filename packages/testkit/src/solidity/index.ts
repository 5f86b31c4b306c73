import { type CompiledContract, type CompileOptions, compileSolidity } from './compile.js'
import { MULTICALL3_SOURCE, TEST_ERC20_SOURCE } from './sources.js'

/** The test contracts the devnet deploys. */
export interface TestContracts {
  /** Mintable ERC-20 with configurable decimals. */
  TestERC20: CompiledContract
  /** Multicall3-compatible aggregator. */
  Multicall3: CompiledContract
}

/** Compiles (or loads from the cache) the devnet's test contracts. */
export async function compileTestContracts(options: CompileOptions = {}): Promise<TestContracts> {
  const out = await compileSolidity(
    { 'TestERC20.sol': TEST_ERC20_SOURCE, 'Multicall3.sol': MULTICALL3_SOURCE },
    options,
  )
  return { TestERC20: out['TestERC20']!, Multicall3: out['Multicall3']! }
}
