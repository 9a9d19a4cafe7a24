//! Inbound provider webhooks, kept under the provider's event id so a repeated one is noticed.

use rusqlite::{params, Connection};

use crate::store::InboundEvent;

/// Records `e`; false when its event id was recorded before (then nothing is written).
pub fn insert(conn: &Connection, e: &InboundEvent) -> rusqlite::Result<bool> {
    let n = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO inbound_events (provider, event_id, payment_ref, body, received_at) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![e.provider, e.event_id, e.payment_ref, e.body, e.received_at_ms])?;
    Ok(n == 1)
}

pub fn seen(conn: &Connection, provider: &str, event_id: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT 1 FROM inbound_events WHERE provider = ?1 AND event_id = ?2")?
        .exists([provider, event_id])
}
