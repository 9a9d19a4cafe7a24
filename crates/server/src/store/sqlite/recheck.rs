//! [`RecheckStore`] over the `payments` table's schedule columns.

use super::payments;
use super::SqliteStore;
use crate::store::error::StoreResult;
use crate::store::recheck::{DueRecheck, RecheckBacklog, RecheckStore};

impl RecheckStore for SqliteStore {
    fn claim_due(
        &self,
        now_ms: i64,
        window_ms: i64,
        lease_until_ms: i64,
        limit: u32,
    ) -> StoreResult<Vec<DueRecheck>> {
        let claimed =
            payments::claim_due(&self.writer(), now_ms, window_ms, lease_until_ms, limit)?;
        Ok(claimed
            .into_iter()
            .map(|(payment, failures)| DueRecheck { payment, failures })
            .collect())
    }

    fn schedule(&self, payment_id: &str, at_ms: Option<i64>, failures: u32) -> StoreResult<()> {
        Ok(payments::schedule(
            &self.writer(),
            payment_id,
            at_ms,
            failures,
        )?)
    }

    fn all_open_due(&self, now_ms: i64, window_ms: i64) -> StoreResult<usize> {
        Ok(payments::all_open_due(&self.writer(), now_ms, window_ms)?)
    }

    fn backlog(&self, now_ms: i64, window_ms: i64) -> StoreResult<RecheckBacklog> {
        let (open, oldest_due_at_ms) = payments::backlog(&self.reader(), now_ms, window_ms)?;
        Ok(RecheckBacklog {
            open,
            oldest_due_at_ms,
        })
    }
}

#[cfg(test)]
mod tests {
    use protocol::CheckoutStatus;

    use crate::domain::test_fixtures::{checkout, payment, NOW};
    use crate::store::sqlite::test_support::store;
    use crate::store::Store;

    const WINDOW: i64 = 60_000;

    #[test]
    fn an_open_payment_is_claimed_once_until_its_lease_ends() {
        let (_dir, store) = store();
        store.insert_checkout(&checkout("CCO-1", NOW)).unwrap();
        store
            .modify_checkout("CCO-1", None, &mut |r| {
                r.add_payment(payment("PAY-1", "CCO-1"), &Default::default(), NOW)?;
                Ok(())
            })
            .unwrap();
        let first = store
            .rechecks()
            .claim_due(NOW + 1, WINDOW, NOW + 100, 10)
            .unwrap();
        assert_eq!(first.len(), 1);
        assert_eq!(
            (first[0].payment.id.as_str(), first[0].failures),
            ("PAY-1", 0)
        );
        // Claimed: nobody else gets it before the lease ends, everybody after.
        assert!(store
            .rechecks()
            .claim_due(NOW + 50, WINDOW, NOW + 200, 10)
            .unwrap()
            .is_empty());
        assert_eq!(
            store
                .rechecks()
                .claim_due(NOW + 100, WINDOW, NOW + 300, 10)
                .unwrap()
                .len(),
            1
        );
        store
            .rechecks()
            .schedule("PAY-1", Some(NOW + 1_000), 2)
            .unwrap();
        let backlog = store.rechecks().backlog(NOW + 2_000, WINDOW).unwrap();
        assert_eq!(
            (backlog.open, backlog.oldest_due_at_ms),
            (1, Some(NOW + 1_000))
        );
        let again = store
            .rechecks()
            .claim_due(NOW + 2_000, WINDOW, NOW + 3_000, 10)
            .unwrap();
        assert_eq!(again[0].failures, 2);
        // Never again: not claimed, not counted.
        store.rechecks().schedule("PAY-1", None, 0).unwrap();
        assert!(store
            .rechecks()
            .claim_due(i64::MAX - 1, WINDOW, i64::MAX, 10)
            .unwrap()
            .is_empty());
        assert_eq!(store.rechecks().backlog(NOW, WINDOW).unwrap().open, 0);
    }

    #[test]
    fn a_settled_checkout_s_payments_are_not_open_and_an_expired_one_only_within_the_window() {
        let (_dir, store) = store();
        store.insert_checkout(&checkout("CCO-1", NOW)).unwrap();
        let expires_at = store
            .modify_checkout("CCO-1", None, &mut |r| {
                r.add_payment(payment("PAY-1", "CCO-1"), &Default::default(), NOW)?;
                Ok(())
            })
            .map(|m| match m {
                crate::store::Modify::Applied { record, .. } => record.state.expires_at_ms,
                other => panic!("{other:?}"),
            })
            .unwrap();
        store
            .modify_checkout("CCO-1", None, &mut |r| {
                r.state.status = CheckoutStatus::Expired;
                Ok(())
            })
            .unwrap();
        let within = expires_at + WINDOW - 1;
        assert_eq!(store.rechecks().backlog(within, WINDOW).unwrap().open, 1);
        assert_eq!(
            store
                .rechecks()
                .backlog(expires_at + WINDOW, WINDOW)
                .unwrap()
                .open,
            0
        );
        store
            .modify_checkout("CCO-1", None, &mut |r| {
                r.state.status = CheckoutStatus::Cancelled;
                Ok(())
            })
            .unwrap();
        assert_eq!(store.rechecks().all_open_due(NOW, WINDOW).unwrap(), 0);
        assert!(store
            .rechecks()
            .claim_due(within, WINDOW, within + 1, 10)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn a_settled_checkout_s_payment_stays_open_while_its_settlement_has_a_step_left() {
        use crate::domain::payment::{Settlement, SettlementStep};
        use crate::domain::state_machine::Resolution;

        let (_dir, store) = store();
        store.insert_checkout(&checkout("CCO-1", NOW)).unwrap();
        let settle = |step: Option<SettlementStep>| {
            store
                .modify_checkout("CCO-1", None, &mut |r| {
                    if r.payments.is_empty() {
                        r.add_payment(payment("PAY-1", "CCO-1"), &Default::default(), NOW)?;
                    }
                    r.state.status = CheckoutStatus::Success;
                    r.payments[0].settlement = step.map(|step| Settlement {
                        action: Resolution::MarkPaid,
                        step,
                    });
                    Ok(())
                })
                .unwrap();
        };
        settle(Some(SettlementStep::AwaitingProvider));
        // Even after the reconciler had given the payment up, it is due again.
        store.rechecks().schedule("PAY-1", None, 0).unwrap();
        settle(Some(SettlementStep::Requested));
        assert_eq!(store.rechecks().all_open_due(NOW, WINDOW).unwrap(), 1);
        let claimed = store
            .rechecks()
            .claim_due(NOW, WINDOW, NOW + 100, 10)
            .unwrap();
        assert_eq!(claimed.len(), 1);
        assert!(claimed[0].payment.settlement.is_some());
        // Settled: a SUCCESS checkout's payment is closed again.
        settle(None);
        assert_eq!(store.rechecks().backlog(NOW + 200, WINDOW).unwrap().open, 0);
    }
}
