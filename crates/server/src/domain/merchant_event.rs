//! What the merchant is told about a change of a checkout. Decided here, from the record before
//! and after a mutation; the store writes the events to its outbox in the transaction that makes
//! the change, and the notifier sends each body byte for byte on every attempt (so the event id
//! and the signed bytes never change between redeliveries).

use protocol::{Amount, CheckoutStatus, Exception, Money};
use serde::{Deserialize, Serialize};

use super::checkout::{CheckoutChange, CheckoutRecord};
use super::rfc3339;

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

/// The events a mutation announces, oldest first: one per change of status made since `before`
/// (`None` for a checkout being created). `next_id` names each event; callers pass
/// [`new_event_id`], tests a counter.
pub fn merchant_events(
    before: Option<&CheckoutRecord>,
    after: &CheckoutRecord,
    next_id: &mut dyn FnMut() -> String,
) -> Vec<Announcement> {
    let known_version = before.map_or(0, |b| b.version);
    after
        .changes
        .iter()
        .filter(|c| c.version > known_version && announces(c))
        .map(|c| Announcement {
            at_ms: c.at_ms,
            event: event(after, c, next_id()),
        })
        .collect()
}

/// Every change of status is announced; a change within one status (more funds, one more
/// confirmation) is not.
fn announces(change: &CheckoutChange) -> bool {
    change.from != change.to
}

/// The event for one change of `record` (the record as it is after the mutation).
fn event(record: &CheckoutRecord, change: &CheckoutChange, id: String) -> MerchantEvent {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::state_machine::{Event, Policy};
    use crate::domain::test_fixtures::{amount, checkout, funds, payment, usd, NOW};

    fn record() -> CheckoutRecord {
        let mut r = checkout("CCO-1", NOW);
        r.client_order_id = Some("order-42".into());
        r
    }

    fn counter() -> impl FnMut() -> String {
        let mut n = 0;
        move || {
            n += 1;
            format!("evt_{n}")
        }
    }

    #[test]
    fn a_new_checkout_announces_nothing() {
        assert!(merchant_events(None, &record(), &mut counter()).is_empty());
    }

    #[test]
    fn every_change_of_status_is_one_event_with_the_payment_as_it_is_after() {
        let before = record();
        let mut after = before.clone();
        let policy = Policy::default();
        after
            .add_payment(payment("PAY-1", "CCO-1"), &policy, NOW + 500)
            .unwrap();
        let report = funds(25_000, 0);
        after
            .record_funds("PAY-1", &report, "CONFIRMING", &policy, NOW + 1_000)
            .unwrap();
        let events: Vec<_> = merchant_events(Some(&before), &after, &mut counter())
            .into_iter()
            .map(|a| a.event)
            .collect();
        let described: Vec<_> = events
            .iter()
            .map(|e| (e.id.as_str(), e.previous_status, e.status, e.version))
            .collect();
        assert_eq!(
            described,
            [
                (
                    "evt_1",
                    CheckoutStatus::New,
                    CheckoutStatus::WaitingPayment,
                    2
                ),
                (
                    "evt_2",
                    CheckoutStatus::WaitingPayment,
                    CheckoutStatus::PendingPayment,
                    3
                ),
            ]
        );
        let first = &events[0];
        assert_eq!(first.event_type, STATUS_CHANGED);
        assert_eq!(first.checkout_id, "CCO-1");
        assert_eq!(first.client_order_id.as_deref(), Some("order-42"));
        assert_eq!(first.price, Some(usd("25.00")));
        assert_eq!(first.created_at, rfc3339(NOW + 500));
        // Built from the record after the mutation: the first event already shows the funds.
        let paid = first.payment.as_ref().unwrap();
        assert_eq!(paid.amount_paid, amount("0.00025000"));
        assert_eq!(paid.fiat, Some(usd("25.00")));
    }

    #[test]
    fn a_change_within_one_status_is_not_announced() {
        let policy = Policy::default();
        let mut before = record();
        before
            .add_payment(payment("PAY-1", "CCO-1"), &policy, NOW)
            .unwrap();
        before
            .record_funds("PAY-1", &funds(25_000, 0), "CONFIRMING", &policy, NOW)
            .unwrap();
        before.changes.clear();
        let mut after = before.clone();
        let changed = after
            .record_funds("PAY-1", &funds(25_000, 0), "MEMPOOL", &policy, NOW + 1)
            .unwrap();
        assert!(changed, "the provider state changed, the status did not");
        assert!(merchant_events(Some(&before), &after, &mut counter()).is_empty());
    }

    #[test]
    fn changes_already_known_before_the_mutation_are_not_announced_again() {
        let policy = Policy::default();
        let mut before = record();
        before
            .add_payment(payment("PAY-1", "CCO-1"), &policy, NOW)
            .unwrap();
        let mut after = before.clone();
        after.apply(&Event::Cancel, &policy, NOW + 1).unwrap();
        let events = merchant_events(Some(&before), &after, &mut counter());
        let described: Vec<_> = events
            .iter()
            .map(|a| (a.at_ms, a.event.status, a.event.version))
            .collect();
        assert_eq!(described, [(NOW + 1, CheckoutStatus::Cancelled, 3)]);
    }

    #[test]
    fn the_wire_format_is_camel_case_with_decimal_strings() {
        let before = record();
        let mut after = before.clone();
        after
            .add_payment(payment("PAY-1", "CCO-1"), &Policy::default(), NOW)
            .unwrap();
        let event = merchant_events(Some(&before), &after, &mut counter())
            .remove(0)
            .event;
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["type"], STATUS_CHANGED);
        assert_eq!(json["previousStatus"], "NEW");
        assert_eq!(json["status"], "WAITING_PAYMENT");
        assert_eq!(json["payment"]["amount"], "0.00025000");
        assert_eq!(json["payment"]["amountPaid"], "0.00000000");
        assert_eq!(json["price"]["amount"], "25.00");
        assert!(new_event_id().starts_with("evt_"));
        assert_eq!(new_event_id().len(), 4 + 32);
    }
}
