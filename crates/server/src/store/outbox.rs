//! The merchant-notification outbox as the store keeps it. Rows are inserted by
//! [`super::Store::modify_checkout`] in the transaction that changes the checkout (so a change
//! and its notification are committed together or not at all); the delivery worker and the
//! merchant API use the methods here.

use crate::store::error::StoreResult;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryState {
    /// Waiting for its next attempt.
    Pending,
    /// The merchant answered 2xx once; never sent again unless redelivery is asked for.
    Delivered,
    /// Retries ran out (`give_up_after`); the merchant can still ask for a redelivery.
    Failed,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "PENDING",
            DeliveryState::Delivered => "DELIVERED",
            DeliveryState::Failed => "FAILED",
        }
    }

    pub fn parse(s: &str) -> Option<DeliveryState> {
        [
            DeliveryState::Pending,
            DeliveryState::Delivered,
            DeliveryState::Failed,
        ]
        .into_iter()
        .find(|d| d.as_str().eq_ignore_ascii_case(s))
    }
}

/// One outbox row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// Insertion order: the list cursor.
    pub seq: i64,
    pub event_id: String,
    pub event_type: String,
    pub checkout_id: String,
    pub version: u64,
    /// The exact JSON sent (and signed) on every attempt.
    pub body: String,
    pub state: DeliveryState,
    pub attempts: u32,
    pub next_attempt_at_ms: Option<i64>,
    pub delivered_at_ms: Option<i64>,
    pub created_at_ms: i64,
}

/// One try to deliver, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub at_ms: i64,
    pub duration_ms: i64,
    /// The merchant's answer, if one came.
    pub http_status: Option<u16>,
    /// Why no 2xx came (connection refused, timeout, status); never a secret.
    pub error: Option<String>,
}

/// What to do with the row after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterAttempt {
    Delivered,
    RetryAt(i64),
    GiveUp,
}

impl AfterAttempt {
    /// The row's state, next attempt and delivery time after an attempt made at `at_ms`.
    pub fn row_state(self, at_ms: i64) -> (DeliveryState, Option<i64>, Option<i64>) {
        match self {
            AfterAttempt::Delivered => (DeliveryState::Delivered, None, Some(at_ms)),
            AfterAttempt::RetryAt(at) => (DeliveryState::Pending, Some(at), None),
            AfterAttempt::GiveUp => (DeliveryState::Failed, None, None),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct DeliveryQuery {
    pub limit: u32,
    /// Only rows older than this `seq` (the cursor).
    pub before_seq: Option<i64>,
    pub state: Option<DeliveryState>,
    pub checkout_id: Option<String>,
}

/// How far behind the delivery of merchant notifications is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OutboxBacklog {
    /// Rows still to be delivered.
    pub pending: u64,
    /// Rows whose retries ran out.
    pub failed: u64,
    /// When the oldest pending row was written, if any is pending.
    pub oldest_pending_at_ms: Option<i64>,
}

pub trait OutboxStore: Send + Sync {
    /// Pending rows whose time has come, oldest due first.
    fn due(&self, now_ms: i64, limit: u32) -> StoreResult<Vec<Delivery>>;

    /// Takes a due row for one attempt by moving its next attempt to `lease_until_ms` (so a
    /// crash mid-attempt means a retry after the lease, and a second instance skips it).
    /// False when somebody else took it or it is no longer due.
    fn claim(&self, event_id: &str, now_ms: i64, lease_until_ms: i64) -> StoreResult<bool>;

    /// Takes up to `limit` due rows (oldest due first) for one attempt each, as [`Self::claim`]
    /// does one: what comes back is this caller's until `lease_until_ms`. This is the due rows
    /// claimed one by one (SQLite's one writer makes each claim atomic); PostgreSQL does it in
    /// one statement that skips rows another instance is claiming (`FOR UPDATE SKIP LOCKED`)
    /// instead of waiting for them.
    fn claim_due(
        &self,
        now_ms: i64,
        limit: u32,
        lease_until_ms: i64,
    ) -> StoreResult<Vec<Delivery>> {
        let mut claimed = Vec::new();
        for d in self.due(now_ms, limit)? {
            if self.claim(&d.event_id, now_ms, lease_until_ms)? {
                claimed.push(d);
            }
        }
        Ok(claimed)
    }

    /// Records the attempt and, while the row is still under this attempt's claim (its next
    /// attempt is still `lease_until_ms`), the row's new state, in one transaction. A
    /// redelivery asked for during the attempt (or a claim taken after the lease ran out) has
    /// moved the next attempt: the row then stays as that left it, due again.
    fn record_attempt(
        &self,
        event_id: &str,
        lease_until_ms: i64,
        attempt: &Attempt,
        after: AfterAttempt,
    ) -> StoreResult<()>;

    /// Newest first.
    fn deliveries(&self, query: &DeliveryQuery) -> StoreResult<Vec<Delivery>>;

    /// One row with every attempt, oldest first.
    fn delivery(&self, event_id: &str) -> StoreResult<Option<(Delivery, Vec<Attempt>)>>;

    /// Makes a row due now again, whatever its state; same event id, same body.
    fn redeliver(&self, event_id: &str, now_ms: i64) -> StoreResult<Option<Delivery>>;

    fn backlog(&self) -> StoreResult<OutboxBacklog>;
}
