//! Reconciliation: a webhook is a hint that can be lost, so every open payment is re-read from
//! its provider on a schedule that suits its state, through the same path as a webhook.
//!
//! Cadence (`[reconcile]`): every `confirming` (30 s) while funds are seen but not confirmed,
//! every `waiting` (2 min) while nothing is paid, every `settled` (5 min) while a CONFLICT waits
//! for the merchant or an expired checkout's address is still watched; never again once the
//! checkout is SUCCESS or CANCELLED, unless the merchant's settlement of a conflict still has a
//! provider step left (every `confirming` until it is taken). A failed re-read is retried after
//! `confirming` doubled per failure in a row, up to `max_backoff`; a provider whose re-reads fail
//! `failing_after` times in a
//! row is reported (health, an error in the log) until one succeeds.

use std::collections::BTreeMap;
use std::time::Duration;

use protocol::CheckoutStatus;
use serde::Serialize;

use super::reread::{provider_of, reread};
use crate::config::ReconcileConfig;
use crate::domain::checkout::CheckoutRecord;
use crate::domain::now_ms;
use crate::error::AppResult;
use crate::reconcile_health::ProviderHealth;
use crate::state::AppState;
use crate::store::recheck::DueRecheck;
use crate::store::Modify;

/// How long a claim keeps other reconcilers away from a payment: longer than any re-read takes.
const CLAIM_LEASE_MS: i64 = 120_000;
/// Payments claimed per pass.
const BATCH: u32 = 100;

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// When a payment whose checkout is now `status` is next re-read; `None` for never.
pub fn next_after_success(status: CheckoutStatus, now_ms: i64, c: &ReconcileConfig) -> Option<i64> {
    let wait = match status {
        CheckoutStatus::Success | CheckoutStatus::Cancelled => return None,
        CheckoutStatus::PendingPayment => c.confirming,
        CheckoutStatus::New | CheckoutStatus::WaitingPayment => c.waiting,
        CheckoutStatus::Conflict | CheckoutStatus::Expired => c.settled,
    };
    Some(now_ms.saturating_add(ms(wait)))
}

/// When payment `payment_id` of `record` is next re-read: like [`next_after_success`], except
/// that a merchant's settlement with a step left is followed at the `confirming` pace whatever
/// the checkout's status (the provider's last step comes after SUCCESS).
fn next_after_read(
    record: &CheckoutRecord,
    payment_id: &str,
    now_ms: i64,
    c: &ReconcileConfig,
) -> Option<i64> {
    let settling = record
        .payment(payment_id)
        .is_some_and(|p| p.settlement.is_some());
    match settling {
        true => Some(now_ms.saturating_add(ms(c.confirming))),
        false => next_after_success(record.status(), now_ms, c),
    }
}

/// When a payment is re-read again after its `failures`-th failure in a row.
pub fn next_after_failure(failures: u32, now_ms: i64, c: &ReconcileConfig) -> i64 {
    let doubled = ms(c.confirming).saturating_mul(1i64 << failures.saturating_sub(1).min(30));
    now_ms.saturating_add(doubled.min(ms(c.max_backoff)))
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pass {
    pub reread: usize,
    pub failed: usize,
}

/// Re-reads every open payment that is due; returns what it did.
pub async fn reconcile_due(state: &AppState) -> AppResult<Pass> {
    let now = now_ms();
    let window = state.config.policy.monitoring_window_ms;
    let due = state
        .db
        .run(move |s| {
            s.rechecks()
                .claim_due(now, window, now.saturating_add(CLAIM_LEASE_MS), BATCH)
        })
        .await?;
    let mut pass = Pass::default();
    for item in due {
        if recheck(state, item).await? {
            pass.reread += 1;
        } else {
            pass.failed += 1;
        }
    }
    state.reconcile.passed(now);
    Ok(pass)
}

/// Re-reads one payment and schedules its next turn; `false` when the provider failed.
async fn recheck(state: &AppState, item: DueRecheck) -> AppResult<bool> {
    let config = state.config.reconcile;
    let payment = item.payment;
    let read = match provider_of(state, &payment) {
        Ok(provider) => reread(state, &*provider, &payment, None).await,
        Err(e) => Err(e),
    };
    let now = now_ms();
    let (next, failures, ok) = match read {
        Ok(Modify::Applied { record, .. }) => {
            state.reconcile.succeeded(&payment.provider, now);
            (next_after_read(&record, &payment.id, now, &config), 0, true)
        }
        Ok(Modify::NotFound | Modify::DuplicateEvent) => (None, 0, true),
        Err(e) => {
            let failures = item.failures.saturating_add(1);
            tracing::warn!(
                payment = %payment.id,
                provider = %payment.provider,
                failures,
                "re-reading a payment failed: {e}"
            );
            state
                .reconcile
                .failed(&payment.provider, now, config.failing_after);
            (
                Some(next_after_failure(failures, now, &config)),
                failures,
                false,
            )
        }
    };
    let id = payment.id;
    state
        .db
        .run(move |s| s.rechecks().schedule(&id, next, failures))
        .await?;
    Ok(ok)
}

/// Makes every open payment due now: what happened while the server was down is unknown.
pub async fn everything_due_now(state: &AppState) -> AppResult<usize> {
    let window = state.config.policy.monitoring_window_ms;
    let now = now_ms();
    Ok(state
        .db
        .run(move |s| s.rechecks().all_open_due(now, window))
        .await?)
}

/// The reconciler as health reports it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReconcileReport {
    pub open_payments: u64,
    /// How long the most overdue open payment has waited past its turn (0 when none has).
    pub lag_ms: i64,
    pub last_pass_at_ms: Option<i64>,
    pub providers: BTreeMap<String, ProviderHealth>,
}

pub async fn report(state: &AppState) -> AppResult<ReconcileReport> {
    let now = now_ms();
    let window = state.config.policy.monitoring_window_ms;
    let backlog = state
        .db
        .run(move |s| s.rechecks().backlog(now, window))
        .await?;
    Ok(ReconcileReport {
        open_payments: backlog.open,
        lag_ms: backlog.oldest_due_at_ms.map_or(0, |at| (now - at).max(0)),
        last_pass_at_ms: state.reconcile.last_pass_at_ms(),
        providers: state.reconcile.providers(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cadence_follows_the_checkout_s_state() {
        let c = ReconcileConfig::default();
        let at = |s| next_after_success(s, 0, &c);
        assert_eq!(at(CheckoutStatus::PendingPayment), Some(30_000));
        assert_eq!(at(CheckoutStatus::WaitingPayment), Some(120_000));
        assert_eq!(at(CheckoutStatus::Conflict), Some(300_000));
        assert_eq!(at(CheckoutStatus::Expired), Some(300_000));
        assert_eq!(at(CheckoutStatus::Success), None);
        assert_eq!(at(CheckoutStatus::Cancelled), None);
    }

    #[test]
    fn failures_back_off_doubling_up_to_the_cap() {
        let c = ReconcileConfig::default();
        assert_eq!(next_after_failure(1, 0, &c), 30_000);
        assert_eq!(next_after_failure(2, 0, &c), 60_000);
        assert_eq!(next_after_failure(3, 0, &c), 120_000);
        assert_eq!(next_after_failure(10, 0, &c), 1_800_000);
        assert_eq!(next_after_failure(u32::MAX, 0, &c), 1_800_000);
    }
}
