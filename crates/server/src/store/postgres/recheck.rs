//! [`RecheckStore`] over the `payments` table's schedule columns.

use super::payments;
use super::PostgresStore;
use crate::store::error::StoreResult;
use crate::store::recheck::{DueRecheck, RecheckBacklog, RecheckStore};

impl RecheckStore for PostgresStore {
    fn claim_due(
        &self,
        now_ms: i64,
        window_ms: i64,
        lease_until_ms: i64,
        limit: u32,
    ) -> StoreResult<Vec<DueRecheck>> {
        let claimed = self.run(async |c| {
            payments::claim_due(&*c, now_ms, window_ms, lease_until_ms, limit).await
        })?;
        Ok(claimed
            .into_iter()
            .map(|(payment, failures)| DueRecheck { payment, failures })
            .collect())
    }

    fn schedule(&self, payment_id: &str, at_ms: Option<i64>, failures: u32) -> StoreResult<()> {
        self.run(async |c| payments::schedule(&*c, payment_id, at_ms, failures).await)
    }

    fn all_open_due(&self, now_ms: i64, window_ms: i64) -> StoreResult<usize> {
        self.run(async |c| payments::all_open_due(&*c, now_ms, window_ms).await)
    }

    fn backlog(&self, now_ms: i64, window_ms: i64) -> StoreResult<RecheckBacklog> {
        let (open, oldest_due_at_ms) =
            self.run(async |c| payments::backlog(&*c, now_ms, window_ms).await)?;
        Ok(RecheckBacklog {
            open,
            oldest_due_at_ms,
        })
    }
}
