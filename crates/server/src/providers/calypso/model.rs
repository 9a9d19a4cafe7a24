//! Calypso's wire shapes, as tolerant as its documentation requires: every field optional,
//! unknown fields ignored, amounts read exactly from JSON numbers, ids as numbers or strings.

use protocol::Amount;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::providers::decimal;

/// Every call's body: serialized once, signed, sent as those exact bytes.
#[derive(Serialize)]
pub struct Envelope<'a, P: Serialize> {
    pub timestamp: i64,
    pub account: &'a str,
    pub payload: P,
}

/// SINGLE and SINGLE_FIAT invoices' payload, in the invoice's own field names: the crypto
/// amount is `amount` (SINGLE), the fiat price `fiatAmount` + `fiatCurrency` (SINGLE_FIAT, no
/// `amount`: Calypso converts and answers with it).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateSingle<'a> {
    pub currency: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<Box<RawValue>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fiat_amount: Option<Box<RawValue>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fiat_currency: Option<&'a str>,
    pub description: &'a str,
    pub idempotency_key: String,
    pub external_id: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ByKey<'a> {
    pub idempotency_key: &'a str,
}

#[derive(Serialize)]
pub struct ById<'a> {
    pub id: &'a str,
}

/// A reusable payer link (`…/pay?widgetKey={idempotencyKey}`) for a set of coins.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewLinkedWidget {
    pub crypto_currencies: Vec<String>,
    pub description: String,
    pub idempotency_key: String,
    pub external_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub support_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
}

/// An invoice as `POST /api/v1/invoice` (and the create calls) return it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Invoice {
    #[serde(default, deserialize_with = "decimal::id_text")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "decimal::id_text")]
    pub idempotency_key: Option<String>,
    pub invoice_address: Option<String>,
    #[serde(default, deserialize_with = "decimal::amount")]
    pub amount: Option<Amount>,
    #[serde(default, deserialize_with = "decimal::amount")]
    pub total_debit_amount: Option<Amount>,
    /// SINGLE_FIAT: the fiat price the invoice was opened for.
    #[serde(default, deserialize_with = "decimal::amount")]
    pub fiat_amount: Option<Amount>,
    pub fiat_currency: Option<String>,
    pub currency: Option<String>,
    pub state: Option<String>,
    pub intervention_type: Option<String>,
    pub is_intervention_resolved: Option<bool>,
    #[serde(default, deserialize_with = "decimal::id_text")]
    pub external_id: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// A webhook delivery. Only what routing needs is read (the event id and the invoice's key);
/// the facts come from re-reading, so nothing else in the body can make a valid delivery fail.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    /// The event id: the de-duplication key.
    #[serde(default, deserialize_with = "decimal::id_text")]
    pub id: Option<String>,
    pub data: Option<NotificationData>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationData {
    /// A number in one documented example and a UUID string in another.
    #[serde(default, deserialize_with = "decimal::id_text")]
    pub parent_external_id: Option<String>,
    #[serde(default, deserialize_with = "decimal::id_text")]
    pub idempotency_key: Option<String>,
}

/// The unlimited linked widget as `…/unlimited-linked/find` returns it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkedWidget {
    #[serde(default, deserialize_with = "decimal::id_text")]
    pub idempotency_key: Option<String>,
    pub state: Option<String>,
    #[serde(default)]
    pub invoices: Vec<Invoice>,
}

/// `subscription/webhook/create`: our webhook URL for every invoice event.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewSubscription<'a> {
    pub url: &'a str,
    pub notification_service_types: [&'static str; 1],
}

/// The subscription as created: its own key pair, which signs the webhooks sent to it. The
/// public text names the keys without showing the answer's field names: `publicKey` /
/// `secretKey` are assumed (snake case read too), and an answer without both is refused.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    #[serde(default, deserialize_with = "decimal::id_text")]
    pub id: Option<String>,
    #[serde(alias = "public_key")]
    pub public_key: Option<String>,
    #[serde(alias = "secret_key")]
    pub secret_key: Option<String>,
}
