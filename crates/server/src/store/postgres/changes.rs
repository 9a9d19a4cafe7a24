//! The change feed of a checkout (`checkout_events`) and the merchant events it announces,
//! written in the transaction that makes the change (the twin of `sqlite/changes.rs`), and the
//! notification that tells every instance about it (`listen.rs`), sent only if it commits.

use deadpool_postgres::GenericClient;

use super::codec::to_json;
use crate::domain::checkout::CheckoutRecord;
use crate::domain::merchant_event::{merchant_events, new_event_id, Announcement};
use crate::store::error::StoreResult;

/// Writes the changes `after` made since `before` (`None` while creating the checkout) and
/// queues what they announce to the merchant.
pub async fn write(
    c: &impl GenericClient,
    before: Option<&CheckoutRecord>,
    after: &CheckoutRecord,
) -> StoreResult<()> {
    let stmt = c
        .prepare_cached(
            "INSERT INTO checkout_events (checkout_id, version, from_status, to_status, \
             exception, payment_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .await?;
    for change in &after.changes {
        c.execute(
            &stmt,
            &[
                &after.id,
                &(change.version as i64),
                &change.from.as_str(),
                &change.to.as_str(),
                &change.exception.map(|e| e.as_str()),
                &change.payment_id,
                &change.at_ms,
            ],
        )
        .await?;
    }
    queue(c, &merchant_events(before, after, &mut new_event_id)).await?;
    announce(c, after).await
}

/// NOTIFYs every instance's LISTEN connection of `after`'s new version. Inside the transaction:
/// PostgreSQL delivers it at commit and drops it on rollback.
async fn announce(c: &impl GenericClient, after: &CheckoutRecord) -> StoreResult<()> {
    let stmt = c.prepare_cached("SELECT pg_notify($1, $2)").await?;
    let payload = format!("{}:{}", after.version, after.id);
    c.execute(&stmt, &[&super::listen::CHANNEL, &payload])
        .await?;
    Ok(())
}

/// Queues one delivery per announcement, due when its change happened.
pub async fn queue(c: &impl GenericClient, announcements: &[Announcement]) -> StoreResult<()> {
    let stmt = c
        .prepare_cached(
            "INSERT INTO merchant_outbox (event_id, event_type, checkout_id, version, body, \
             next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $6)",
        )
        .await?;
    for Announcement { at_ms, event } in announcements {
        let body = to_json(event)?;
        c.execute(
            &stmt,
            &[
                &event.id,
                &event.event_type,
                &event.checkout_id,
                &(event.version as i64),
                &body,
                at_ms,
            ],
        )
        .await?;
    }
    Ok(())
}
