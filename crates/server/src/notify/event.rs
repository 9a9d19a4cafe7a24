//! The body of a merchant notification, built from the checkout inside the transaction that
//! changed it, stored once in the outbox and sent byte for byte on every attempt: the event id
//! and the signed bytes never change between redeliveries.

use protocol::{Amount, CheckoutStatus, Exception, Money};
use serde::{Deserialize, Serialize};

use crate::domain::checkout::{CheckoutChange, CheckoutRecord};
use crate::domain::rfc3339;

/// The one event type so far.
pub const STATUS_CHANGED: &str = "checkout.status_changed";

/// What the merchant receives. Amounts are decimal strings, never floats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MerchantEvent {
    /// `evt_<32 hex>`: the same on every delivery of this event; de-duplicate on it.
    pub id: String,
    #[serde(rename = "type")]
    pub event_type: String,
    /// When the change happened (RFC 3339).
    pub created_at: String,
    pub checkout_id: String,
    pub client_order_id: Option<String>,
    pub external_id: Option<String>,
    pub status: CheckoutStatus,
    pub previous_status: CheckoutStatus,
    pub exception: Option<Exception>,
    /// The checkout's version after the change: orders events of one checkout.
    pub version: u64,
    /// The merchant's price (FIXED_PRICE), if any.
    pub price: Option<Money>,
    pub payment: Option<EventPayment>,
}

/// The active payment at the time of the change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EventPayment {
    pub id: String,
    pub currency: String,
    pub network: String,
    pub amount: Amount,
    pub amount_paid: Amount,
    /// The fiat price the coin amount was converted from, if any.
    pub fiat: Option<Money>,
}

/// A fresh event id. Random, so it reveals nothing and cannot be guessed.
pub fn new_event_id() -> String {
    format!("evt_{}", uuid::Uuid::new_v4().simple())
}

/// Whether a change is announced to the merchant: every change of status.
pub fn announces(change: &CheckoutChange) -> bool {
    change.from != change.to
}

/// The event for one change of `record` (the record as it is after the transaction's mutation).
pub fn build(record: &CheckoutRecord, change: &CheckoutChange, id: String) -> MerchantEvent {
    let payment = change
        .payment_id
        .as_deref()
        .and_then(|pid| record.payment(pid))
        .map(|p| EventPayment {
            id: p.id.clone(),
            currency: p.currency.clone(),
            network: p.network.clone(),
            amount: p.amount,
            amount_paid: p.paid(),
            fiat: p.fiat.clone(),
        });
    MerchantEvent {
        id,
        event_type: STATUS_CHANGED.to_owned(),
        created_at: rfc3339(change.at_ms),
        checkout_id: record.id.clone(),
        client_order_id: record.client_order_id.clone(),
        external_id: record.external_id.clone(),
        status: change.to,
        previous_status: change.from,
        exception: change.exception,
        version: change.version,
        price: record.spec.price.clone(),
        payment,
    }
}
