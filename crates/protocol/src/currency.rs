//! A coin on a network, as offered to the payer.

use serde::{Deserialize, Serialize};

/// One choice in the widget's currency list. The same coin on two networks (USDT on TRON and on
/// Ethereum) is two options; sending on the wrong network loses the funds, so the widget always
/// shows `network_name` beside the code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CurrencyOption {
    /// Ticker, e.g. `USDT`.
    pub code: String,
    /// Network identifier, e.g. `TRON`, `ETHEREUM`, `BITCOIN`.
    pub network: String,
    /// Human name of the coin, e.g. `Tether USD`.
    pub name: String,
    /// Human name of the network and its token standard, e.g. `Tron (TRC-20)`.
    pub network_name: String,
    /// Decimal places of the coin's smallest unit.
    pub decimals: u8,
    /// Confirmations the server waits for before it calls a payment final.
    pub confirmations_required: u32,
}

impl CurrencyOption {
    /// True when this option is `code` on `network` (case-insensitive, as payers type them).
    pub fn is(&self, code: &str, network: &str) -> bool {
        self.code.eq_ignore_ascii_case(code) && self.network.eq_ignore_ascii_case(network)
    }
}
