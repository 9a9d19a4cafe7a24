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
