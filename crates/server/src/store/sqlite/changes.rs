//! The change feed of a checkout (`checkout_events`) and the merchant events it announces,
//! written in the transaction that makes the change. Which events a change announces is the
//! domain's decision (`domain::merchant_event`); they are queued in the order it returns them.

use rusqlite::{params, Connection};

use super::outbox;
use crate::domain::checkout::CheckoutRecord;
use crate::domain::merchant_event::{merchant_events, new_event_id};

/// Writes the changes `after` made since `before` (`None` while creating the checkout) and
/// queues what they announce to the merchant.
pub fn write(
    conn: &Connection,
    before: Option<&CheckoutRecord>,
    after: &CheckoutRecord,
) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO checkout_events (checkout_id, version, from_status, to_status, exception, \
         payment_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for c in &after.changes {
        stmt.execute(params![
            after.id,
            c.version as i64,
            c.from.as_str(),
            c.to.as_str(),
            c.exception.map(|e| e.as_str()),
            c.payment_id,
            c.at_ms,
        ])?;
    }
    outbox::queue(conn, &merchant_events(before, after, &mut new_event_id))
}
