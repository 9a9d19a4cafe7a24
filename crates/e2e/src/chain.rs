//! A local Ethereum node (anvil, from `E2E_ANVIL`) for the journeys paid on a chain: the test
//! token deployed as USDT, the server's configuration for the EVM provider, and the payer's
//! wallet (one of anvil's funded accounts). Killed on drop.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

use crate::free_port;

/// The test token's creation code (its source and the check that solc builds exactly this are
/// in the server's API tests).
const TOKEN_BYTECODE: &str = include_str!("../../server/tests/api/evm/TestToken.bin");
/// The network code the journeys' chain is configured under.
pub const NETWORK: &str = "LOCAL";
pub const CONFIRMATIONS: u32 = 3;
const XPUB: &str = "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8";

pub struct LocalChain {
    child: Child,
    port: u16,
    client: reqwest::Client,
    /// The test token's contract.
    pub token: String,
    /// The payer's account: funded with ether and the token.
    pub payer: String,
    /// The server's configuration for this chain ([`LocalChain::config`]).
    config: PathBuf,
}

impl LocalChain {
    pub async fn start() -> LocalChain {
        let anvil = std::env::var_os("E2E_ANVIL").map(PathBuf::from).unwrap_or_else(|| {
            panic!("E2E_ANVIL is not set: the chain journeys need anvil; run them with `cargo xtask test`")
        });
        let port = free_port();
        let child = Command::new(anvil)
            .args(["--port", &port.to_string(), "--quiet"])
            .stdout(Stdio::null())
            .spawn()
            .expect("start anvil");
        let mut chain = LocalChain {
            child,
            port,
            client: reqwest::Client::new(),
            token: String::new(),
            payer: String::new(),
            config: std::env::temp_dir().join(format!(
                "checkout-e2e-evm-{}-{port}.toml",
                std::process::id()
            )),
        };
        crate::eventually("anvil to answer", Duration::from_secs(15), || async {
            chain.try_rpc("eth_chainId", json!([])).await
        })
        .await
        .unwrap();
        chain.payer = chain.rpc("eth_accounts", json!([])).await[0]
            .as_str()
            .unwrap()
            .to_owned();
        chain.token = chain.deploy_token().await;
        chain
    }

    /// The server's configuration file for this chain (`CHECKOUT_CONFIG`), written now.
    pub fn config(&self) -> &Path {
        let text = format!(
            r#"provider = "evm"
[evm]
poll_interval = "100ms"
[evm.rates.ETH]
USD = "2000"
[evm.rates.USDT]
USD = "1"
[evm.chains.{NETWORK}]
chain_id = 31337
rpc_url = "http://127.0.0.1:{port}"
name = "Local chain"
native = {{ code = "ETH", name = "Ether" }}
confirmations = {CONFIRMATIONS}
xpub = "{XPUB}"
[evm.chains.{NETWORK}.tokens.USDT]
contract = "{token}"
decimals = 6
name = "Test Tether"
"#,
            port = self.port,
            token = self.token
        );
        std::fs::write(&self.config, text).expect("write the chain configuration");
        &self.config
    }

    async fn try_rpc(&self, method: &str, params: Value) -> Option<Value> {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        let url = format!("http://127.0.0.1:{}", self.port);
        let answer: Value = self
            .client
            .post(url)
            .json(&body)
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        answer.get("result").cloned()
    }

    pub async fn rpc(&self, method: &str, params: Value) -> Value {
        self.try_rpc(method, params)
            .await
            .unwrap_or_else(|| panic!("anvil refused {method}"))
    }

    async fn send(&self, tx: Value) -> String {
        let hash = self.rpc("eth_sendTransaction", json!([tx])).await;
        hash.as_str().unwrap().to_owned()
    }

    async fn deploy_token(&self) -> String {
        let data = format!("0x{}{:064x}", TOKEN_BYTECODE.trim(), 10u128.pow(15));
        let hash = self.send(json!({"from": self.payer, "data": data})).await;
        let receipt = crate::eventually("the token's receipt", Duration::from_secs(10), || async {
            let r = self.rpc("eth_getTransactionReceipt", json!([hash])).await;
            (!r.is_null()).then_some(r)
        })
        .await
        .unwrap();
        receipt["contractAddress"].as_str().unwrap().to_owned()
    }

    /// The payer's wallet sends `wei` to `to`.
    pub async fn send_ether(&self, to: &str, wei: u128) -> String {
        let value = format!("{wei:#x}");
        self.send(json!({"from": self.payer, "to": to, "value": value}))
            .await
    }

    /// The payer's wallet sends `units` of the token to `to`.
    pub async fn send_token(&self, to: &str, units: u128) -> String {
        let to = to.trim_start_matches("0x").to_ascii_lowercase();
        let data = format!("0xa9059cbb{to:0>64}{units:064x}");
        self.send(json!({"from": self.payer, "to": self.token, "data": data}))
            .await
    }

    /// The chain grows by `blocks` empty blocks.
    pub async fn mine(&self, blocks: u32) {
        for _ in 0..blocks {
            self.rpc("evm_mine", json!([])).await;
        }
    }
}

impl Drop for LocalChain {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.config);
    }
}
