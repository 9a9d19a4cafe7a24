//! [`OpeningStore`] over the `payment_openings` table; [`consume`] runs in the transaction
//! that stores the payment.

use deadpool_postgres::GenericClient;

use super::PostgresStore;
use crate::store::error::StoreResult;
use crate::store::opening::{Opening, OpeningStore};

/// Forgets the opening of `payment_id`: the payment is stored now.
pub async fn consume(c: &impl GenericClient, payment_id: &str) -> StoreResult<()> {
    let stmt = c
        .prepare_cached("DELETE FROM payment_openings WHERE payment_id = $1")
        .await?;
    c.execute(&stmt, &[&payment_id]).await?;
    Ok(())
}

impl OpeningStore for PostgresStore {
    fn reserve(
        &self,
        checkout_id: &str,
        pick_key: &str,
        payment_id: &str,
        now_ms: i64,
    ) -> StoreResult<Opening> {
        self.run(async |c| {
            let insert = c
                .prepare_cached(
                    "INSERT INTO payment_openings (checkout_id, pick_key, payment_id, created_at) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                )
                .await?;
            c.execute(&insert, &[&checkout_id, &pick_key, &payment_id, &now_ms])
                .await?;
            let select = c
                .prepare_cached(
                    "SELECT payment_id, provider_ref FROM payment_openings \
                     WHERE checkout_id = $1 AND pick_key = $2",
                )
                .await?;
            let row = c.query_one(&select, &[&checkout_id, &pick_key]).await?;
            Ok(Opening {
                payment_id: row.try_get(0)?,
                provider_ref: row.try_get(1)?,
            })
        })
    }

    fn record_ref(&self, payment_id: &str, provider_ref: &str) -> StoreResult<Option<String>> {
        self.run(async |c| {
            let update = c
                .prepare_cached(
                    "UPDATE payment_openings SET provider_ref = $2 \
                     WHERE payment_id = $1 AND provider_ref IS NULL",
                )
                .await?;
            c.execute(&update, &[&payment_id, &provider_ref]).await?;
            let select = c
                .prepare_cached("SELECT provider_ref FROM payment_openings WHERE payment_id = $1")
                .await?;
            let standing = c.query_opt(&select, &[&payment_id]).await?;
            Ok(standing
                .map(|r| r.try_get::<_, Option<String>>(0))
                .transpose()?
                .flatten())
        })
    }
}
