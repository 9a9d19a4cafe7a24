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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sqlite::test_support::migrated;

    fn event(provider: &str, event_id: &str) -> InboundEvent {
        InboundEvent {
            provider: provider.into(),
            event_id: event_id.into(),
            payment_ref: None,
            body: r#"{"id":"e"}"#.into(),
            received_at_ms: 1,
        }
    }

    #[test]
    fn an_event_id_is_recorded_once_per_provider() {
        let conn = migrated();
        assert!(!seen(&conn, "sandbox", "e1").unwrap());
        assert!(insert(&conn, &event("sandbox", "e1")).unwrap());
        assert!(!insert(&conn, &event("sandbox", "e1")).unwrap());
        assert!(seen(&conn, "sandbox", "e1").unwrap());
        // Another provider's event of the same id is another event.
        assert!(!seen(&conn, "calypso", "e1").unwrap());
        assert!(insert(&conn, &event("calypso", "e1")).unwrap());
    }
}
