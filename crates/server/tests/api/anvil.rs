//! A real Ethereum node for the EVM provider's tests: Foundry's `anvil`, installed by `cargo
//! xtask test` from the npm registry and named by `CHECKOUT_TEST_ANVIL`. Each test starts its
//! own on a free port; it is stopped when the test ends, passed or failed.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

/// The test token's creation code, built from `evm/TestToken.sol` with the pinned solc (a test
/// below rebuilds it and compares).
const TOKEN_BYTECODE: &str = include_str!("evm/TestToken.bin");

pub struct Anvil {
    child: Option<Child>,
    pub port: u16,
    /// Where the chain is kept across a stop (`--state`), when asked for.
    state: Option<PathBuf>,
    pub chain_id: u64,
    client: reqwest::Client,
}

fn binary() -> PathBuf {
    std::env::var_os("CHECKOUT_TEST_ANVIL")
        .map(PathBuf::from)
        .or_else(|| {
            // Where `cargo xtask test` installs it, for a run of this suite alone.
            let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
            let installed = root.join(
                "target/npm/@foundry-rs/anvil/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil",
            );
            installed.exists().then_some(installed)
        })
        .expect("anvil is missing: run `cargo xtask test`, or set CHECKOUT_TEST_ANVIL")
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

impl Anvil {
    /// Anvil's own chain id.
    pub const CHAIN_ID: u64 = 31337;

    pub async fn start() -> Anvil {
        Anvil::launch(free_port(), None, Anvil::CHAIN_ID).await
    }

    /// A node of another chain, to watch two side by side.
    pub async fn start_chain(chain_id: u64) -> Anvil {
        Anvil::launch(free_port(), None, chain_id).await
    }

    /// A node that keeps its chain in `state` when stopped, for [`Anvil::stop`] and
    /// [`Anvil::start_again`].
    pub async fn start_keeping(state: &Path) -> Anvil {
        Anvil::launch(free_port(), Some(state.to_owned()), Anvil::CHAIN_ID).await
    }

    async fn launch(port: u16, state: Option<PathBuf>, chain_id: u64) -> Anvil {
        let mut cmd = Command::new(binary());
        cmd.args(["--port", &port.to_string(), "--quiet"]);
        cmd.args(["--chain-id", &chain_id.to_string()]);
        if let Some(path) = &state {
            cmd.arg("--state").arg(path);
        }
        let child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting anvil");
        let mut anvil = Anvil {
            child: Some(child),
            port,
            state,
            chain_id,
            client: reqwest::Client::new(),
        };
        anvil.wait_until_up().await;
        anvil
    }

    async fn wait_until_up(&mut self) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        while self.try_rpc("eth_chainId", json!([])).await.is_none() {
            assert!(
                tokio::time::Instant::now() < deadline,
                "anvil did not start"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Stops the node (gracefully, so it writes its state when it keeps one).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            for _ in 0..100 {
                if matches!(child.try_wait(), Ok(Some(_))) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the node again on the same port, from the state it kept.
    pub async fn start_again(&mut self) {
        let again = Anvil::launch(self.port, self.state.clone(), self.chain_id).await;
        *self = again;
    }

    async fn try_rpc(&self, method: &str, params: Value) -> Option<Value> {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        let answer: Value = self
            .client
            .post(self.url())
            .json(&body)
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        Some(answer)
    }

    pub async fn rpc(&self, method: &str, params: Value) -> Value {
        let answer = self.try_rpc(method, params).await.expect("anvil answers");
        assert!(answer["error"].is_null(), "{method}: {answer}");
        answer["result"].clone()
    }

    /// One of anvil's funded, unlocked accounts.
    pub async fn account(&self, index: usize) -> String {
        let accounts = self.rpc("eth_accounts", json!([])).await;
        accounts[index].as_str().unwrap().to_owned()
    }

    /// Sends a transaction (anvil mines it into a block of its own at once); returns its hash.
    pub async fn send(&self, tx: Value) -> String {
        let hash = self.rpc("eth_sendTransaction", json!([tx])).await;
        hash.as_str().unwrap().to_owned()
    }

    pub async fn send_wei(&self, from: &str, to: &str, wei: u128) -> String {
        self.send(json!({"from": from, "to": to, "value": format!("{wei:#x}")}))
            .await
    }

    /// Deploys the test token with `supply` units for `from`; returns its address.
    pub async fn deploy_token(&self, from: &str, supply: u128) -> String {
        let data = format!("0x{}{supply:064x}", TOKEN_BYTECODE.trim());
        let hash = self.send(json!({"from": from, "data": data})).await;
        let receipt = self.receipt(&hash).await;
        receipt["contractAddress"].as_str().unwrap().to_owned()
    }

    /// The receipt of `hash`, once the transaction is mined (anvil mines it at once, but may
    /// answer the send before).
    pub async fn receipt(&self, hash: &str) -> Value {
        for _ in 0..200 {
            let receipt = self.rpc("eth_getTransactionReceipt", json!([hash])).await;
            if !receipt.is_null() {
                return receipt;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("{hash} was never mined");
    }

    /// `transfer(to, units)` on `token`, from `from`.
    pub async fn send_token(&self, token: &str, from: &str, to: &str, units: u128) -> String {
        let to = to.trim_start_matches("0x").to_ascii_lowercase();
        let data = format!("0xa9059cbb{to:0>64}{units:064x}");
        self.send(json!({"from": from, "to": token, "data": data}))
            .await
    }

    pub async fn mine(&self, blocks: u64) {
        for _ in 0..blocks {
            self.rpc("evm_mine", json!([])).await;
        }
    }
}

impl Drop for Anvil {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// `amount` (a decimal string) in units at `decimals`.
pub fn units(amount: &str, decimals: u32) -> u128 {
    let (whole, fraction) = amount.split_once('.').unwrap_or((amount, ""));
    assert!(
        fraction.len() <= decimals as usize,
        "{amount} at {decimals}"
    );
    let padded = format!("{fraction:0<width$}", width = decimals as usize);
    whole.parse::<u128>().unwrap() * 10u128.pow(decimals) + padded.parse::<u128>().unwrap_or(0)
}

#[test]
fn the_checked_in_token_bytecode_is_what_the_pinned_solc_builds() {
    let solcjs = std::env::var_os("CHECKOUT_TEST_SOLCJS")
        .map(PathBuf::from)
        .or_else(|| {
            let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
            let installed = root.join("target/npm/solc/node_modules/.bin/solcjs");
            installed.exists().then_some(installed)
        })
        .expect("solcjs is missing: run `cargo xtask test`, or set CHECKOUT_TEST_SOLCJS");
    let out = tempfile::tempdir().unwrap();
    let sources = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/api/evm");
    let status = Command::new(solcjs)
        .args(["--bin", "TestToken.sol", "-o"])
        .arg(out.path())
        .current_dir(&sources)
        .status()
        .unwrap();
    assert!(status.success());
    let built = std::fs::read_to_string(out.path().join("TestToken_sol_TestToken.bin")).unwrap();
    assert_eq!(built.trim(), TOKEN_BYTECODE.trim(), "rebuild TestToken.bin");
}
