//! The sandbox ledger in the server's SQLite file, beside the checkout store but in its own
//! tables, with its own connections (one writer, one reader: the sandbox is light traffic).

use std::path::Path;
use std::sync::Mutex;

use anyhow::Context;
use protocol::Amount;
use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};

use super::{SandboxInvoice, SandboxLedger, SandboxNotification, SandboxTx};
use crate::store::error::StoreResult;
use crate::store::sqlite::codec::bad_value;
use crate::store::sqlite::connection::{self, lock};

pub struct SqliteLedger {
    writer: Mutex<Connection>,
    reader: Mutex<Connection>,
}

impl SqliteLedger {
    /// Opens the ledger in the database file at `path`, creating its tables if they are missing.
    pub fn open(path: &Path) -> anyhow::Result<SqliteLedger> {
        let writer = connection::open(path)?;
        writer
            .execute_batch(include_str!("schema.sql"))
            .context("creating the sandbox ledger's tables")?;
        Ok(SqliteLedger {
            writer: Mutex::new(writer),
            reader: Mutex::new(connection::open(path)?),
        })
    }
}

fn invoice_row(r: &Row<'_>) -> rusqlite::Result<SandboxInvoice> {
    let amount: String = r.get(4)?;
    Ok(SandboxInvoice {
        reference: r.get(0)?,
        currency: r.get(1)?,
        network: r.get(2)?,
        address: r.get(3)?,
        amount: Amount::parse(&amount).map_err(|_| bad_value(4, "amount"))?,
        confirmations_required: r.get(5)?,
        created_at_ms: r.get(6)?,
    })
}

fn tx_row(r: &Row<'_>) -> rusqlite::Result<SandboxTx> {
    let units: String = r.get(1)?;
    Ok(SandboxTx {
        txid: r.get(0)?,
        amount_units: units.parse().map_err(|_| bad_value(1, "amount"))?,
        confirmations: r.get(2)?,
        required: r.get(3)?,
        seen_at_ms: r.get(4)?,
    })
}

fn queue_notification(conn: &Connection, invoice_ref: &str, now_ms: i64) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO sandbox_notifications (event_id, invoice_ref, created_at) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![
        format!("sbx_evt_{}", uuid::Uuid::new_v4().simple()),
        invoice_ref,
        now_ms
    ])?;
    Ok(())
}

/// The transactions a block confirms once more: unconfirmed ones that were in the mempool by
/// `?1` (a block never includes a transaction the moment it is sent), then every block after.
const MINED: &str = "confirmations < required AND (confirmations > 0 OR seen_at <= ?1)";

impl SandboxLedger for SqliteLedger {
    fn create_invoice(&self, i: &SandboxInvoice) -> StoreResult<()> {
        lock(&self.writer)
            .prepare_cached(
                "INSERT INTO sandbox_invoices (ref, currency, network, address, amount, \
                 confirmations_required, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                i.reference,
                i.currency,
                i.network,
                i.address,
                i.amount.to_string(),
                i.confirmations_required,
                i.created_at_ms
            ])?;
        Ok(())
    }

    fn invoice(&self, reference: &str) -> StoreResult<Option<(SandboxInvoice, Vec<SandboxTx>)>> {
        let conn = lock(&self.reader);
        let invoice = conn
            .prepare_cached(
                "SELECT ref, currency, network, address, amount, confirmations_required, created_at \
                 FROM sandbox_invoices WHERE ref = ?1",
            )?
            .query_row([reference], invoice_row)
            .optional()?;
        let Some(invoice) = invoice else {
            return Ok(None);
        };
        let mut stmt = conn.prepare_cached(
            "SELECT txid, amount_units, confirmations, required, seen_at FROM sandbox_txs \
             WHERE invoice_ref = ?1 ORDER BY seen_at, rowid",
        )?;
        let txs = stmt
            .query_map([reference], tx_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Some((invoice, txs)))
    }

    fn add_tx(&self, reference: &str, amount_units: u128, now_ms: i64) -> StoreResult<SandboxTx> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let required: u32 = tx.query_row(
            "SELECT confirmations_required FROM sandbox_invoices WHERE ref = ?1",
            [reference],
            |r| r.get(0),
        )?;
        let sandbox_tx = SandboxTx {
            txid: format!("sbx_tx_{}", uuid::Uuid::new_v4().simple()),
            amount_units,
            confirmations: 0,
            required,
            seen_at_ms: now_ms,
        };
        tx.execute(
            "INSERT INTO sandbox_txs (txid, invoice_ref, amount_units, confirmations, required, seen_at) \
             VALUES (?1, ?2, ?3, 0, ?4, ?5)",
            params![sandbox_tx.txid, reference, amount_units.to_string(), required, now_ms],
        )?;
        queue_notification(&tx, reference, now_ms)?;
        tx.commit()?;
        Ok(sandbox_tx)
    }

    fn mine_block(&self, now_ms: i64, seen_by_ms: i64) -> StoreResult<usize> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let refs = {
            let mut stmt = tx.prepare_cached(&format!(
                "SELECT DISTINCT invoice_ref FROM sandbox_txs WHERE {MINED}"
            ))?;
            let refs = stmt
                .query_map([seen_by_ms], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            refs
        };
        if refs.is_empty() {
            return Ok(0);
        }
        tx.execute(
            &format!("UPDATE sandbox_txs SET confirmations = confirmations + 1 WHERE {MINED}"),
            [seen_by_ms],
        )?;
        for r in &refs {
            queue_notification(&tx, r, now_ms)?;
        }
        tx.commit()?;
        Ok(refs.len())
    }

    fn undelivered(&self, limit: u32) -> StoreResult<Vec<SandboxNotification>> {
        let conn = lock(&self.reader);
        let mut stmt = conn.prepare_cached(
            "SELECT event_id, invoice_ref, created_at FROM sandbox_notifications \
             WHERE delivered_at IS NULL ORDER BY created_at, rowid LIMIT ?1",
        )?;
        let rows = stmt
            .query_map([limit], |r| {
                Ok(SandboxNotification {
                    event_id: r.get(0)?,
                    invoice_ref: r.get(1)?,
                    created_at_ms: r.get(2)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    fn mark_delivered(&self, event_id: &str, now_ms: i64) -> StoreResult<()> {
        lock(&self.writer)
            .prepare_cached(
                "UPDATE sandbox_notifications SET delivered_at = ?2, attempts = attempts + 1 \
                 WHERE event_id = ?1",
            )?
            .execute(params![event_id, now_ms])?;
        Ok(())
    }

    fn note_attempt(&self, event_id: &str) -> StoreResult<()> {
        lock(&self.writer)
            .prepare_cached(
                "UPDATE sandbox_notifications SET attempts = attempts + 1 WHERE event_id = ?1",
            )?
            .execute([event_id])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::providers::sandbox::ledger::checks::{invoice, NOW};

    #[test]
    fn invoices_and_their_transactions_read_back_and_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("checkout.db");
        let ledger = SqliteLedger::open(&path).unwrap();
        ledger.create_invoice(&invoice("sbx_inv_1", 2)).unwrap();
        let tx = ledger.add_tx("sbx_inv_1", 25_000, NOW + 1).unwrap();
        assert_eq!((tx.confirmations, tx.required), (0, 2));
        assert!(ledger.add_tx("sbx_inv_9", 1, NOW).is_err());
        assert_eq!(ledger.invoice("sbx_inv_9").unwrap(), None);
        drop(ledger);
        // Opening again finds the tables there (as in databases made before the ledger had its
        // own schema) and keeps what they hold.
        let ledger = SqliteLedger::open(&path).unwrap();
        let (stored, txs) = ledger.invoice("sbx_inv_1").unwrap().unwrap();
        assert_eq!(stored, invoice("sbx_inv_1", 2));
        assert_eq!(txs, [tx]);
    }

    #[test]
    fn blocks_confirm_up_to_what_is_required_and_queue_one_notification_per_invoice() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = SqliteLedger::open(&dir.path().join("checkout.db")).unwrap();
        crate::providers::sandbox::ledger::checks::blocks_confirm_up_to_what_is_required(&ledger);
    }
}
