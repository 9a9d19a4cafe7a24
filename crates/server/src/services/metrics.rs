//! `/metrics`: the counters as they stand, with the figures only the database knows (read now,
//! so each instance reports the shared backlog, not its own guess).

use crate::domain::now_ms;
use crate::error::AppResult;
use crate::services::reconcile;
use crate::state::AppState;

/// Milliseconds since `at_ms` as seconds; 0 when nothing waits.
fn seconds_since(at_ms: Option<i64>, now: i64) -> f64 {
    at_ms.map_or(0.0, |at| (now - at).max(0) as f64 / 1000.0)
}

pub async fn scrape(state: &AppState) -> AppResult<String> {
    let outbox = state.db.run(|s| s.outbox().backlog()).await?;
    let reconciliation = reconcile::report(state).await?;
    // Read after the other reads have given their connections back.
    let pool = state.db.run(|s| Ok(s.pool_use())).await?;
    let now = now_ms();
    let g = &state.metrics.gauges;
    g.outbox_pending.set(outbox.pending as i64);
    g.outbox_failed.set(outbox.failed as i64);
    g.outbox_lag_seconds
        .set(seconds_since(outbox.oldest_pending_at_ms, now));
    g.reconcile_open_payments
        .set(reconciliation.open_payments as i64);
    g.reconcile_lag_seconds
        .set(reconciliation.lag_ms as f64 / 1000.0);
    g.live_streams.set(state.live.streams() as i64);
    g.live_checkouts.set(state.live.watched() as i64);
    g.db_calls_in_flight.set(state.db.in_flight() as i64);
    g.db_pool_max.set(pool.max_size as i64);
    g.db_pool_open.set(pool.size as i64);
    g.db_pool_available.set(pool.available as i64);
    g.db_pool_waiting.set(pool.waiting as i64);
    Ok(state.metrics.encode())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lag_is_the_age_of_what_waits_and_zero_without_it() {
        assert_eq!(seconds_since(None, 10_000), 0.0);
        assert_eq!(seconds_since(Some(7_500), 10_000), 2.5);
        assert_eq!(seconds_since(Some(12_000), 10_000), 0.0);
    }
}
