import { compileSolidity } from '@qenus/testkit'

/**
 * A TEST CONTRACT, not Arbitrum's precompile: Nitro's ArbGasInfo (0x…6c) is native ArbOS code that
 * no npm package ships as bytecode, so this exposes the same two view functions with values a test
 * sets, and is placed at the precompile's address with `anvil_setCode`.
 */
const SOURCE = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// TEST ONLY: ArbGasInfo's getPricesInWei and getL1BaseFeeEstimate with settable values.
contract TestArbGasInfo {
    uint256[6] internal prices;
    uint256 internal l1BaseFee;

    function set(uint256[6] calldata p, uint256 l1) external {
        prices = p;
        l1BaseFee = l1;
    }

    function getPricesInWei() external view returns (uint256, uint256, uint256, uint256, uint256, uint256) {
        return (prices[0], prices[1], prices[2], prices[3], prices[4], prices[5]);
    }

    function getL1BaseFeeEstimate() external view returns (uint256) {
        return l1BaseFee;
    }
}
`

/** Compiles {@link SOURCE} (cached). */
export async function testArbGasInfo() {
  const { TestArbGasInfo } = await compileSolidity({ 'TestArbGasInfo.sol': SOURCE })
  return TestArbGasInfo!
}
