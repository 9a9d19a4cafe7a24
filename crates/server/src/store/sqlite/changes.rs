//! The change feed of a checkout (`checkout_events`) and the merchant events it announces,
//! written in the transaction that makes the change. Which events a change announces is the
//! domain's decision (`domain::merchant_event`); they are queued in the order it returns them.

use rusqlite::{params, Connection};

use super::outbox;
use crate::domain::checkout::CheckoutRecord;
use crate::domain::merchant_event::{merchant_events, new_event_id};

/// Writes the changes `after` made since `before` (`None` while creating the checkout) and
/// queues what they announce to the merchant.
pub fn write(
    conn: &Connection,
    before: Option<&CheckoutRecord>,
    after: &CheckoutRecord,
) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO checkout_events (checkout_id, version, from_status, to_status, exception, \
         payment_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for c in &after.changes {
        stmt.execute(params![
            after.id,
            c.version as i64,
            c.from.as_str(),
            c.to.as_str(),
            c.exception.map(|e| e.as_str()),
            c.payment_id,
            c.at_ms,
        ])?;
    }
    outbox::queue(conn, &merchant_events(before, after, &mut new_event_id))
}

#[cfg(test)]
mod tests {
    use protocol::CheckoutStatus;

    use super::*;
    use crate::domain::merchant_event::MerchantEvent;
    use crate::domain::state_machine::Policy;
    use crate::domain::test_fixtures::{checkout, funds, payment, NOW};
    use crate::store::sqlite::checkouts;
    use crate::store::sqlite::test_support::migrated;

    #[test]
    fn every_change_is_fed_and_every_change_of_status_is_queued_for_the_merchant() {
        let conn = migrated();
        let before = checkout("CCO-1", NOW);
        checkouts::write(&conn, &before, true).unwrap();
        let mut after = before.clone();
        let policy = Policy::default();
        after
            .add_payment(payment("PAY-1", "CCO-1"), &policy, NOW + 1)
            .unwrap();
        // Same status, another provider state: recorded on the payment, no version of its own.
        after
            .record_funds("PAY-1", &funds(0, 0), "SEEN", &policy, NOW + 2)
            .unwrap();
        write(&conn, Some(&before), &after).unwrap();

        let fed: u32 = conn
            .query_row("SELECT count(*) FROM checkout_events", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fed, 1);
        let (version, body): (i64, String) = conn
            .query_row("SELECT version, body FROM merchant_outbox", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        let event: MerchantEvent = serde_json::from_str(&body).unwrap();
        assert_eq!(version, 2);
        assert_eq!(
            (event.previous_status, event.status),
            (CheckoutStatus::New, CheckoutStatus::WaitingPayment)
        );
        assert!(event.id.starts_with("evt_"));
    }

    #[test]
    fn several_facts_changed_in_one_version_are_several_rows_in_their_order() {
        let conn = migrated();
        let policy = Policy::default();
        let mut before = checkout("CCO-1", NOW);
        before
            .add_payment(payment("PAY-1", "CCO-1"), &policy, NOW)
            .unwrap();
        checkouts::write(&conn, &before, true).unwrap();
        before.changes.clear();
        let mut after = before.clone();
        after
            .record_funds("PAY-1", &funds(10_000, 0), "PAID", &policy, NOW + 1)
            .unwrap();
        write(&conn, Some(&before), &after).unwrap();

        let mut stmt = conn
            .prepare("SELECT version, event_type FROM merchant_outbox ORDER BY seq")
            .unwrap();
        let rows: Vec<(i64, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            rows,
            [
                (3, "payment.funds_seen".to_owned()),
                (3, "checkout.status_changed".to_owned())
            ]
        );
    }
}
