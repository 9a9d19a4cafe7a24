//! Calypso's wire shapes, as tolerant as its documentation requires: every field optional,
//! unknown fields ignored, amounts read exactly from JSON numbers, ids as numbers or strings.

use crate::providers::decimal;
use protocol::Amount;
use serde::{Deserialize, Serialize};

/// Every call's body: serialized once, signed, sent as those exact bytes.
#[derive(Serialize)]
pub struct Envelope<'a, P: Serialize> {
    pub timestamp: i64,
    pub account: &'a str,
    pub payload: P,
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
    pub currency: Option<String>,
    pub state: Option<String>,
    pub intervention_type: Option<String>,
    pub is_intervention_resolved: Option<bool>,
    #[serde(default, deserialize_with = "decimal::id_text")]
    pub external_id: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// A webhook delivery. Only what routing needs is read; the facts come from re-reading.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    /// The event id: the de-duplication key.
    #[serde(default, deserialize_with = "decimal::id_text")]
    pub id: Option<String>,
    pub event_type: Option<String>,
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
    #[serde(default, deserialize_with = "decimal::amount")]
    pub amount: Option<Amount>,
    pub currency: Option<String>,
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
