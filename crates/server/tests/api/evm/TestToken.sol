// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// The smallest ERC-20 the EVM provider's tests need: a fixed supply minted to whoever deploys
/// it, `transfer`, and the `Transfer` event the watcher reads. Six decimals, like USDT.
contract TestToken {
    string public constant name = "Test Tether";
    string public constant symbol = "USDT";
    uint8 public constant decimals = 6;
    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;

    event Transfer(address indexed from, address indexed to, uint256 value);

    constructor(uint256 supply) {
        totalSupply = supply;
        balanceOf[msg.sender] = supply;
        emit Transfer(address(0), msg.sender, supply);
    }

    function transfer(address to, uint256 value) external returns (bool) {
        require(balanceOf[msg.sender] >= value, "balance too low");
        balanceOf[msg.sender] -= value;
        balanceOf[to] += value;
        emit Transfer(msg.sender, to, value);
        return true;
    }
}
