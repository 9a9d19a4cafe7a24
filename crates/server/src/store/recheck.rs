//! The reconciler's side of the store: which open payments are due for a re-read from their
//! provider, and when each is next due.
//!
//! Claiming is where several server instances sharing one database decide who re-reads a
//! payment: a claim moves the payment's next turn to the end of a lease, in one statement, so
//! another instance's claim cannot return it until that lease runs out (and a dead instance's
//! claims return by themselves once it does).

use crate::domain::payment::Payment;
use crate::store::error::StoreResult;

/// A payment claimed for a re-read.
#[derive(Debug, Clone)]
pub struct DueRecheck {
    pub payment: Payment,
    /// Re-reads of this payment that failed in a row before this one.
    pub failures: u32,
}

/// How far behind the reconciler is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RecheckBacklog {
    /// Payments still worth re-reading.
    pub open: u64,
    /// Since when the most overdue of them has been due, if any is overdue.
    pub oldest_due_at_ms: Option<i64>,
}

pub trait RecheckStore: Send + Sync {
    /// Claims up to `limit` open payments due at `now_ms` until `lease_until_ms`. An expired
    /// checkout's payments are open while `now_ms` is within `window_ms` of its expiry.
    fn claim_due(
        &self,
        now_ms: i64,
        window_ms: i64,
        lease_until_ms: i64,
        limit: u32,
    ) -> StoreResult<Vec<DueRecheck>>;

    /// When payment `payment_id` is next due (`None`: never again), and its failures in a row.
    fn schedule(&self, payment_id: &str, at_ms: Option<i64>, failures: u32) -> StoreResult<()>;

    /// Makes every open payment due now; returns how many.
    fn all_open_due(&self, now_ms: i64, window_ms: i64) -> StoreResult<usize>;

    fn backlog(&self, now_ms: i64, window_ms: i64) -> StoreResult<RecheckBacklog>;
}
