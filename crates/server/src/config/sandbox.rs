//! `[sandbox]`: the embedded provider's seed, webhook secret, simulated chain and rates.

use std::collections::BTreeMap;
use std::time::Duration;

use protocol::Amount;
use serde::{Deserialize, Deserializer};

use super::values::{duration, Secret};

/// Fiat per coin: `rates["BTC"]["USD"]`.
pub type Rates = BTreeMap<String, BTreeMap<String, Amount>>;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SandboxConfig {
    /// Addresses are derived from it; the same seed gives the same address for a payment id.
    pub seed: Secret,
    /// Signs the sandbox's webhooks to this server.
    pub webhook_secret: Secret,
    /// Time between simulated blocks; each block adds one confirmation.
    #[serde(deserialize_with = "duration")]
    pub block_interval: Duration,
    /// How long a quoted amount is guaranteed.
    #[serde(deserialize_with = "duration")]
    pub rate_lock: Duration,
    /// Fiat per coin; the configured ones replace the built-in ones, pair by pair.
    #[serde(deserialize_with = "over_default_rates")]
    pub rates: Rates,
    /// Where the sandbox posts its webhooks; defaults to this server's own endpoint.
    pub webhook_url: Option<String>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            seed: Secret::new("sandbox-demo-seed"),
            webhook_secret: Secret::new("whsec_sandbox_demo_change_me"),
            block_interval: Duration::from_secs(2),
            rate_lock: Duration::from_secs(15 * 60),
            rates: default_rates(),
            webhook_url: None,
        }
    }
}

fn default_rates() -> Rates {
    let table: [(&str, &str, &str); 6] = [
        ("BTC", "60000.00", "55000.00"),
        ("LTC", "80.00", "74.00"),
        ("ETH", "3000.00", "2760.00"),
        ("USDT", "1.0000", "0.9200"),
        ("USDC", "1.0000", "0.9200"),
        ("TRX", "0.120000", "0.110000"),
    ];
    table
        .into_iter()
        .map(|(coin, usd, eur)| {
            let per_fiat = [("USD", usd), ("EUR", eur)]
                .into_iter()
                .map(|(f, r)| (f.to_owned(), Amount::parse(r).expect("built-in rate")))
                .collect();
            (coin.to_owned(), per_fiat)
        })
        .collect()
}

/// The built-in rates with the written ones laid over them (codes in any case).
fn over_default_rates<'de, D: Deserializer<'de>>(d: D) -> Result<Rates, D::Error> {
    let mut rates = default_rates();
    for (coin, per_fiat) in Rates::deserialize(d)? {
        let entry = rates.entry(coin.to_ascii_uppercase()).or_default();
        for (fiat, rate) in per_fiat {
            entry.insert(fiat.to_ascii_uppercase(), rate);
        }
    }
    Ok(rates)
}
