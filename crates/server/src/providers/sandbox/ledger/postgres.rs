//! The sandbox ledger in the PostgreSQL database (`database_url`), on the checkout store's pool,
//! in tables of its own (migration 0008): every instance on the database sees one simulated
//! chain, and one of them mines it (`chain.rs`). The twin of `sqlite.rs`.

use std::sync::Arc;

use deadpool_postgres::GenericClient;
use protocol::Amount;
use tokio_postgres::Row;

use super::{SandboxInvoice, SandboxLedger, SandboxNotification, SandboxTx};
use crate::store::error::{StoreError, StoreResult};
use crate::store::postgres::PostgresStore;

pub struct PostgresLedger {
    store: Arc<PostgresStore>,
}

impl PostgresLedger {
    pub fn new(store: Arc<PostgresStore>) -> PostgresLedger {
        PostgresLedger { store }
    }
}

fn bad(what: &str) -> StoreError {
    StoreError::Database(anyhow::anyhow!("the sandbox ledger holds a bad {what}"))
}

fn invoice_row(r: &Row) -> StoreResult<SandboxInvoice> {
    let amount: String = r.try_get(4)?;
    let required: i32 = r.try_get(5)?;
    Ok(SandboxInvoice {
        reference: r.try_get(0)?,
        currency: r.try_get(1)?,
        network: r.try_get(2)?,
        address: r.try_get(3)?,
        amount: Amount::parse(&amount).map_err(|_| bad("amount"))?,
        confirmations_required: required as u32,
        created_at_ms: r.try_get(6)?,
    })
}

fn tx_row(r: &Row) -> StoreResult<SandboxTx> {
    let units: String = r.try_get(1)?;
    let (confirmations, required): (i32, i32) = (r.try_get(2)?, r.try_get(3)?);
    Ok(SandboxTx {
        txid: r.try_get(0)?,
        amount_units: units.parse().map_err(|_| bad("amount"))?,
        confirmations: confirmations as u32,
        required: required as u32,
        seen_at_ms: r.try_get(4)?,
    })
}

async fn queue_notification(
    c: &impl GenericClient,
    invoice_ref: &str,
    now_ms: i64,
) -> StoreResult<()> {
    let stmt = c
        .prepare_cached(
            "INSERT INTO sandbox_notifications (event_id, invoice_ref, created_at) \
             VALUES ($1, $2, $3)",
        )
        .await?;
    let event_id = format!("sbx_evt_{}", uuid::Uuid::new_v4().simple());
    c.execute(&stmt, &[&event_id, &invoice_ref, &now_ms])
        .await?;
    Ok(())
}

/// The transactions a block confirms once more (as in `sqlite.rs`): unconfirmed ones in the
/// mempool by `$1`, then every block after.
const MINED: &str = "confirmations < required AND (confirmations > 0 OR seen_at <= $1)";

impl SandboxLedger for PostgresLedger {
    fn create_invoice(&self, i: &SandboxInvoice) -> StoreResult<()> {
        self.store.run(async |c| {
            let stmt = c
                .prepare_cached(
                    "INSERT INTO sandbox_invoices (ref, currency, network, address, amount, \
                     confirmations_required, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .await?;
            let required = i.confirmations_required as i32;
            c.execute(
                &stmt,
                &[
                    &i.reference,
                    &i.currency,
                    &i.network,
                    &i.address,
                    &i.amount.to_string(),
                    &required,
                    &i.created_at_ms,
                ],
            )
            .await?;
            Ok(())
        })
    }

    fn invoice(&self, reference: &str) -> StoreResult<Option<(SandboxInvoice, Vec<SandboxTx>)>> {
        self.store.run(async |c| {
            let row = c
                .query_opt(
                    "SELECT ref, currency, network, address, amount, confirmations_required, \
                     created_at FROM sandbox_invoices WHERE ref = $1",
                    &[&reference],
                )
                .await?;
            let Some(row) = row else {
                return Ok(None);
            };
            let txs = c
                .query(
                    "SELECT txid, amount_units, confirmations, required, seen_at FROM sandbox_txs \
                     WHERE invoice_ref = $1 ORDER BY seen_at, seq",
                    &[&reference],
                )
                .await?;
            let txs = txs.iter().map(tx_row).collect::<StoreResult<Vec<_>>>()?;
            Ok(Some((invoice_row(&row)?, txs)))
        })
    }

    fn add_tx(&self, reference: &str, amount_units: u128, now_ms: i64) -> StoreResult<SandboxTx> {
        self.store.run(async |c| {
            let tx = c.transaction().await?;
            let required: i32 = tx
                .query_one(
                    "SELECT confirmations_required FROM sandbox_invoices WHERE ref = $1",
                    &[&reference],
                )
                .await?
                .try_get(0)?;
            let sandbox_tx = SandboxTx {
                txid: format!("sbx_tx_{}", uuid::Uuid::new_v4().simple()),
                amount_units,
                confirmations: 0,
                required: required as u32,
                seen_at_ms: now_ms,
            };
            tx.execute(
                "INSERT INTO sandbox_txs (txid, invoice_ref, amount_units, confirmations, \
                 required, seen_at) VALUES ($1, $2, $3, 0, $4, $5)",
                &[
                    &sandbox_tx.txid,
                    &reference,
                    &amount_units.to_string(),
                    &required,
                    &now_ms,
                ],
            )
            .await?;
            queue_notification(&tx, reference, now_ms).await?;
            tx.commit().await?;
            Ok(sandbox_tx)
        })
    }

    fn mine_block(&self, now_ms: i64, seen_by_ms: i64) -> StoreResult<usize> {
        self.store.run(async |c| {
            let tx = c.transaction().await?;
            let refs = tx
                .query(
                    &format!(
                        "UPDATE sandbox_txs SET confirmations = confirmations + 1 \
                     WHERE {MINED} RETURNING invoice_ref"
                    ),
                    &[&seen_by_ms],
                )
                .await?;
            let mut refs: Vec<String> = refs.iter().map(|r| r.get(0)).collect();
            refs.sort();
            refs.dedup();
            for r in &refs {
                queue_notification(&tx, r, now_ms).await?;
            }
            tx.commit().await?;
            Ok(refs.len())
        })
    }

    fn undelivered(&self, limit: u32) -> StoreResult<Vec<SandboxNotification>> {
        self.store.run(async |c| {
            let rows = c
                .query(
                    "SELECT event_id, invoice_ref, created_at FROM sandbox_notifications \
                     WHERE delivered_at IS NULL ORDER BY created_at, seq LIMIT $1",
                    &[&i64::from(limit)],
                )
                .await?;
            let mut found = Vec::new();
            for r in rows {
                found.push(SandboxNotification {
                    event_id: r.try_get(0)?,
                    invoice_ref: r.try_get(1)?,
                    created_at_ms: r.try_get(2)?,
                });
            }
            Ok(found)
        })
    }

    fn mark_delivered(&self, event_id: &str, now_ms: i64) -> StoreResult<()> {
        self.store.run(async |c| {
            c.execute(
                "UPDATE sandbox_notifications SET delivered_at = $2, attempts = attempts + 1 \
                 WHERE event_id = $1",
                &[&event_id, &now_ms],
            )
            .await?;
            Ok(())
        })
    }

    fn note_attempt(&self, event_id: &str) -> StoreResult<()> {
        self.store.run(async |c| {
            c.execute(
                "UPDATE sandbox_notifications SET attempts = attempts + 1 WHERE event_id = $1",
                &[&event_id],
            )
            .await?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;
    use crate::store::postgres::scratch::ScratchDatabase;

    #[test]
    fn blocks_confirm_up_to_what_is_required_and_queue_one_notification_per_invoice() {
        let runtime = crate::store::postgres::conformance::runtime();
        let database = runtime.block_on(ScratchDatabase::create());
        let store = runtime
            .block_on(PostgresStore::open(&Secret::new(database.url.clone())))
            .unwrap();
        let ledger = PostgresLedger::new(Arc::new(store));
        super::super::checks::blocks_confirm_up_to_what_is_required(&ledger);
        // The pool's connections close on the runtime, then the database goes.
        let _guard = runtime.enter();
        drop(ledger);
        drop(database);
    }
}
