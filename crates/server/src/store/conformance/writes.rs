//! Creating a checkout and the read-modify-write of one: all or nothing, duplicates noticed.

use protocol::CheckoutStatus;

use super::Harness;
use crate::domain::checkout::CheckoutRecord;
use crate::domain::error::DomainError;
use crate::domain::state_machine::Policy;
use crate::domain::test_fixtures::{checkout, funds, payment, NOW};
use crate::store::outbox::DeliveryQuery;
use crate::store::{InboundEvent, Modify};

fn webhook(event_id: &str) -> InboundEvent {
    InboundEvent {
        provider: "sandbox".into(),
        event_id: event_id.into(),
        payment_ref: Some("sbx_inv_PAY-1".into()),
        body: "{}".into(),
        received_at_ms: NOW,
    }
}

fn pick(record: &mut CheckoutRecord) -> Result<(), DomainError> {
    record
        .add_payment(payment("PAY-1", &record.id), &Policy::default(), NOW + 1)
        .map_err(|e| DomainError::invalid("currency", e))
}

pub fn applied(outcome: Modify) -> (CheckoutRecord, bool) {
    match outcome {
        Modify::Applied { record, changed } => (*record, changed),
        other => panic!("not applied: {other:?}"),
    }
}

fn every_delivery() -> DeliveryQuery {
    DeliveryQuery {
        limit: 100,
        ..Default::default()
    }
}

pub fn a_taken_client_order_id_returns_the_existing_checkout_and_writes_nothing(t: &dyn Harness) {
    let store = t.store();
    let mut first = checkout("CCO-1", NOW);
    first.client_order_id = Some("order-1".into());
    assert_eq!(
        store.insert_checkout(&first).unwrap(),
        (first.clone(), true)
    );
    let mut again = checkout("CCO-2", NOW + 1);
    again.client_order_id = Some("order-1".into());
    assert_eq!(store.insert_checkout(&again).unwrap(), (first, false));
    assert_eq!(store.checkout("CCO-2").unwrap(), None);
    // Without a client order id nothing is compared.
    assert!(store.insert_checkout(&checkout("CCO-3", NOW)).unwrap().1);
    assert_eq!(t.count("checkouts"), 2);
}

pub fn a_mutation_writes_the_record_its_payments_changes_and_merchant_events_together(
    t: &dyn Harness,
) {
    let store = t.store();
    store.insert_checkout(&checkout("CCO-1", NOW)).unwrap();
    let (record, changed) = applied(store.modify_checkout("CCO-1", None, &mut pick).unwrap());
    assert!(changed);
    assert!(record.changes.is_empty(), "written changes are cleared");
    assert_eq!(record.status(), CheckoutStatus::WaitingPayment);
    assert_eq!(store.checkout("CCO-1").unwrap(), Some(record));
    assert_eq!(
        store
            .payment_by_ref("sandbox", "sbx_inv_PAY-1")
            .unwrap()
            .map(|p| (p.checkout_id, p.id)),
        Some(("CCO-1".into(), "PAY-1".into()))
    );
    assert_eq!(
        store.payment_by_ref("calypso", "sbx_inv_PAY-1").unwrap(),
        None
    );
    assert_eq!(
        store.checkout_of_payment("PAY-1").unwrap().as_deref(),
        Some("CCO-1")
    );
    assert_eq!(store.checkout_of_payment("PAY-9").unwrap(), None);
    assert_eq!(t.count("checkout_events"), 1);
    let queued = store.outbox().deliveries(&every_delivery()).unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!((queued[0].version, queued[0].created_at_ms), (2, NOW + 1));
}

pub fn a_mutation_that_changes_nothing_writes_nothing(t: &dyn Harness) {
    let store = t.store();
    store.insert_checkout(&checkout("CCO-1", NOW)).unwrap();
    let (record, changed) = applied(
        store
            .modify_checkout("CCO-1", None, &mut |_| Ok(()))
            .unwrap(),
    );
    assert!(!changed);
    assert_eq!(record, checkout("CCO-1", NOW));
    assert_eq!(t.count("checkout_events"), 0);
    assert!(matches!(
        store.modify_checkout("CCO-9", None, &mut pick).unwrap(),
        Modify::NotFound
    ));
}

pub fn a_repeated_inbound_event_is_recognised_inside_the_transaction(t: &dyn Harness) {
    let store = t.store();
    store.insert_checkout(&checkout("CCO-1", NOW)).unwrap();
    let event = webhook("evt-1");
    applied(
        store
            .modify_checkout("CCO-1", Some(&event), &mut pick)
            .unwrap(),
    );
    assert!(store.inbound_event_seen("sandbox", "evt-1").unwrap());
    let mut ran = false;
    let outcome = store
        .modify_checkout("CCO-1", Some(&event), &mut |_| {
            ran = true;
            Ok(())
        })
        .unwrap();
    assert!(matches!(outcome, Modify::DuplicateEvent));
    assert!(!ran, "the mutation of a duplicate does not run");
}

pub fn a_failing_mutation_rolls_back_everything_the_inbound_event_included(t: &dyn Harness) {
    let store = t.store();
    store.insert_checkout(&checkout("CCO-1", NOW)).unwrap();
    let failing = &mut |r: &mut CheckoutRecord| {
        pick(r)?;
        Err(DomainError::invalid("status", "refused after the changes"))
    };
    let err = store
        .modify_checkout("CCO-1", Some(&webhook("evt-1")), failing)
        .unwrap_err();
    assert!(format!("{err:?}").contains("refused after the changes"));
    assert_eq!(
        store.checkout("CCO-1").unwrap(),
        Some(checkout("CCO-1", NOW))
    );
    assert!(!store.inbound_event_seen("sandbox", "evt-1").unwrap());
    for table in ["payments", "checkout_events", "merchant_outbox"] {
        assert_eq!(t.count(table), 0, "{table}");
    }
    // The provider's retry of that event is processed, not taken for a duplicate.
    applied(
        store
            .modify_checkout("CCO-1", Some(&webhook("evt-1")), &mut pick)
            .unwrap(),
    );
}

pub fn several_facts_changed_in_one_version_are_several_events_in_their_order(t: &dyn Harness) {
    let store = t.store();
    let mut created = checkout("CCO-1", NOW);
    created
        .add_payment(payment("PAY-1", "CCO-1"), &Policy::default(), NOW)
        .unwrap();
    store.insert_checkout(&created).unwrap();
    applied(
        store
            .modify_checkout("CCO-1", None, &mut |r| {
                r.record_funds(
                    "PAY-1",
                    &funds(10_000, 0),
                    "PAID",
                    &Policy::default(),
                    NOW + 1,
                )
                .map(|_| ())
                .map_err(|e| DomainError::invalid("funds", e))
            })
            .unwrap(),
    );
    let mut rows: Vec<(u64, String)> = store
        .outbox()
        .deliveries(&every_delivery())
        .unwrap()
        .into_iter()
        .map(|d| (d.version, d.event_type))
        .collect();
    rows.reverse();
    assert_eq!(
        rows,
        [
            (2, "checkout.status_changed".to_owned()),
            (3, "payment.funds_seen".to_owned()),
            (3, "checkout.status_changed".to_owned())
        ]
    );
}

pub fn a_checkout_reads_back_as_written_with_its_payments_oldest_first(t: &dyn Harness) {
    let store = t.store();
    let mut r = checkout("CCO-1", NOW);
    r.client_order_id = Some("order-1".into());
    r.external_id = Some("ext-1".into());
    r.widget_key = Some("wgt_1".into());
    // Two payments of the same millisecond keep the order they were stored in.
    for id in ["PAY-2", "PAY-1"] {
        let mut p = payment(id, "CCO-1");
        p.provider_ref = format!("ref-{id}");
        r.payments.push(p);
    }
    store.insert_checkout(&r).unwrap();
    r.changes.clear();
    assert_eq!(store.checkout("CCO-1").unwrap(), Some(r.clone()));
    assert_eq!(store.checkout("CCO-2").unwrap(), None);

    let mut updated = r.payments[1].clone();
    updated.funds = funds(25_000, 25_000);
    updated.provider_state = "CONFIRMED".into();
    let (after, _) = applied(
        store
            .modify_checkout("CCO-1", None, &mut |rec| {
                rec.state.funds_seen = true;
                rec.version += 1;
                rec.payments[1] = updated.clone();
                Ok(())
            })
            .unwrap(),
    );
    assert_eq!(store.checkout("CCO-1").unwrap(), Some(after.clone()));
    assert_eq!(after.payment("PAY-1"), Some(&updated));
    assert_eq!(after.payments[0].id, "PAY-2");
}
