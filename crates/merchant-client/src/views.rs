//! What the merchant API answers, read with the wire types the widget shares
//! (`protocol::CheckoutView`, `protocol::PaymentView`) plus the merchant-only fields.

use protocol::{Amount, CheckoutType, Money};
use serde::Deserialize;
use serde_json::Value;

/// A checkout as its merchant sees it: the public view, its keys and every payment (the
/// server's own type, from protocol).
pub use protocol::merchant::MerchantCheckoutView as MerchantCheckout;
/// One payment, with which provider holds it and in what state.
pub use protocol::merchant::MerchantPaymentView as MerchantPayment;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutPage {
    pub items: Vec<MerchantCheckout>,
    /// Absent on the last page.
    pub next_cursor: Option<String>,
}

/// A reusable widget key and every checkout opened from it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Widget {
    /// What `<app-widget widget-key="…">` takes.
    pub key: String,
    pub idempotency_key: String,
    pub external_id: Option<String>,
    #[serde(rename = "type")]
    pub checkout_type: CheckoutType,
    pub name: String,
    pub description: Option<String>,
    pub price: Option<Money>,
    pub amount_currency: Option<String>,
    pub min_amount: Option<Amount>,
    pub max_amount: Option<Amount>,
    pub suggested_amounts: Vec<Amount>,
    /// `{code, network}` each.
    pub currencies: Vec<Value>,
    pub return_url: Option<String>,
    pub support_url: Option<String>,
    pub logo_url: Option<String>,
    pub created_at: String,
    /// Oldest first.
    pub checkouts: Vec<MerchantCheckout>,
}

/// A simulated transaction the sandbox put into its mempool.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SandboxTransaction {
    pub txid: String,
    pub payment_id: String,
    pub amount: Amount,
    pub confirmations: u32,
    pub confirmations_required: u32,
}

/// One notification to the merchant's endpoint and where its delivery stands.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    pub event_id: String,
    #[serde(rename = "type")]
    pub event_type: String,
    pub checkout_id: String,
    pub version: u64,
    /// PENDING, DELIVERED or FAILED.
    pub state: String,
    pub attempts: u32,
    pub next_attempt_at: Option<String>,
    pub delivered_at: Option<String>,
    pub created_at: String,
    /// The notification exactly as it is sent.
    pub payload: Value,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryDetail {
    #[serde(flatten)]
    pub delivery: Delivery,
    /// Oldest first.
    pub attempt_log: Vec<Attempt>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attempt {
    pub at: String,
    pub duration_ms: i64,
    pub http_status: Option<u16>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryPage {
    pub items: Vec<Delivery>,
    pub next_cursor: Option<String>,
}
