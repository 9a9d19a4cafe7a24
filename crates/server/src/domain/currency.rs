//! The currency catalogue: which coins on which networks the server can take, how precise each
//! is, how many confirmations make a payment final, and how wallets are asked to pay.
//!
//! Fiat currencies are here too, because prices and payer-entered amounts may be in fiat.

use std::collections::BTreeMap;

use protocol::{Amount, CurrencyOption};
use serde::{Deserialize, Serialize};

/// How a wallet URI (and so the QR code) is built for a coin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UriScheme {
    /// BIP21 with the given scheme (`bitcoin`, `litecoin`).
    Bip21(&'static str),
    /// EIP-681 for the chain's native coin (value in wei).
    Eip681Native { chain_id: u64 },
    /// EIP-681 `transfer` call on an ERC-20 token contract.
    Eip681Token {
        chain_id: u64,
        contract: &'static str,
    },
    /// No widely supported scheme: the plain address.
    PlainAddress,
}

/// How an address on a network is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressFormat {
    /// Native segwit v0 key hash, bech32 with this human-readable part.
    Bech32P2wpkh { hrp: &'static str },
    /// 20 bytes, hex, EIP-55 mixed-case checksum.
    Eip55,
    /// TRON: 0x41 + 20 bytes, base58check.
    TronBase58,
    /// No address at all: the payer pays on the provider's own page (the Coins.ph wallet).
    ProviderPage,
}

/// A coin on a network, with everything the server needs to price and watch it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coin {
    pub code: &'static str,
    pub network: &'static str,
    pub name: &'static str,
    pub network_name: &'static str,
    pub decimals: u8,
    /// Decimal places a converted price is rounded up to (then stored at `decimals`). Ether has
    /// 18, but 0.008333333333333334 is unreadable and untypeable; 8 places cost the payer at most
    /// 10^-8 ETH more. Equal to `decimals` for every other coin.
    pub quote_decimals: u8,
    pub uri: UriScheme,
    pub address: AddressFormat,
    pub confirmations_required: u32,
}

impl Coin {
    /// The same coin on its test network, for test payments (the sandbox): bech32 addresses
    /// with the test networks' prefixes (`tb1…`, `tltc1…`) and EIP-681 URIs on Sepolia, so a
    /// mainnet wallet can neither read nor pay them. EVM and TRON addresses look the same on
    /// their test networks.
    pub fn on_test_network(&self) -> Coin {
        let mut coin = self.clone();
        coin.address = match self.address {
            AddressFormat::Bech32P2wpkh { hrp: "bc" } => AddressFormat::Bech32P2wpkh { hrp: "tb" },
            AddressFormat::Bech32P2wpkh { hrp: "ltc" } => {
                AddressFormat::Bech32P2wpkh { hrp: "tltc" }
            }
            other => other,
        };
        coin.uri = match self.uri {
            UriScheme::Eip681Native { .. } => UriScheme::Eip681Native {
                chain_id: SEPOLIA_CHAIN_ID,
            },
            UriScheme::Eip681Token { contract, .. } => UriScheme::Eip681Token {
                chain_id: SEPOLIA_CHAIN_ID,
                contract,
            },
            other => other,
        };
        coin
    }

    /// Paid on the provider's own page rather than to an address: the payment shows a link to
    /// that page (never an address, a QR code or a network warning), and the payer's contact is
    /// required, because the only such provider (Coins.ph) names the payer in its payment
    /// requests.
    pub fn paid_on_page(&self) -> bool {
        self.address == AddressFormat::ProviderPage
    }

    pub fn key(&self) -> CoinKey {
        CoinKey {
            code: self.code.to_owned(),
            network: self.network.to_owned(),
        }
    }

    pub fn option(&self) -> CurrencyOption {
        CurrencyOption {
            code: self.code.to_owned(),
            network: self.network.to_owned(),
            name: self.name.to_owned(),
            network_name: self.network_name.to_owned(),
            decimals: self.decimals,
            confirmations_required: self.confirmations_required,
        }
    }
}

/// `{code, network}`: how requests and records name a coin.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CoinKey {
    pub code: String,
    pub network: String,
}

/// Ethereum's test network, where test payments' EIP-681 URIs point.
pub const SEPOLIA_CHAIN_ID: u64 = 11_155_111;

const USDT_ERC20: &str = "0xdAC17F958D2ee523a2206206994597C13D831ec7";
const USDC_ERC20: &str = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48";

/// The coins shipped with the server. Confirmation counts here are defaults; the configuration
/// may override them per network.
static BUILTIN: &[Coin] = &[
    Coin {
        code: "BTC",
        network: "BITCOIN",
        name: "Bitcoin",
        network_name: "Bitcoin",
        decimals: 8,
        quote_decimals: 8,
        uri: UriScheme::Bip21("bitcoin"),
        address: AddressFormat::Bech32P2wpkh { hrp: "bc" },
        confirmations_required: 2,
    },
    Coin {
        code: "LTC",
        network: "LITECOIN",
        name: "Litecoin",
        network_name: "Litecoin",
        decimals: 8,
        quote_decimals: 8,
        uri: UriScheme::Bip21("litecoin"),
        address: AddressFormat::Bech32P2wpkh { hrp: "ltc" },
        confirmations_required: 3,
    },
    Coin {
        code: "ETH",
        network: "ETHEREUM",
        name: "Ether",
        network_name: "Ethereum",
        decimals: 18,
        quote_decimals: 8,
        uri: UriScheme::Eip681Native { chain_id: 1 },
        address: AddressFormat::Eip55,
        confirmations_required: 3,
    },
    Coin {
        code: "USDT",
        network: "ETHEREUM",
        name: "Tether USD",
        network_name: "Ethereum (ERC-20)",
        decimals: 6,
        quote_decimals: 6,
        uri: UriScheme::Eip681Token {
            chain_id: 1,
            contract: USDT_ERC20,
        },
        address: AddressFormat::Eip55,
        confirmations_required: 3,
    },
    Coin {
        code: "USDC",
        network: "ETHEREUM",
        name: "USD Coin",
        network_name: "Ethereum (ERC-20)",
        decimals: 6,
        quote_decimals: 6,
        uri: UriScheme::Eip681Token {
            chain_id: 1,
            contract: USDC_ERC20,
        },
        address: AddressFormat::Eip55,
        confirmations_required: 3,
    },
    Coin {
        code: "USDT",
        network: "TRON",
        name: "Tether USD",
        network_name: "Tron (TRC-20)",
        decimals: 6,
        quote_decimals: 6,
        uri: UriScheme::PlainAddress,
        address: AddressFormat::TronBase58,
        confirmations_required: 1,
    },
    Coin {
        code: "TRX",
        network: "TRON",
        name: "TRON",
        network_name: "Tron",
        decimals: 6,
        quote_decimals: 6,
        uri: UriScheme::PlainAddress,
        address: AddressFormat::TronBase58,
        confirmations_required: 1,
    },
    // Not a coin: a payment in pesos from the payer's Coins.ph wallet, on Coins.ph's page. Only
    // the Coins.ph provider offers it, and only for prices in PHP (see `Provider::offers`).
    Coin {
        code: "PHP",
        network: COINSPH_NETWORK,
        name: "Coins.ph wallet",
        network_name: "Coins.ph",
        decimals: 2,
        quote_decimals: 2,
        uri: UriScheme::PlainAddress,
        address: AddressFormat::ProviderPage,
        // What Coins.ph counts as received is final (a wallet transfer, not a chain).
        confirmations_required: 1,
    },
];

/// The "network" of the Coins.ph wallet option.
pub const COINSPH_NETWORK: &str = "COINSPH";

/// Fiat currencies prices may be given in, with their scale. PHP is payable only where a
/// provider takes pesos (Coins.ph); the others' quotes are in USD and EUR.
const FIATS: [(&str, u8); 3] = [("USD", 2), ("EUR", 2), ("PHP", 2)];

/// The fiat currencies a provider that converts prices takes, unless it says otherwise.
pub const CONVERTIBLE_FIATS: [&str; 2] = ["USD", "EUR"];

/// What a price or payer-entered amount is denominated in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denomination {
    Fiat {
        code: &'static str,
        scale: u8,
    },
    /// A crypto code (possibly on several networks, e.g. USDT), at its smallest scale.
    Crypto {
        code: &'static str,
        scale: u8,
    },
}

impl Denomination {
    pub fn is_fiat(self) -> bool {
        matches!(self, Self::Fiat { .. })
    }

    pub fn scale(self) -> u8 {
        match self {
            Self::Fiat { scale, .. } | Self::Crypto { scale, .. } => scale,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Fiat { code, .. } | Self::Crypto { code, .. } => code,
        }
    }
}

/// The configured catalogue.
#[derive(Debug, Clone)]
pub struct Catalogue {
    coins: Vec<Coin>,
}

impl Catalogue {
    /// The built-in coins with confirmations overridden per network (`BITCOIN = 6`).
    pub fn new(confirmations: &BTreeMap<String, u32>) -> Catalogue {
        let mut coins = BUILTIN.to_vec();
        for coin in &mut coins {
            if let Some(n) = confirmations.get(coin.network) {
                coin.confirmations_required = (*n).max(1);
            }
        }
        Catalogue { coins }
    }

    /// The whole configuration's catalogue: the built-in coins with their confirmations, then
    /// each configured EVM chain's coins, which replace the built-in ones of a network of the
    /// same name (an `[evm.chains.ETHEREUM]` section says which tokens Ethereum takes).
    pub fn from_config(config: &crate::config::Config) -> Catalogue {
        let mut catalogue = Catalogue::new(&config.confirmations);
        for (network, chain) in &config.evm.chains {
            catalogue.coins.retain(|c| c.network != network);
            catalogue.coins.extend(chain_coins(network, chain));
        }
        catalogue
    }

    pub fn all(&self) -> &[Coin] {
        &self.coins
    }

    /// The same catalogue with only the coins `keep` accepts: what a provider can offer.
    pub fn only(&self, keep: impl Fn(&Coin) -> bool) -> Catalogue {
        Catalogue {
            coins: self.coins.iter().filter(|c| keep(c)).cloned().collect(),
        }
    }

    /// Case-insensitive look-up, as payers and merchants type codes either way.
    pub fn coin(&self, code: &str, network: &str) -> Option<&Coin> {
        self.coins
            .iter()
            .find(|c| c.code.eq_ignore_ascii_case(code) && c.network.eq_ignore_ascii_case(network))
    }

    pub fn has_code(&self, code: &str) -> bool {
        self.coins.iter().any(|c| c.code.eq_ignore_ascii_case(code))
    }

    /// The denomination for a price currency code: fiat first, then crypto codes.
    pub fn denomination(&self, code: &str) -> Option<Denomination> {
        if let Some((code, scale)) = FIATS.iter().find(|(c, _)| c.eq_ignore_ascii_case(code)) {
            return Some(Denomination::Fiat {
                code,
                scale: *scale,
            });
        }
        // A code on several networks takes the smallest scale, so an amount is exact on all.
        self.coins
            .iter()
            .filter(|c| c.code.eq_ignore_ascii_case(code))
            .min_by_key(|c| c.decimals)
            .map(|c| Denomination::Crypto {
                code: c.code,
                scale: c.decimals,
            })
    }

    /// Amount units for an address-format or URI check in tests and views.
    pub fn units_of(amount: Amount, coin: &Coin) -> Option<u128> {
        amount.units_at(coin.decimals)
    }
}

/// A configured chain's coins: its native coin, then its tokens.
fn chain_coins(network: &str, chain: &crate::config::ChainConfig) -> Vec<Coin> {
    let network = leak(network);
    let network_name = leak(&chain.name);
    let coin = |code: &str, name: &str, decimals: u8, uri: UriScheme| Coin {
        code: leak(code),
        network,
        name: leak(name),
        network_name,
        decimals,
        // Like ether, a native coin's 18 places are unreadable in a quote.
        quote_decimals: decimals.min(8),
        uri,
        address: AddressFormat::Eip55,
        confirmations_required: chain.confirmations,
    };
    let chain_id = chain.chain_id;
    let native = chain.native.iter().map(|n| {
        coin(
            &n.code,
            &n.name,
            n.decimals,
            UriScheme::Eip681Native { chain_id },
        )
    });
    let tokens = chain.tokens.iter().map(|(code, t)| {
        let contract = leak(&t.contract);
        coin(
            code,
            &t.name,
            t.decimals,
            UriScheme::Eip681Token { chain_id, contract },
        )
    });
    native.chain(tokens).collect()
}

/// Coins name themselves with `&'static str` (the built-in ones are literals). A configured
/// coin's words are read once, when the server starts, and live as long as it does.
fn leak(text: &str) -> &'static str {
    Box::leak(text.to_owned().into_boxed_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_has_the_required_coins_and_overrides_confirmations() {
        let mut conf = BTreeMap::new();
        conf.insert("BITCOIN".to_owned(), 6);
        let cat = Catalogue::new(&conf);
        for (code, network) in [
            ("BTC", "BITCOIN"),
            ("LTC", "LITECOIN"),
            ("ETH", "ETHEREUM"),
            ("USDT", "ETHEREUM"),
            ("USDC", "ETHEREUM"),
            ("USDT", "TRON"),
            ("TRX", "TRON"),
        ] {
            assert!(cat.coin(code, network).is_some(), "{code} on {network}");
        }
        assert_eq!(
            cat.coin("btc", "bitcoin").unwrap().confirmations_required,
            6
        );
        assert_eq!(
            cat.coin("USDT", "TRON").unwrap().network_name,
            "Tron (TRC-20)"
        );
        assert_eq!(
            cat.denomination("usd"),
            Some(Denomination::Fiat {
                code: "USD",
                scale: 2
            })
        );
        assert_eq!(
            cat.denomination("USDT"),
            Some(Denomination::Crypto {
                code: "USDT",
                scale: 6
            })
        );
        assert_eq!(cat.denomination("XYZ"), None);
        // Pesos are a fiat price (2 places), and the Coins.ph wallet is paid on a page.
        assert_eq!(
            cat.denomination("php"),
            Some(Denomination::Fiat {
                code: "PHP",
                scale: 2
            })
        );
        let wallet = cat.coin("PHP", COINSPH_NETWORK).unwrap();
        assert!(wallet.paid_on_page() && wallet.decimals == 2);
        assert!(!cat.coin("BTC", "BITCOIN").unwrap().paid_on_page());
        let crypto = cat.only(|c| !c.paid_on_page());
        assert!(crypto.coin("PHP", COINSPH_NETWORK).is_none());
        assert!(crypto.coin("BTC", "BITCOIN").is_some());
    }

    #[test]
    fn on_its_test_network_a_coin_can_be_neither_read_nor_paid_by_a_mainnet_wallet() {
        let cat = Catalogue::new(&Default::default());
        let test = |code: &str, network: &str| cat.coin(code, network).unwrap().on_test_network();
        assert_eq!(
            test("BTC", "BITCOIN").address,
            AddressFormat::Bech32P2wpkh { hrp: "tb" }
        );
        assert_eq!(
            test("LTC", "LITECOIN").address,
            AddressFormat::Bech32P2wpkh { hrp: "tltc" }
        );
        assert_eq!(
            test("ETH", "ETHEREUM").uri,
            UriScheme::Eip681Native {
                chain_id: SEPOLIA_CHAIN_ID
            }
        );
        assert!(matches!(
            test("USDT", "ETHEREUM").uri,
            UriScheme::Eip681Token {
                chain_id: SEPOLIA_CHAIN_ID,
                ..
            }
        ));
        assert_eq!(test("TRX", "TRON"), *cat.coin("TRX", "TRON").unwrap());
    }

    #[test]
    fn configured_chains_join_the_catalogue_and_replace_a_network_of_the_same_name() {
        let text = r#"
[evm.chains.ethereum]
chain_id = 1
rpc_url = "http://127.0.0.1:8545"
name = "Ethereum"
confirmations = 12
xpub = "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8"
native = { code = "ETH", name = "Ether" }
[evm.chains.local]
chain_id = 31337
rpc_url = "http://127.0.0.1:8545"
name = "Local chain"
confirmations = 2
xpub = "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8"
[evm.chains.local.tokens.USDT]
contract = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
decimals = 6
name = "Test Tether"
"#;
        let config: crate::config::Config = toml::from_str(text).unwrap();
        let cat = Catalogue::from_config(&config);
        let eth = cat.coin("ETH", "ETHEREUM").unwrap();
        assert_eq!(eth.confirmations_required, 12);
        assert!(
            cat.coin("USDT", "ETHEREUM").is_none(),
            "not configured on Ethereum"
        );
        assert!(cat.coin("BTC", "BITCOIN").is_some());
        let usdt = cat.coin("usdt", "local").unwrap();
        assert_eq!((usdt.decimals, usdt.network_name), (6, "Local chain"));
        assert_eq!(
            usdt.uri,
            UriScheme::Eip681Token {
                chain_id: 31337,
                contract: "0x5FbDB2315678afecb367f032d93F642f64180aa3"
            }
        );
        assert_eq!(usdt.confirmations_required, 2);
    }
}
