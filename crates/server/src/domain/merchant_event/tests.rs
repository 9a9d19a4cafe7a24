use super::*;
use crate::domain::state_machine::{Event, Funds, Policy};
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

/// `record()` with PAY-1 (0.00025000 BTC, one confirmation required) picked at `NOW`, as
/// stored: no pending changes.
fn picked() -> CheckoutRecord {
    let mut r = record();
    r.add_payment(payment("PAY-1", "CCO-1"), &Policy::default(), NOW)
        .unwrap();
    r.changes.clear();
    r
}

/// Funds of `seen` units, `confirmed` of them with one confirmation.
fn report(seen: u128, confirmed: u128) -> Funds {
    funds(seen, confirmed)
}

/// `before` after `mutation`, as the store would hand both to `merchant_events`.
fn events_of(
    before: &CheckoutRecord,
    mutation: impl FnOnce(&mut CheckoutRecord),
) -> Vec<MerchantEvent> {
    let mut after = before.clone();
    mutation(&mut after);
    merchant_events(Some(before), &after, &mut counter())
        .into_iter()
        .map(|a| a.event)
        .collect()
}

fn funds_arrive(seen: u128, confirmed: u128) -> impl FnOnce(&mut CheckoutRecord) {
    move |r| {
        r.record_funds(
            "PAY-1",
            &report(seen, confirmed),
            "PAID",
            &Policy::default(),
            NOW + 1_000,
        )
        .unwrap();
    }
}

fn described(events: &[MerchantEvent]) -> Vec<(&str, u64)> {
    events
        .iter()
        .map(|e| (e.event_type.as_str(), e.version))
        .collect()
}

#[test]
fn a_new_checkout_announces_nothing() {
    assert!(merchant_events(None, &record(), &mut counter()).is_empty());
}

#[test]
fn a_payment_link_visit_that_never_picks_is_never_announced_one_that_picks_is() {
    let mut visit = record();
    visit.widget_key = Some("3f0c2a9e-1b7d-4e5f-8a6b-9c0d1e2f3a4b".into());
    let expired = events_of(&visit, |r| {
        r.apply(
            &Event::Expire { now_ms: i64::MAX },
            &Policy::default(),
            NOW + 1,
        )
        .unwrap();
    });
    assert!(expired.is_empty(), "{expired:?}");
    let cancelled = events_of(&visit, |r| {
        r.apply(&Event::Cancel, &Policy::default(), NOW + 1)
            .unwrap();
    });
    assert!(cancelled.is_empty(), "{cancelled:?}");

    let picked = events_of(&visit, |r| {
        r.add_payment(payment("PAY-1", "CCO-1"), &Policy::default(), NOW + 500)
            .unwrap();
    });
    assert_eq!(described(&picked), [(STATUS_CHANGED, 2)]);
    // A checkout the merchant created is announced whether or not a coin was picked.
    let direct = events_of(&record(), |r| {
        r.apply(
            &Event::Expire { now_ms: i64::MAX },
            &Policy::default(),
            NOW + 1,
        )
        .unwrap();
    });
    assert_eq!(described(&direct), [(STATUS_CHANGED, 2)]);
}

#[test]
fn the_first_pick_is_a_status_change_and_not_a_switch() {
    let events = events_of(&record(), |r| {
        r.add_payment(payment("PAY-1", "CCO-1"), &Policy::default(), NOW + 500)
            .unwrap();
    });
    assert_eq!(described(&events), [(STATUS_CHANGED, 2)]);
    let first = &events[0];
    assert_eq!(first.id, "evt_1");
    assert_eq!(
        (first.previous_status, first.status),
        (CheckoutStatus::New, CheckoutStatus::WaitingPayment)
    );
    assert_eq!(first.checkout_id, "CCO-1");
    assert_eq!(first.client_order_id.as_deref(), Some("order-42"));
    assert_eq!(first.price, Some(usd("25.00")));
    assert_eq!(first.created_at, rfc3339(NOW + 500));
    assert_eq!(first.payment.as_ref().unwrap().fiat, Some(usd("25.00")));
}

#[test]
fn funds_first_seen_are_announced_before_the_status_they_change_with_the_same_version() {
    let events = events_of(&picked(), funds_arrive(10_000, 0));
    assert_eq!(described(&events), [(FUNDS_SEEN, 3), (STATUS_CHANGED, 3)]);
    let seen = &events[0];
    assert_eq!(seen.previous_amount_paid, Some(amount("0.00000000")));
    let paid = seen.payment.as_ref().unwrap();
    assert_eq!(paid.amount_paid, amount("0.00010000"));
    assert_eq!(seen.status, CheckoutStatus::PendingPayment);
    assert_eq!(seen.previous_status, CheckoutStatus::WaitingPayment);
    assert_eq!((seen.confirmations, seen.previous_exception), (None, None));
    assert_eq!(events[1].previous_amount_paid, None, "one type, one field");
}

#[test]
fn a_confirmation_is_one_event_and_the_underpayment_it_reveals_another() {
    let mut before = picked();
    funds_arrive(10_000, 0)(&mut before);
    before.changes.clear();
    let events = events_of(&before, funds_arrive(10_000, 10_000));
    assert_eq!(
        described(&events),
        [(CONFIRMED, 4), (EXCEPTION_CHANGED, 4), (STATUS_CHANGED, 4)]
    );
    let confirmed = &events[0];
    assert_eq!(
        confirmed.confirmations,
        Some(Confirmations {
            previous: 0,
            count: 1,
            required: 1,
            confirmed: true
        })
    );
    let exception = &events[1];
    assert_eq!(exception.previous_exception, Some(None));
    assert_eq!(exception.exception, Some(Exception::Underpaid));
    assert_eq!(events[2].status, CheckoutStatus::Conflict);
}

#[test]
fn an_underpayment_turning_into_an_overpayment_is_an_exception_change_without_a_status_change() {
    let mut before = picked();
    funds_arrive(10_000, 10_000)(&mut before);
    before.changes.clear();
    assert_eq!(before.state.exception, Some(Exception::Underpaid));
    let events = events_of(&before, funds_arrive(30_000, 30_000));
    assert_eq!(
        described(&events),
        [(FUNDS_SEEN, 4), (EXCEPTION_CHANGED, 4)]
    );
    assert_eq!(events[0].previous_amount_paid, Some(amount("0.00010000")));
    let exception = &events[1];
    assert_eq!(
        (exception.previous_exception, exception.exception),
        (Some(Some(Exception::Underpaid)), Some(Exception::Overpaid))
    );
    assert_eq!(exception.status, exception.previous_status);
}

#[test]
fn picking_another_coin_is_a_switch_that_names_the_payment_left() {
    let events = events_of(&picked(), |r| {
        let mut ltc = payment("PAY-2", "CCO-1");
        ltc.currency = "LTC".into();
        ltc.network = "LITECOIN".into();
        r.add_payment(ltc, &Policy::default(), NOW + 2).unwrap();
    });
    assert_eq!(described(&events), [(PAYMENT_SWITCHED, 3)]);
    let switched = &events[0];
    assert_eq!(switched.previous_payment_id.as_deref(), Some("PAY-1"));
    assert_eq!(switched.payment.as_ref().unwrap().currency, "LTC");
    assert_eq!(switched.status, CheckoutStatus::WaitingPayment);
}

#[test]
fn nothing_the_payer_sees_changed_means_no_event() {
    let mut before = picked();
    funds_arrive(25_000, 0)(&mut before);
    before.changes.clear();
    let mut after = before.clone();
    let changed = after
        .record_funds(
            "PAY-1",
            &report(25_000, 0),
            "MEMPOOL",
            &Policy::default(),
            NOW + 5,
        )
        .unwrap();
    assert!(
        !changed,
        "the provider state changed, nothing the payer sees did: no new version"
    );
    assert_eq!(after.version, before.version);
    assert_eq!(after.payments[0].provider_state, "MEMPOOL");
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
fn a_status_change_keeps_exactly_the_fields_it_always_had() {
    let events = events_of(&record(), |r| {
        r.add_payment(payment("PAY-1", "CCO-1"), &Policy::default(), NOW)
            .unwrap();
    });
    let json = serde_json::to_value(&events[0]).unwrap();
    let mut keys: Vec<_> = json.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "checkoutId",
            "clientOrderId",
            "createdAt",
            "exception",
            "externalId",
            "id",
            "payment",
            "previousStatus",
            "price",
            "status",
            "type",
            "version"
        ]
    );
    assert_eq!(json["type"], STATUS_CHANGED);
    assert_eq!(json["previousStatus"], "NEW");
    assert_eq!(json["payment"]["amount"], "0.00025000");
    assert_eq!(json["payment"]["amountPaid"], "0.00000000");
    assert_eq!(json["price"]["amount"], "25.00");
    assert!(new_event_id().starts_with("evt_"));
    assert_eq!(new_event_id().len(), 4 + 32);
}

#[test]
fn every_type_goes_over_the_wire_with_its_own_field_and_comes_back_the_same() {
    let mut before = picked();
    funds_arrive(10_000, 0)(&mut before);
    before.changes.clear();
    let events = events_of(&before, funds_arrive(10_000, 10_000));
    let wire: Vec<serde_json::Value> = events
        .iter()
        .map(|e| serde_json::to_value(e).unwrap())
        .collect();
    assert_eq!(
        wire[0]["confirmations"],
        serde_json::json!({"previous": 0, "count": 1, "required": 1, "confirmed": true})
    );
    assert!(wire[1]["previousException"].is_null());
    assert!(wire[1]
        .as_object()
        .unwrap()
        .contains_key("previousException"));
    for (event, json) in events.iter().zip(&wire) {
        let back: MerchantEvent = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(&back, event);
    }
    let seen = events_of(&picked(), funds_arrive(10_000, 0));
    let json = serde_json::to_value(&seen[0]).unwrap();
    assert_eq!(json["previousAmountPaid"], "0.00000000", "a decimal string");
}

#[test]
fn the_order_of_types_within_a_version_is_the_documented_one() {
    assert_eq!(
        EVENT_TYPES,
        [
            "checkout.payment_switched",
            "payment.funds_seen",
            "payment.confirmed",
            "checkout.exception_changed",
            "checkout.status_changed"
        ]
    );
}
