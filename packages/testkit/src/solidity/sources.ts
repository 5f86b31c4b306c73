/**
 * Test-only contracts, compiled with npm `solc` at first use. They are labelled as test contracts:
 * real protocol bytecode comes from npm artifacts, never from here.
 */

/** A mintable ERC-20 with configurable decimals, for pools of the devnet. Test contract. */
export const TEST_ERC20_SOURCE = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @notice Test contract: a minimal mintable ERC-20 for the Qenus devnet.
contract TestERC20 {
    string public name;
    string public symbol;
    uint8 public immutable decimals;
    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    constructor(string memory name_, string memory symbol_, uint8 decimals_) {
        name = name_;
        symbol = symbol_;
        decimals = decimals_;
    }

    function mint(address to, uint256 amount) external {
        totalSupply += amount;
        balanceOf[to] += amount;
        emit Transfer(address(0), to, amount);
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        allowance[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        _transfer(msg.sender, to, amount);
        return true;
    }

    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed != type(uint256).max) {
            require(allowed >= amount, "TestERC20: allowance");
            allowance[from][msg.sender] = allowed - amount;
        }
        _transfer(from, to, amount);
        return true;
    }

    function _transfer(address from, address to, uint256 amount) private {
        require(balanceOf[from] >= amount, "TestERC20: balance");
        balanceOf[from] -= amount;
        balanceOf[to] += amount;
        emit Transfer(from, to, amount);
    }
}
`

/** A Multicall3-compatible aggregator, placed at the canonical Multicall3 address. Test contract. */
export const MULTICALL3_SOURCE = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @notice Test contract: the Multicall3 subset viem and the dataplane use.
contract Multicall3 {
    struct Call { address target; bytes callData; }
    struct Call3 { address target; bool allowFailure; bytes callData; }
    struct Result { bool success; bytes returnData; }

    function aggregate(Call[] calldata calls) external returns (uint256 blockNumber, bytes[] memory returnData) {
        blockNumber = block.number;
        returnData = new bytes[](calls.length);
        for (uint256 i = 0; i < calls.length; i++) {
            (bool success, bytes memory ret) = calls[i].target.call(calls[i].callData);
            require(success, "Multicall3: call failed");
            returnData[i] = ret;
        }
    }

    function aggregate3(Call3[] calldata calls) external returns (Result[] memory returnData) {
        returnData = new Result[](calls.length);
        for (uint256 i = 0; i < calls.length; i++) {
            (bool success, bytes memory ret) = calls[i].target.call(calls[i].callData);
            if (!success && !calls[i].allowFailure) {
                assembly { revert(add(ret, 32), mload(ret)) }
            }
            returnData[i] = Result(success, ret);
        }
    }

    function getBlockNumber() external view returns (uint256) { return block.number; }
    function getBlockHash(uint256 blockNumber) external view returns (bytes32) { return blockhash(blockNumber); }
    function getCurrentBlockTimestamp() external view returns (uint256) { return block.timestamp; }
    function getBasefee() external view returns (uint256) { return block.basefee; }
    function getChainId() external view returns (uint256) { return block.chainid; }
    function getEthBalance(address addr) external view returns (uint256) { return addr.balance; }
}
`
