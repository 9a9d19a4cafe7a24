//! [`OpeningStore`] over the `payment_openings` table; [`consume`] runs in the transaction
//! that stores the payment.

use rusqlite::{params, Connection, OptionalExtension};

use super::SqliteStore;
use crate::store::error::StoreResult;
use crate::store::opening::{Opening, OpeningStore};

/// Forgets the opening of `payment_id`: the payment is stored now.
pub fn consume(conn: &Connection, payment_id: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM payment_openings WHERE payment_id = ?1")?
        .execute([payment_id])?;
    Ok(())
}

impl OpeningStore for SqliteStore {
    fn reserve(
        &self,
        checkout_id: &str,
        pick_key: &str,
        payment_id: &str,
        now_ms: i64,
    ) -> StoreResult<Opening> {
        let conn = self.writer();
        conn.prepare_cached(
            "INSERT OR IGNORE INTO payment_openings (checkout_id, pick_key, payment_id, created_at) \
             VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![checkout_id, pick_key, payment_id, now_ms])?;
        let opening = conn
            .prepare_cached(
                "SELECT payment_id, provider_ref FROM payment_openings \
                 WHERE checkout_id = ?1 AND pick_key = ?2",
            )?
            .query_row([checkout_id, pick_key], |r| {
                Ok(Opening {
                    payment_id: r.get(0)?,
                    provider_ref: r.get(1)?,
                })
            })?;
        Ok(opening)
    }

    fn record_ref(&self, payment_id: &str, provider_ref: &str) -> StoreResult<Option<String>> {
        let conn = self.writer();
        conn.prepare_cached(
            "UPDATE payment_openings SET provider_ref = ?2 \
             WHERE payment_id = ?1 AND provider_ref IS NULL",
        )?
        .execute([payment_id, provider_ref])?;
        let standing = conn
            .prepare_cached("SELECT provider_ref FROM payment_openings WHERE payment_id = ?1")?
            .query_row([payment_id], |r| r.get::<_, Option<String>>(0))
            .optional()?;
        Ok(standing.flatten())
    }
}
