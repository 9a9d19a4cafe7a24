//! `cargo xtask demo --chain`: the demo against a local Ethereum node instead of the sandbox.
//! Starts anvil (a block every two seconds), deploys the test token as USDT, writes the
//! server's configuration for the EVM provider and prints how to pay from one of anvil's
//! funded accounts, with curl or with a wallet given the account's (publicly known) key.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The token's creation code, kept beside its source (the API tests check it against solc).
const TOKEN_BYTECODE: &str = include_str!("../../crates/server/tests/api/evm/TestToken.bin");
pub const ANVIL_PORT: u16 = 8545;
/// anvil's first account and its key: the same on every anvil, published in its documentation
/// and never worth anything outside a local chain.
const PAYER: &str = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const PAYER_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
/// The merchant's key for the demo (BIP32 test vector 1's master public key).
const XPUB: &str = "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8";
pub const MERCHANT_KEY: &str = "sk_chain_demo_local_only";

/// The node, stopped when dropped.
pub struct LocalChain {
    child: Child,
    port: u16,
    pub token: String,
}

impl Drop for LocalChain {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts anvil, deploys the token and writes the server's configuration into `dir`; returns
/// the node and the configuration file.
pub fn start(dir: &Path) -> Result<(LocalChain, PathBuf), String> {
    start_on(dir, ANVIL_PORT)
}

fn start_on(dir: &Path, port: u16) -> Result<(LocalChain, PathBuf), String> {
    let anvil = crate::chain_tools::ensure_anvil()?;
    // The chain starts afresh each time, so does what the server recorded of the last one.
    let _ = std::fs::remove_dir_all(dir);
    let child = Command::new(anvil)
        .args(["--port", &port.to_string(), "--block-time", "2", "--quiet"])
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| format!("could not start anvil: {e}"))?;
    let mut chain = LocalChain {
        child,
        port,
        token: String::new(),
    };
    wait_for_node(port)?;
    chain.token = deploy_token(port)?;
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let config = dir.join("checkout.toml");
    let text = configuration(&chain.token, port);
    std::fs::write(&config, text).map_err(|e| e.to_string())?;
    Ok((chain, config))
}

fn configuration(token: &str, port: u16) -> String {
    format!(
        r#"provider = "evm"
merchant_api_key = "{MERCHANT_KEY}"
[evm]
poll_interval = "1s"
[evm.rates.ETH]
USD = "2000"
[evm.rates.USDT]
USD = "1"
[evm.chains.LOCAL]
chain_id = 31337
rpc_url = "http://127.0.0.1:{port}"
name = "Local chain (anvil)"
native = {{ code = "ETH", name = "Ether" }}
confirmations = 3
xpub = "{XPUB}"
[evm.chains.LOCAL.tokens.USDT]
contract = "{token}"
decimals = 6
name = "Test Tether (local)"
"#
    )
}

/// What a person needs to pay a demo checkout from anvil's first account.
pub fn print_how_to_pay(chain: &LocalChain) {
    let (token, rpc) = (&chain.token, format!("http://127.0.0.1:{}", chain.port));
    println!("  Local chain:          {rpc} (chain id 31337, a block every 2 s)");
    println!("  Merchant API key:     {MERCHANT_KEY}");
    println!("  USDT (test token):    {token}");
    println!();
    println!("  Pay from anvil's first account ({PAYER}); the widget shows ADDRESS and the");
    println!("  amount in wei (ETH) or in millionths (USDT). Ether, e.g. 0.0125 ETH:");
    println!(
        "    curl -s {rpc} -H 'content-type: application/json' -d '{{\"jsonrpc\":\"2.0\",\"id\":1,\
         \"method\":\"eth_sendTransaction\",\"params\":[{{\"from\":\"{PAYER}\",\"to\":\"ADDRESS\",\
         \"value\":\"0x2c68af0bb14000\"}}]}}'"
    );
    println!("  USDT, e.g. 25 USDT (data = transfer(ADDRESS without 0x, padded to 64, 25000000)):");
    println!(
        "    curl -s {rpc} -H 'content-type: application/json' -d '{{\"jsonrpc\":\"2.0\",\"id\":1,\
         \"method\":\"eth_sendTransaction\",\"params\":[{{\"from\":\"{PAYER}\",\"to\":\"{token}\",\
         \"data\":\"0xa9059cbb000000000000000000000000ADDRESS_WITHOUT_0X\
         00000000000000000000000000000000000000000000000000000000017d7840\"}}]}}'"
    );
    println!("  Or import the account into a wallet (network {rpc}, chain id 31337) with its");
    println!("  well-known key {PAYER_KEY}");
}

fn wait_for_node(port: u16) -> Result<(), String> {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(15) {
        if rpc(port, "eth_chainId", "[]").is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!("anvil did not answer on port {port}"))
}

fn deploy_token(port: u16) -> Result<String, String> {
    // The constructor's one argument: the supply, 10^12 USDT for the payer.
    let data = format!("0x{}{:064x}", TOKEN_BYTECODE.trim(), 10u128.pow(18));
    let send = format!(r#"[{{"from":"{PAYER}","data":"{data}"}}]"#);
    let hash = field(&rpc(port, "eth_sendTransaction", &send)?, "result")?;
    for _ in 0..100 {
        let receipt = rpc(port, "eth_getTransactionReceipt", &format!(r#"["{hash}"]"#))?;
        if let Ok(address) = field(&receipt, "contractAddress") {
            return Ok(address);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Err("the token was never deployed".into())
}

/// The string value of the first `"name":"…"` in a JSON text (the answers are small and flat
/// enough; xtask carries no JSON parser).
fn field(text: &str, name: &str) -> Result<String, String> {
    let key = format!("\"{name}\":\"");
    let start = text
        .find(&key)
        .ok_or_else(|| format!("no {name} in {text}"))?
        + key.len();
    let end = text[start..].find('"').ok_or("unterminated string")?;
    Ok(text[start..start + end].to_owned())
}

/// One JSON-RPC call over a plain HTTP/1.1 connection; returns the answer's body.
fn rpc(port: u16, method: &str, params: &str) -> Result<String, String> {
    let body = format!(r#"{{"jsonrpc":"2.0","id":1,"method":"{method}","params":{params}}}"#);
    let mut stream =
        std::net::TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let request = format!(
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|e| e.to_string())?;
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    let (_, body) = answer
        .split_once("\r\n\r\n")
        .ok_or("no answer from anvil")?;
    Ok(body.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_read_out_of_flat_answers() {
        let answer = r#"{"jsonrpc":"2.0","id":1,"result":"0xabc"}"#;
        assert_eq!(field(answer, "result").unwrap(), "0xabc");
        assert!(field(answer, "contractAddress").is_err());
    }

    /// The whole start against a real anvil (the one `cargo xtask test` installs): the node
    /// answers, the token is deployed, the configuration names both.
    #[test]
    fn a_local_chain_starts_with_the_token_and_the_servers_configuration() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap()
            .port();
        let dir = std::env::temp_dir().join(format!("xtask-chain-demo-{}", std::process::id()));
        let (chain, config) = start_on(&dir, port).unwrap();
        assert!(
            chain.token.starts_with("0x") && chain.token.len() == 42,
            "{}",
            chain.token
        );
        let text = std::fs::read_to_string(&config).unwrap();
        assert!(text.contains("provider = \"evm\""));
        assert!(text.contains(&format!("contract = \"{}\"", chain.token)));
        assert!(text.contains(&format!("rpc_url = \"http://127.0.0.1:{port}\"")));
        let code = rpc(
            port,
            "eth_getCode",
            &format!(r#"["{}", "latest"]"#, chain.token),
        )
        .unwrap();
        assert!(
            field(&code, "result").unwrap().len() > 100,
            "the token has code: {code}"
        );
        drop(chain);
        let _ = std::fs::remove_dir_all(dir);
    }
}
