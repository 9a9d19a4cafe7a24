//! `[evm]`: the provider that watches EVM chains itself, one `[evm.chains.<NETWORK>]` section
//! per chain (chain id, node URL, native coin, tokens, confirmations, the merchant's extended
//! public key). Everything is checked here, so a mistake stops the server at start-up with the
//! reason, never a payer at the picker.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{bail, Context};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer};

use super::sandbox::Rates;
use super::values::{duration, Secret};

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EvmConfig {
    /// How often each chain's node is asked for its newest block.
    #[serde(deserialize_with = "duration")]
    pub poll_interval: Duration,
    /// The most blocks one step reads while catching up after downtime.
    pub batch_blocks: u64,
    /// One JSON-RPC call, connection to last byte.
    #[serde(deserialize_with = "duration")]
    pub rpc_timeout: Duration,
    /// The longest wait between attempts while a node fails (the wait doubles per failure).
    #[serde(deserialize_with = "duration")]
    pub max_backoff: Duration,
    /// How long a deposit address is watched after its payment was opened.
    #[serde(deserialize_with = "duration")]
    pub watch_for: Duration,
    /// How long a quoted amount is guaranteed.
    #[serde(deserialize_with = "duration")]
    pub rate_lock: Duration,
    /// The merchant's own rates, fiat per coin (`rates.ETH.USD = "3000"`): this provider asks
    /// no price service.
    pub rates: Rates,
    /// The chains, by network code (`ETHEREUM`, `POLYGON`), in upper case.
    #[serde(deserialize_with = "chains")]
    pub chains: BTreeMap<String, ChainConfig>,
}

impl Default for EvmConfig {
    fn default() -> Self {
        EvmConfig {
            poll_interval: Duration::from_secs(4),
            batch_blocks: 50,
            rpc_timeout: Duration::from_secs(10),
            max_backoff: Duration::from_secs(60),
            watch_for: Duration::from_secs(8 * 24 * 3600),
            rate_lock: Duration::from_secs(15 * 60),
            rates: Rates::new(),
            chains: BTreeMap::new(),
        }
    }
}

/// One chain as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainConfig {
    pub chain_id: u64,
    /// The node's JSON-RPC endpoint (`http://` or `https://`). A secret: node services put
    /// their API key in it.
    pub rpc_url: Secret,
    /// The network as payers see it (`Ethereum`, `Polygon`).
    pub name: String,
    /// The chain's own coin; `None` accepts tokens only.
    pub native: Option<NativeCoin>,
    /// Accepted ERC-20 tokens by code (`USDT`).
    #[serde(default)]
    pub tokens: BTreeMap<String, TokenConfig>,
    /// Blocks on top of (and including) the one holding a transfer before it counts as final.
    pub confirmations: u32,
    /// The merchant's extended public key (`xpub…`/`tpub…`); deposit address `i` is its
    /// non-hardened child `i`. An extended private key is refused.
    pub xpub: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NativeCoin {
    pub code: String,
    pub name: String,
    #[serde(default = "eighteen")]
    pub decimals: u8,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenConfig {
    /// The token contract, `0x` and 40 hex digits.
    pub contract: String,
    pub decimals: u8,
    pub name: String,
}

fn eighteen() -> u8 {
    18
}

/// Chains keyed by network code in upper case, each checked.
fn chains<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, ChainConfig>, D::Error> {
    let written = BTreeMap::<String, ChainConfig>::deserialize(d)?;
    let mut chains = BTreeMap::new();
    for (network, chain) in written {
        let network = network.to_ascii_uppercase();
        chain
            .check()
            .with_context(|| format!("[evm.chains.{network}]"))
            .map_err(|e| D::Error::custom(format!("{e:#}")))?;
        chains.insert(network, chain);
    }
    Ok(chains)
}

impl EvmConfig {
    /// Whether any chain is configured.
    pub fn is_configured(&self) -> bool {
        !self.chains.is_empty()
    }

    /// What no single chain can tell: two chains with one chain id, no chain at all.
    pub fn check(&self) -> anyhow::Result<()> {
        if self.chains.is_empty() {
            bail!("provider = \"evm\" needs at least one [evm.chains.<NETWORK>] section");
        }
        let mut ids = BTreeMap::new();
        for (network, chain) in &self.chains {
            if let Some(other) = ids.insert(chain.chain_id, network) {
                bail!(
                    "[evm.chains.{network}] and [evm.chains.{other}] both have chain_id {}",
                    chain.chain_id
                );
            }
        }
        if self.batch_blocks == 0 {
            bail!("[evm] batch_blocks must be at least 1");
        }
        Ok(())
    }
}

impl ChainConfig {
    fn check(&self) -> anyhow::Result<()> {
        let url = self.rpc_url.expose();
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            bail!("rpc_url must be the node's http:// or https:// JSON-RPC address");
        }
        if self.confirmations == 0 {
            bail!("confirmations must be at least 1 (the block holding the transfer)");
        }
        if self.native.is_none() && self.tokens.is_empty() {
            bail!("accepts nothing: give the native coin or at least one token");
        }
        for (code, token) in &self.tokens {
            if !is_hex_address(&token.contract) {
                bail!("tokens.{code}.contract must be 0x followed by 40 hex digits");
            }
            if token.decimals > 30 {
                bail!("tokens.{code}.decimals is {}; at most 30", token.decimals);
            }
        }
        check_extended_public_key(&self.xpub)
    }
}

fn is_hex_address(text: &str) -> bool {
    text.strip_prefix("0x")
        .is_some_and(|h| h.len() == 40 && h.chars().all(|c| c.is_ascii_hexdigit()))
}

/// An extended key's first four characters say what it is; a private one (`xprv`, `tprv`,
/// `yprv`, `zprv`…) can move the merchant's funds and must never be on this server.
fn check_extended_public_key(key: &str) -> anyhow::Result<()> {
    let prefix = key.get(..4).unwrap_or_default();
    if prefix.ends_with("prv") {
        bail!(
            "xpub is an extended PRIVATE key ({prefix}…): it can spend the merchant's funds and \
             must never be on this server; give the extended public key (xpub/tpub) of the same \
             account instead"
        );
    }
    if !prefix.ends_with("pub") {
        bail!("xpub must be an extended public key (xpub… or tpub…)");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const XPUB: &str = "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8";

    fn parse(text: &str) -> anyhow::Result<EvmConfig> {
        #[derive(Deserialize)]
        struct File {
            evm: EvmConfig,
        }
        let file: File = toml::from_str(text)?;
        file.evm.check()?;
        Ok(file.evm)
    }

    fn chain(network: &str, id: u64, extra: &str) -> String {
        format!(
            "[evm.chains.{network}]\nchain_id = {id}\nrpc_url = \"http://127.0.0.1:8545\"\n\
             name = \"{network}\"\nconfirmations = 3\nxpub = \"{XPUB}\"\n{extra}\n"
        )
    }

    #[test]
    fn two_chains_side_by_side_with_their_own_coins() {
        let text = chain(
            "ethereum",
            1,
            "native = { code = \"ETH\", name = \"Ether\" }\n\
             [evm.chains.ethereum.tokens.USDT]\n\
             contract = \"0xdAC17F958D2ee523a2206206994597C13D831ec7\"\ndecimals = 6\nname = \"Tether USD\"",
        ) + &chain("polygon", 137, "native = { code = \"POL\", name = \"Polygon\" }");
        let evm = parse(&text).unwrap();
        assert_eq!(evm.chains.len(), 2);
        assert_eq!(evm.chains["ETHEREUM"].tokens["USDT"].decimals, 6);
        assert_eq!(evm.chains["ETHEREUM"].native.as_ref().unwrap().decimals, 18);
        assert_eq!(evm.chains["POLYGON"].chain_id, 137);
    }

    #[test]
    fn mistakes_are_refused_with_the_reason() {
        let native = "native = { code = \"ETH\", name = \"Ether\" }";
        let refused = |text: String| format!("{:#}", parse(&text).unwrap_err());
        let private = chain("eth", 1, native).replace(XPUB, "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi");
        assert!(refused(private).contains("PRIVATE key"));
        assert!(
            refused(chain("eth", 1, native).replace("xpub = ", "xpub = \"x\"\n#"))
                .contains("extended public key")
        );
        assert!(refused(chain("eth", 1, "")).contains("accepts nothing"));
        let zero = chain("eth", 1, native).replace("confirmations = 3", "confirmations = 0");
        assert!(refused(zero).contains("at least 1"));
        let url = chain("eth", 1, native).replace("http://127.0.0.1:8545", "127.0.0.1:8545");
        assert!(refused(url).contains("rpc_url"));
        let token = chain(
            "eth",
            1,
            "[evm.chains.eth.tokens.USDT]\ncontract = \"0x12\"\ndecimals = 6\nname = \"T\"",
        );
        assert!(refused(token).contains("tokens.USDT.contract"));
        let twice = chain("a", 5, native) + &chain("b", 5, native);
        assert!(refused(twice).contains("both have chain_id 5"));
        assert!(format!("{:#}", EvmConfig::default().check().unwrap_err()).contains("at least one"));
    }
}
