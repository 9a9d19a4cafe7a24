//! The few JSON-RPC calls the watcher makes to a node: the newest block number, a block with
//! its transactions, a receipt's status, and `Transfer` logs. No retries here: the watcher
//! backs off and asks again, and a failure shows in health.

use std::time::Duration;

use anyhow::{bail, Context};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

/// keccak-256 of `Transfer(address,address,uint256)`: the ERC-20 event's first topic.
pub const TRANSFER_TOPIC: &str =
    "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef";

#[derive(Clone)]
pub struct Rpc {
    client: reqwest::Client,
    url: String,
}

/// A block as the watcher reads it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Block {
    #[serde(deserialize_with = "quantity")]
    pub number: u64,
    pub hash: String,
    pub parent_hash: String,
    #[serde(deserialize_with = "quantity")]
    pub timestamp: u64,
    #[serde(default)]
    pub transactions: Vec<Transaction>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Transaction {
    pub hash: String,
    /// `None` for a contract creation.
    pub to: Option<String>,
    pub value: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Log {
    pub address: String,
    pub topics: Vec<String>,
    pub data: String,
    #[serde(deserialize_with = "quantity")]
    pub block_number: u64,
    pub block_hash: String,
    pub transaction_hash: String,
    #[serde(deserialize_with = "quantity")]
    pub log_index: u64,
    #[serde(default)]
    pub removed: bool,
}

#[derive(Debug, Deserialize)]
struct Receipt {
    status: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Answer {
    result: Option<Value>,
    error: Option<Value>,
}

impl Rpc {
    pub fn new(url: &str, timeout: Duration) -> anyhow::Result<Rpc> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .context("building the node's HTTP client")?;
        Ok(Rpc {
            client,
            url: url.to_owned(),
        })
    }

    async fn call<T: DeserializeOwned>(&self, method: &str, params: Value) -> anyhow::Result<T> {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        let answer: Answer = self
            .client
            .post(&self.url)
            .json(&body)
            .send()
            .await
            // The URL may carry the node provider's key: never in a log or in health.
            .map_err(reqwest::Error::without_url)
            .with_context(|| format!("{method}: the node did not answer"))?
            .error_for_status()
            .map_err(reqwest::Error::without_url)
            .with_context(|| format!("{method}: the node refused"))?
            .json()
            .await
            .with_context(|| format!("{method}: the node's answer is not JSON-RPC"))?;
        if let Some(error) = answer.error {
            bail!("{method}: the node answered with an error: {error}");
        }
        serde_json::from_value(answer.result.unwrap_or(Value::Null))
            .with_context(|| format!("{method}: unexpected result"))
    }

    pub async fn chain_id(&self) -> anyhow::Result<u64> {
        let text: String = self.call("eth_chainId", json!([])).await?;
        parse_quantity(&text)
    }

    pub async fn block_number(&self) -> anyhow::Result<u64> {
        let text: String = self.call("eth_blockNumber", json!([])).await?;
        parse_quantity(&text)
    }

    /// Block `number` with its transactions; an error when the node has no such block.
    pub async fn block(&self, number: u64) -> anyhow::Result<Block> {
        let block: Option<Block> = self
            .call("eth_getBlockByNumber", json!([hex(number), true]))
            .await?;
        block.with_context(|| format!("the node has no block {number}"))
    }

    /// Whether the transaction succeeded (a reverted one moved no value).
    pub async fn succeeded(&self, tx_hash: &str) -> anyhow::Result<bool> {
        let receipt: Option<Receipt> = self
            .call("eth_getTransactionReceipt", json!([tx_hash]))
            .await?;
        let receipt = receipt.with_context(|| format!("no receipt for {tx_hash}"))?;
        Ok(receipt.status.as_deref() == Some("0x1"))
    }

    /// `Transfer` logs of `contracts` to any of `recipients` in blocks `from..=to`.
    pub async fn transfer_logs(
        &self,
        from: u64,
        to: u64,
        contracts: &[String],
        recipients: &[String],
    ) -> anyhow::Result<Vec<Log>> {
        let topics: Vec<String> = recipients.iter().map(|a| topic_of_address(a)).collect();
        let filter = json!({
            "fromBlock": hex(from),
            "toBlock": hex(to),
            "address": contracts,
            "topics": [TRANSFER_TOPIC, Value::Null, topics],
        });
        self.call("eth_getLogs", json!([filter])).await
    }
}

fn hex(n: u64) -> String {
    format!("{n:#x}")
}

/// A JSON-RPC quantity (`0x1a`).
pub fn parse_quantity(text: &str) -> anyhow::Result<u64> {
    let digits = text
        .strip_prefix("0x")
        .context("a quantity starts with 0x")?;
    u64::from_str_radix(digits, 16).with_context(|| format!("{text:?} is not a quantity"))
}

/// A 256-bit value (`0x…`, a quantity or 32 bytes of log data) when it fits 128 bits.
pub fn parse_u256(text: &str) -> Option<u128> {
    let digits = text.strip_prefix("0x")?.trim_start_matches('0');
    if digits.is_empty() {
        return Some(0);
    }
    (digits.len() <= 32)
        .then(|| u128::from_str_radix(digits, 16).ok())
        .flatten()
}

/// An address as an indexed topic: 12 zero bytes, then its 20, in lower case.
pub fn topic_of_address(address: &str) -> String {
    let bare = address.trim_start_matches("0x").to_ascii_lowercase();
    format!("0x{bare:0>64}")
}

/// The address an indexed topic holds, `0x` and lower case.
pub fn address_of_topic(topic: &str) -> Option<String> {
    let bare = topic.strip_prefix("0x")?;
    (bare.len() == 64).then(|| format!("0x{}", bare[24..].to_ascii_lowercase()))
}

fn quantity<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let text = String::deserialize(d)?;
    parse_quantity(&text).map_err(serde::de::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_values_and_topics() {
        assert_eq!(parse_quantity("0x1a").unwrap(), 26);
        assert!(parse_quantity("26").is_err());
        assert_eq!(parse_u256("0x0"), Some(0));
        assert_eq!(
            parse_u256(&format!("0x{:064x}", 25_000_000u64)),
            Some(25_000_000)
        );
        assert_eq!(
            parse_u256(&format!("0x1{}", "0".repeat(32))),
            None,
            "beyond 128 bits"
        );
        let topic = topic_of_address("0xAbC0000000000000000000000000000000000001");
        assert_eq!(topic.len(), 66);
        assert_eq!(
            address_of_topic(&topic).as_deref(),
            Some("0xabc0000000000000000000000000000000000001")
        );
        assert_eq!(address_of_topic("0x12"), None);
    }
}
