//! The reconciler's claims on open payments, and the openings of payments with a provider.

use protocol::CheckoutStatus;

use super::Harness;
use crate::domain::test_fixtures::{checkout, payment, NOW};
use crate::store::Modify;

const WINDOW: i64 = 60_000;

/// `CCO-1` with `PAY-1` picked at `NOW`; returns the checkout's expiry.
fn picked(t: &dyn Harness) -> i64 {
    let store = t.store();
    store.insert_checkout(&checkout("CCO-1", NOW)).unwrap();
    let outcome = store
        .modify_checkout("CCO-1", None, &mut |r| {
            r.add_payment(payment("PAY-1", "CCO-1"), &Default::default(), NOW)?;
            Ok(())
        })
        .unwrap();
    match outcome {
        Modify::Applied { record, .. } => record.state.expires_at_ms,
        other => panic!("{other:?}"),
    }
}

pub fn an_open_payment_is_claimed_once_until_its_lease_ends(t: &dyn Harness) {
    picked(t);
    let rechecks = t.store().rechecks();
    let first = rechecks.claim_due(NOW + 1, WINDOW, NOW + 100, 10).unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(
        (first[0].payment.id.as_str(), first[0].failures),
        ("PAY-1", 0)
    );
    // Claimed: nobody else gets it before the lease ends, everybody after.
    assert!(rechecks
        .claim_due(NOW + 50, WINDOW, NOW + 200, 10)
        .unwrap()
        .is_empty());
    assert_eq!(
        rechecks
            .claim_due(NOW + 100, WINDOW, NOW + 300, 10)
            .unwrap()
            .len(),
        1
    );
    rechecks.schedule("PAY-1", Some(NOW + 1_000), 2).unwrap();
    let backlog = rechecks.backlog(NOW + 2_000, WINDOW).unwrap();
    assert_eq!(
        (backlog.open, backlog.oldest_due_at_ms),
        (1, Some(NOW + 1_000))
    );
    let again = rechecks
        .claim_due(NOW + 2_000, WINDOW, NOW + 3_000, 10)
        .unwrap();
    assert_eq!(again[0].failures, 2);
    // Never again: not claimed, not counted.
    rechecks.schedule("PAY-1", None, 0).unwrap();
    assert!(rechecks
        .claim_due(i64::MAX - 1, WINDOW, i64::MAX, 10)
        .unwrap()
        .is_empty());
    assert_eq!(rechecks.backlog(NOW, WINDOW).unwrap().open, 0);
}

pub fn a_settled_checkout_s_payments_are_not_open_and_an_expired_one_only_within_the_window(
    t: &dyn Harness,
) {
    let expires_at = picked(t);
    let store = t.store();
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

pub fn a_settled_checkout_s_payment_stays_open_while_its_settlement_has_a_step_left(
    t: &dyn Harness,
) {
    use crate::domain::payment::{Settlement, SettlementStep};
    use crate::domain::state_machine::Resolution;

    let store = t.store();
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

pub fn a_pick_keeps_its_reservation_and_first_reference_until_its_payment_is_stored(
    t: &dyn Harness,
) {
    let store = t.store();
    store.insert_checkout(&checkout("CCO-1", NOW)).unwrap();
    let openings = store.openings();
    let first = openings.reserve("CCO-1", "k", "PAY-1", NOW).unwrap();
    assert_eq!(first.payment_id, "PAY-1");
    assert_eq!(first.provider_ref, None);
    // The same pick again: the same payment id, not the new one offered.
    assert_eq!(openings.reserve("CCO-1", "k", "PAY-2", NOW).unwrap(), first);
    // Another pick (another coin or terms) is another opening.
    let other = openings.reserve("CCO-1", "other", "PAY-3", NOW).unwrap();
    assert_eq!(other.payment_id, "PAY-3");

    let first_ref = openings.record_ref("PAY-1", "CCO-A").unwrap();
    assert_eq!(first_ref.as_deref(), Some("CCO-A"));
    // A second reference (a concurrent twin) does not replace the first.
    assert_eq!(
        openings.record_ref("PAY-1", "CCO-B").unwrap().as_deref(),
        Some("CCO-A")
    );
    let again = openings.reserve("CCO-1", "k", "PAY-4", NOW).unwrap();
    assert_eq!(again.provider_ref.as_deref(), Some("CCO-A"));

    // Storing the payment ends the opening: the next pick on these terms is a new one.
    let mut paid = payment("PAY-1", "CCO-1");
    paid.provider_ref = "CCO-A".into();
    store
        .modify_checkout("CCO-1", None, &mut |rec| {
            rec.payments.push(paid.clone());
            Ok(())
        })
        .unwrap();
    assert_eq!(openings.record_ref("PAY-1", "CCO-C").unwrap(), None);
    let next = openings.reserve("CCO-1", "k", "PAY-5", NOW).unwrap();
    assert_eq!(
        (next.payment_id.as_str(), next.provider_ref),
        ("PAY-5", None)
    );
}
