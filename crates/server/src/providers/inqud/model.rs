//! Inqud's wire shapes: a checkout with at most one request (the payer's coin and network),
//! with at most one payment. Amounts are JSON numbers, read exactly; every field optional.

use protocol::Amount;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::providers::decimal;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewCheckout<'a> {
    pub client_order_id: &'a str,
    pub expires_at: String,
    pub name: &'a str,
    /// The checkout's own `returnUrl`, when the merchant gave one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_url: Option<&'a str>,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub fixed_amount: FixedAmount,
}

/// The price as Inqud converts it: a fiat ISO code, or a coin's plain code (`USDT`), never a
/// mapped request code such as `TRON_USDT`.
#[derive(Serialize)]
pub struct FixedAmount {
    pub amount: Box<RawValue>,
    pub currency: String,
}

/// The payer's choice, sent for the checkout (path and body not in the public summary): the
/// configured currency code and the network.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct NewRequest {
    pub currency: String,
    pub blockchain: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Checkout {
    pub id: Option<String>,
    pub status: Option<String>,
    pub client_order_id: Option<String>,
    pub request: Option<Request>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Request {
    pub address: Option<String>,
    pub currency: Option<String>,
    pub blockchain: Option<String>,
    pub status: Option<String>,
    #[serde(default, deserialize_with = "decimal::amount")]
    pub pay_amount: Option<Amount>,
    #[serde(default, deserialize_with = "decimal::amount")]
    pub paid_amount: Option<Amount>,
    /// A flag or an amount: its type is not shown publicly, so both are accepted (read as
    /// raw text, never through a float).
    pub overpaid: Option<Box<RawValue>>,
    pub payment: Option<Payment>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Payment {
    pub status: Option<String>,
}

impl Request {
    pub fn is_overpaid(&self) -> bool {
        let Some(raw) = &self.overpaid else {
            return false;
        };
        let text = raw.get().trim_matches('"');
        match text {
            "true" => true,
            "false" | "null" | "" => false,
            number => decimal::parse_exact(number).is_ok_and(|a| !a.is_zero()),
        }
    }
}
