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

#[cfg(test)]
mod tests {
    use crate::domain::test_fixtures::{checkout, payment, NOW};
    use crate::store::sqlite::test_support::store;
    use crate::store::Store;

    #[test]
    fn a_pick_keeps_its_reservation_and_first_reference_until_its_payment_is_stored() {
        let (_dir, store) = store();
        store.insert_checkout(&checkout("CCO-1", NOW)).unwrap();
        let openings = store.openings();
        let first = openings.reserve("CCO-1", "k", "PAY-1", NOW).unwrap();
        assert_eq!(first.payment_id, "PAY-1");
        assert_eq!(first.provider_ref, None);
        // The same pick again: the same payment id, not the new one offered.
        assert_eq!(openings.reserve("CCO-1", "k", "PAY-2", NOW).unwrap(), first);
        // Another pick (another coin or terms) is another opening.
        let other = openings.reserve("CCO-1", "other", "PAY-3", NOW).unwrap();
        assert_eq!(other.payment_id, "PAY-3");

        let first_ref = openings.record_ref("PAY-1", "CCO-A").unwrap();
        assert_eq!(first_ref.as_deref(), Some("CCO-A"));
        // A second reference (a concurrent twin) does not replace the first.
        assert_eq!(
            openings.record_ref("PAY-1", "CCO-B").unwrap().as_deref(),
            Some("CCO-A")
        );
        let again = openings.reserve("CCO-1", "k", "PAY-4", NOW).unwrap();
        assert_eq!(again.provider_ref.as_deref(), Some("CCO-A"));

        // Storing the payment ends the opening: the next pick on these terms is a new one.
        let mut paid = payment("PAY-1", "CCO-1");
        paid.provider_ref = "CCO-A".into();
        store
            .modify_checkout("CCO-1", None, &mut |rec| {
                rec.payments.push(paid.clone());
                Ok(())
            })
            .unwrap();
        assert_eq!(openings.record_ref("PAY-1", "CCO-C").unwrap(), None);
        let next = openings.reserve("CCO-1", "k", "PAY-5", NOW).unwrap();
        assert_eq!(
            (next.payment_id.as_str(), next.provider_ref),
            ("PAY-5", None)
        );
    }
}
