//! What the merchant is told about a change of a checkout. Decided here, from the record before
//! and after a mutation; the store writes the events to its outbox in the transaction that makes
//! the change, and the notifier sends each body byte for byte on every attempt (so the event id
//! and the signed bytes never change between redeliveries).
//!
//! # The rule: the merchant hears everything the payer sees
//!
//! The payer sees five facts of a checkout (the widget's status view and payment panel):
//!
//! | fact the payer sees                                   | event type                    |
//! |-------------------------------------------------------|-------------------------------|
//! | which payment (coin) is on screen                     | `checkout.payment_switched`   |
//! | the amount paid on that payment (`amountPaid`)        | `payment.funds_seen`          |
//! | its confirmations, as shown (capped at the required)  | `payment.confirmed`           |
//! | the checkout's exception (UNDERPAID, OVERPAID, ...)   | `checkout.exception_changed`  |
//! | the checkout's status                                 | `checkout.status_changed`     |
//!
//! Each fact that changed in a version of the checkout is exactly one event, and nothing else
//! is: a version that changes none of them (a provider state renamed, funds on a payment that is
//! not on screen) announces nothing. Precisely:
//!
//! - `checkout.payment_switched`: the payment on screen became another payment (a pick of
//!   another coin, or funds arriving on an earlier payment, which brings it back). A payment
//!   appearing (the first pick) or leaving the screen (its invoice closed by the provider) is
//!   not a switch: it always comes with a change of status, which tells it.
//! - `payment.funds_seen`: the amount paid on the payment on screen changed (the first funds and
//!   every later arrival); `previousAmountPaid` says what it was.
//! - `payment.confirmed`: the confirmations shown for the payment on screen changed, one event
//!   per new count up to the required number (the count is that of the least confirmed
//!   transaction, so a new transaction brings it back to 0: that is a change too);
//!   `confirmations.confirmed` is true on the event that reaches the required number (the
//!   payment is then confirmed, whatever the status says about the amount).
//! - `checkout.exception_changed`: the exception changed (UNDERPAID turning into OVERPAID, one
//!   appearing or clearing), with or without a change of status; `previousException` says what
//!   it was.
//! - `checkout.status_changed`: the status changed (unchanged since the first version of this
//!   module: same fields, same bytes).
//!
//! # Order
//!
//! Every event carries the checkout's `version` after the change. One version can change several
//! facts at once (funds arriving often change the status too): those events share the version
//! and are queued, sent and listed in the order of the table above (the switch first, the status
//! last, so a merchant acting on a status has already been told what led to it). A merchant
//! orders events by (`version`, rank of `type` in that table); deliveries are concurrent and
//! retried, so arrival order alone proves nothing.
//!
//! Status, exception and payment on screen are known for every version (`CheckoutRecord::changes`);
//! the amounts and confirmations of a payment are compared between the record before and after
//! the whole mutation and announced at the last version of the mutation that shows the payment.

use protocol::{Amount, CheckoutStatus, Exception, Money};
use serde::{Deserialize, Deserializer, Serialize};

use super::checkout::{CheckoutChange, CheckoutRecord};
use super::rfc3339;

mod visible;

use visible::{Progress, Shown};

pub const PAYMENT_SWITCHED: &str = "checkout.payment_switched";
pub const FUNDS_SEEN: &str = "payment.funds_seen";
pub const CONFIRMED: &str = "payment.confirmed";
pub const EXCEPTION_CHANGED: &str = "checkout.exception_changed";
pub const STATUS_CHANGED: &str = "checkout.status_changed";

/// Every event type, in the order events of one version are announced.
pub const EVENT_TYPES: [&str; 5] = [
    PAYMENT_SWITCHED,
    FUNDS_SEEN,
    CONFIRMED,
    EXCEPTION_CHANGED,
    STATUS_CHANGED,
];

/// What the merchant receives. Amounts are decimal strings, never floats. The fields after
/// `payment` belong to one type each and are absent from the others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MerchantEvent {
    /// `evt_<32 hex>`: the same on every delivery of this event; de-duplicate on it.
    pub id: String,
    /// One of [`EVENT_TYPES`].
    #[serde(rename = "type")]
    pub event_type: String,
    /// When the change happened (RFC 3339).
    pub created_at: String,
    pub checkout_id: String,
    pub client_order_id: Option<String>,
    pub external_id: Option<String>,
    pub status: CheckoutStatus,
    /// The status before this version (the same on every event of the version): it differs
    /// from `status` only in a version that changed the status, which has its status event.
    pub previous_status: CheckoutStatus,
    pub exception: Option<Exception>,
    /// The checkout's version after the change: orders events of one checkout.
    pub version: u64,
    /// The merchant's price (FIXED_PRICE), if any.
    pub price: Option<Money>,
    /// The payment on screen after the change, if any.
    pub payment: Option<EventPayment>,
    /// `checkout.exception_changed`: the exception before (`null` when there was none).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub previous_exception: Option<Option<Exception>>,
    /// `checkout.payment_switched`: the payment on screen before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_payment_id: Option<String>,
    /// `payment.funds_seen`: the payment's amount paid before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_amount_paid: Option<Amount>,
    /// `payment.confirmed`: the confirmations shown before and now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmations: Option<Confirmations>,
}

/// A field that is present (possibly `null`) is `Some`, so `previousException: null` survives a
/// round trip; an absent one is `None` through `default`.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<Exception>>, D::Error> {
    Option::<Exception>::deserialize(d).map(Some)
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

/// The confirmations of the payment on screen, as the payer sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Confirmations {
    pub previous: u32,
    pub count: u32,
    pub required: u32,
    /// `count` reached `required`: the payment is confirmed.
    pub confirmed: bool,
}

/// An event and when its change happened: the outbox schedules the first attempt then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announcement {
    pub at_ms: i64,
    pub event: MerchantEvent,
}

/// A fresh event id. Random, so it reveals nothing and cannot be guessed.
pub fn new_event_id() -> String {
    format!("evt_{}", uuid::Uuid::new_v4().simple())
}

/// The events a mutation announces, oldest first (see the module's rule): one per fact the
/// payer sees that changed since `before` (`None` for a checkout being created). `next_id`
/// names each event; callers pass [`new_event_id`], tests a counter.
///
/// A checkout a payer opened from a reusable widget key is announced only once it has a
/// payment (the payer picked a coin): every visit to a payment link opens a checkout, and a
/// visit that never picks (a look, a reload on another device) would otherwise end as an
/// EXPIRED notification the merchant can do nothing with. Such checkouts still appear in the
/// merchant API's listings, with their status.
pub fn merchant_events(
    before: Option<&CheckoutRecord>,
    after: &CheckoutRecord,
    next_id: &mut dyn FnMut() -> String,
) -> Vec<Announcement> {
    if after.widget_key.is_some() && after.payments.is_empty() {
        return Vec::new();
    }
    let fresh: Vec<&CheckoutChange> = after
        .changes
        .iter()
        .filter(|c| c.version > before.map_or(0, |b| b.version))
        .collect();
    let mut shown = before.map_or_else(Shown::unpicked, Shown::of_record);
    let mut announcements = Vec::new();
    for change in &fresh {
        let now = Shown::of_change(change);
        let progress = Progress::announced_at(before, after, change, &fresh);
        for event_type in visible::changed(&shown, &now, progress.as_ref()) {
            let context = Context {
                record: after,
                change,
                previous: &shown,
                progress: progress.as_ref(),
            };
            announcements.push(Announcement {
                at_ms: change.at_ms,
                event: context.event(event_type, next_id()),
            });
        }
        shown = now;
    }
    announcements
}

/// What one event is built from: the record after the mutation, the change (version) it
/// announces, what was on screen before that version and the progress of the payment on screen.
struct Context<'a> {
    record: &'a CheckoutRecord,
    change: &'a CheckoutChange,
    previous: &'a Shown,
    progress: Option<&'a Progress>,
}

impl Context<'_> {
    fn event(&self, event_type: &'static str, id: String) -> MerchantEvent {
        let (record, change) = (self.record, self.change);
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
        let progress = self.progress;
        MerchantEvent {
            id,
            event_type: event_type.to_owned(),
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
            previous_exception: (event_type == EXCEPTION_CHANGED)
                .then_some(self.previous.exception),
            previous_payment_id: (event_type == PAYMENT_SWITCHED)
                .then(|| self.previous.payment_id.clone())
                .flatten(),
            previous_amount_paid: progress
                .filter(|_| event_type == FUNDS_SEEN)
                .map(|p| p.paid_before),
            confirmations: progress
                .filter(|_| event_type == CONFIRMED)
                .map(Progress::confirmations),
        }
    }
}

#[cfg(test)]
mod tests;
