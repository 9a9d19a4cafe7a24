//! [`EvmStore`] over the `evm_*` tables (migration 7).

use protocol::Amount;
use rusqlite::{params, OptionalExtension, Row};

use super::codec::bad_value;
use super::SqliteStore;
use crate::store::error::StoreResult;
use crate::store::evm::{BlockRef, EvmInvoice, EvmStore, EvmTransfer};

const INVOICE_COLUMNS: &str =
    "reference, network, address_index, address, coin, contract, amount, created_at";

fn invoice_row(r: &Row<'_>) -> rusqlite::Result<EvmInvoice> {
    let amount: String = r.get(6)?;
    Ok(EvmInvoice {
        reference: r.get(0)?,
        network: r.get(1)?,
        address_index: r.get(2)?,
        address: r.get(3)?,
        coin: r.get(4)?,
        contract: r.get(5)?,
        amount: Amount::parse(&amount).map_err(|_| bad_value(6, "amount"))?,
        created_at_ms: r.get(7)?,
    })
}

fn transfer_row(r: &Row<'_>) -> rusqlite::Result<EvmTransfer> {
    let amount: String = r.get(5)?;
    Ok(EvmTransfer {
        tx_hash: r.get(0)?,
        log_index: r.get(1)?,
        block_number: r.get(2)?,
        block_hash: r.get(3)?,
        reference: r.get(4)?,
        amount_units: amount.parse().map_err(|_| bad_value(5, "amount"))?,
        block_time_ms: r.get(6)?,
    })
}

fn load_invoice(
    conn: &rusqlite::Connection,
    reference: &str,
) -> rusqlite::Result<Option<EvmInvoice>> {
    conn.prepare_cached(&format!(
        "SELECT {INVOICE_COLUMNS} FROM evm_invoices WHERE reference = ?1"
    ))?
    .query_row([reference], invoice_row)
    .optional()
}

impl EvmStore for SqliteStore {
    fn open_invoice(
        &self,
        template: &EvmInvoice,
        derive: &dyn Fn(u32) -> anyhow::Result<String>,
    ) -> StoreResult<EvmInvoice> {
        let mut conn = self.writer();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if let Some(existing) = load_invoice(&tx, &template.reference)? {
            return Ok(existing);
        }
        let next: u32 = tx
            .prepare_cached(
                "SELECT COALESCE(MAX(address_index) + 1, 0) FROM evm_invoices WHERE network = ?1",
            )?
            .query_row([&template.network], |r| r.get(0))?;
        let invoice = EvmInvoice {
            address_index: next,
            address: derive(next)?,
            ..template.clone()
        };
        tx.prepare_cached(&format!(
            "INSERT INTO evm_invoices ({INVOICE_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
        ))?
        .execute(params![
            invoice.reference,
            invoice.network,
            invoice.address_index,
            invoice.address,
            invoice.coin,
            invoice.contract,
            invoice.amount.to_string(),
            invoice.created_at_ms,
        ])?;
        tx.commit()?;
        Ok(invoice)
    }

    fn invoice(&self, reference: &str) -> StoreResult<Option<EvmInvoice>> {
        Ok(load_invoice(&self.reader(), reference)?)
    }

    fn transfers(&self, reference: &str) -> StoreResult<Vec<EvmTransfer>> {
        let conn = self.reader();
        let mut stmt = conn.prepare_cached(
            "SELECT tx_hash, log_index, block_number, block_hash, reference, amount, block_time \
             FROM evm_transfers WHERE reference = ?1 ORDER BY block_number, log_index",
        )?;
        let rows = stmt.query_map([reference], transfer_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn watched(&self, network: &str, since_ms: i64) -> StoreResult<Vec<EvmInvoice>> {
        let conn = self.reader();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {INVOICE_COLUMNS} FROM evm_invoices WHERE network = ?1 AND created_at >= ?2"
        ))?;
        let rows = stmt.query_map(params![network, since_ms], invoice_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn next_block(&self, network: &str) -> StoreResult<Option<u64>> {
        Ok(self
            .reader()
            .prepare_cached("SELECT next_block FROM evm_cursors WHERE network = ?1")?
            .query_row([network], |r| r.get(0))
            .optional()?)
    }

    fn block_hash(&self, network: &str, number: u64) -> StoreResult<Option<String>> {
        Ok(self
            .reader()
            .prepare_cached("SELECT hash FROM evm_blocks WHERE network = ?1 AND number = ?2")?
            .query_row(params![network, number], |r| r.get(0))
            .optional()?)
    }

    fn add_block(
        &self,
        network: &str,
        block: &BlockRef,
        transfers: &[EvmTransfer],
        keep: u64,
    ) -> StoreResult<()> {
        let mut conn = self.writer();
        let tx = conn.transaction()?;
        tx.prepare_cached(
            "INSERT OR REPLACE INTO evm_blocks (network, number, hash) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![network, block.number, block.hash])?;
        for t in transfers {
            tx.prepare_cached(
                "INSERT OR IGNORE INTO evm_transfers (network, tx_hash, log_index, block_number, \
                 block_hash, reference, amount, block_time) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                network,
                t.tx_hash,
                t.log_index,
                t.block_number,
                t.block_hash,
                t.reference,
                t.amount_units.to_string(),
                t.block_time_ms,
            ])?;
        }
        tx.prepare_cached(
            "INSERT INTO evm_cursors (network, next_block) VALUES (?1, ?2) \
             ON CONFLICT (network) DO UPDATE SET next_block = excluded.next_block",
        )?
        .execute(params![network, block.number + 1])?;
        tx.prepare_cached("DELETE FROM evm_blocks WHERE network = ?1 AND number + ?2 < ?3")?
            .execute(params![network, keep, block.number])?;
        tx.commit()?;
        Ok(())
    }

    fn rewind(&self, network: &str, fork: u64) -> StoreResult<Vec<String>> {
        let mut conn = self.writer();
        let tx = conn.transaction()?;
        let dropped = {
            let mut stmt = tx.prepare_cached(
                "SELECT DISTINCT reference FROM evm_transfers WHERE network = ?1 AND block_number > ?2",
            )?;
            let rows = stmt.query_map(params![network, fork], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<Vec<String>>>()?
        };
        tx.prepare_cached("DELETE FROM evm_transfers WHERE network = ?1 AND block_number > ?2")?
            .execute(params![network, fork])?;
        tx.prepare_cached("DELETE FROM evm_blocks WHERE network = ?1 AND number > ?2")?
            .execute(params![network, fork])?;
        tx.prepare_cached("UPDATE evm_cursors SET next_block = ?2 WHERE network = ?1")?
            .execute(params![network, fork + 1])?;
        tx.commit()?;
        Ok(dropped)
    }

    fn confirming(&self, network: &str, from: u64) -> StoreResult<Vec<String>> {
        let conn = self.reader();
        let mut stmt = conn.prepare_cached(
            "SELECT DISTINCT reference FROM evm_transfers WHERE network = ?1 AND block_number >= ?2",
        )?;
        let rows = stmt.query_map(params![network, from], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::conformance::evm::template;

    /// The next index comes from what is stored, so a reopened file carries on where it was.
    #[test]
    fn a_reopened_file_carries_on_with_the_next_index() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("checkout.db");
        let derive = |i: u32| Ok(format!("addr{i}"));
        let store = SqliteStore::open(&path).unwrap();
        for reference in ["a", "b"] {
            store
                .open_invoice(&template(reference, "ETHEREUM"), &derive)
                .unwrap();
        }
        drop(store);
        let reopened = SqliteStore::open(&path).unwrap();
        let next = reopened
            .open_invoice(&template("c", "ETHEREUM"), &derive)
            .unwrap();
        assert_eq!((next.address_index, next.address.as_str()), (2, "addr2"));
    }
}
