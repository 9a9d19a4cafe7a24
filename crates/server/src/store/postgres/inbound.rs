//! Inbound provider webhooks, kept under the provider's event id so a repeated one is noticed.

use deadpool_postgres::GenericClient;

use crate::store::error::StoreResult;
use crate::store::InboundEvent;

/// Records `e`; false when its event id was recorded before (then nothing is written). A
/// concurrent twin waits for the first one's transaction: it is a duplicate if that commits,
/// and recorded if that rolls back.
pub async fn insert(c: &impl GenericClient, e: &InboundEvent) -> StoreResult<bool> {
    let stmt = c
        .prepare_cached(
            "INSERT INTO inbound_events (provider, event_id, payment_ref, body, received_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .await?;
    let n = c
        .execute(
            &stmt,
            &[
                &e.provider,
                &e.event_id,
                &e.payment_ref,
                &e.body,
                &e.received_at_ms,
            ],
        )
        .await?;
    Ok(n == 1)
}

pub async fn seen(c: &impl GenericClient, provider: &str, event_id: &str) -> StoreResult<bool> {
    let stmt = c
        .prepare_cached("SELECT 1 FROM inbound_events WHERE provider = $1 AND event_id = $2")
        .await?;
    Ok(c.query_opt(&stmt, &[&provider, &event_id]).await?.is_some())
}
