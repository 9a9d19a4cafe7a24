//! The two transactions that write a checkout, its payments, its change feed and its merchant
//! events together or not at all: creating one, and the read-modify-write of one.

use rusqlite::{Connection, TransactionBehavior};

use super::{changes, checkouts, inbound, openings, payments};
use crate::domain::checkout::CheckoutRecord;
use crate::store::error::{StoreError, StoreResult};
use crate::store::{InboundEvent, Modify, Mutation};

/// Inserts `checkout` unless its `client_order_id` is taken; then the existing checkout comes
/// back with `false` and nothing is written.
pub fn insert(
    conn: &mut Connection,
    checkout: &CheckoutRecord,
) -> StoreResult<(CheckoutRecord, bool)> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if let Some(key) = &checkout.client_order_id {
        if let Some(id) = checkouts::id_of_client_order(&tx, key)? {
            let record = checkouts::load(&tx, &id)?
                .ok_or_else(|| StoreError::Database(anyhow::anyhow!("checkout vanished")))?;
            return Ok((record, false));
        }
    }
    checkouts::write(&tx, checkout, true)?;
    for p in &checkout.payments {
        payments::write(&tx, p)?;
    }
    changes::write(&tx, None, checkout)?;
    tx.commit()?;
    let mut stored = checkout.clone();
    stored.changes.clear();
    Ok((stored, true))
}

/// Loads checkout `id`, runs `mutation` on it and writes what changed. With `inbound`, the
/// event is recorded first; a duplicate stops everything. An error from `mutation` rolls
/// everything back, the inbound event included (so the provider's retry is processed).
pub fn modify(
    conn: &mut Connection,
    id: &str,
    inbound: Option<&InboundEvent>,
    mutation: Mutation<'_>,
) -> StoreResult<Modify> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if let Some(event) = inbound {
        if !inbound::insert(&tx, event)? {
            return Ok(Modify::DuplicateEvent);
        }
    }
    let Some(mut record) = checkouts::load(&tx, id)? else {
        return Ok(Modify::NotFound);
    };
    let before = record.clone();
    mutation(&mut record)?;
    let changed = record != before;
    if changed {
        checkouts::write(&tx, &record, false)?;
        for p in &record.payments {
            let stored = before.payment(&p.id);
            if stored != Some(p) {
                payments::write(&tx, p)?;
            }
            if stored.is_none() {
                // Its opening is over, in the same transaction (see `store::opening`).
                openings::consume(&tx, &p.id)?;
            }
        }
        changes::write(&tx, Some(&before), &record)?;
    }
    tx.commit()?;
    record.changes.clear();
    Ok(Modify::Applied {
        record: Box::new(record),
        changed,
    })
}

#[cfg(test)]
mod tests {
    use protocol::CheckoutStatus;

    use super::*;
    use crate::domain::error::DomainError;
    use crate::domain::state_machine::Policy;
    use crate::domain::test_fixtures::{checkout, payment, NOW};
    use crate::store::outbox::DeliveryQuery;
    use crate::store::sqlite::test_support::store;
    use crate::store::sqlite::SqliteStore;
    use crate::store::Store;

    fn count(store: &SqliteStore, table: &str) -> u32 {
        store
            .reader()
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    }

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

    fn applied(outcome: Modify) -> (CheckoutRecord, bool) {
        match outcome {
            Modify::Applied { record, changed } => (*record, changed),
            other => panic!("not applied: {other:?}"),
        }
    }

    #[test]
    fn a_taken_client_order_id_returns_the_existing_checkout_and_writes_nothing() {
        let (_dir, store) = store();
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
    }

    #[test]
    fn a_mutation_writes_the_record_its_payments_changes_and_merchant_events_together() {
        let (_dir, store) = store();
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
        assert_eq!(count(&store, "checkout_events"), 1);
        let query = DeliveryQuery {
            limit: 10,
            ..Default::default()
        };
        let queued = store.outbox().deliveries(&query).unwrap();
        assert_eq!(queued.len(), 1);
        assert_eq!((queued[0].version, queued[0].created_at_ms), (2, NOW + 1));
    }

    #[test]
    fn a_mutation_that_changes_nothing_writes_nothing() {
        let (_dir, store) = store();
        store.insert_checkout(&checkout("CCO-1", NOW)).unwrap();
        let (record, changed) = applied(
            store
                .modify_checkout("CCO-1", None, &mut |_| Ok(()))
                .unwrap(),
        );
        assert!(!changed);
        assert_eq!(record, checkout("CCO-1", NOW));
        assert_eq!(count(&store, "checkout_events"), 0);
        assert!(matches!(
            store.modify_checkout("CCO-9", None, &mut pick).unwrap(),
            Modify::NotFound
        ));
    }

    #[test]
    fn a_repeated_inbound_event_is_recognised_inside_the_transaction() {
        let (_dir, store) = store();
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

    #[test]
    fn a_failing_mutation_rolls_back_everything_the_inbound_event_included() {
        let (_dir, store) = store();
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
            assert_eq!(count(&store, table), 0, "{table}");
        }
        // The provider's retry of that event is processed, not taken for a duplicate.
        applied(
            store
                .modify_checkout("CCO-1", Some(&webhook("evt-1")), &mut pick)
                .unwrap(),
        );
    }
}
