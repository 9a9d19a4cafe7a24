//! [`EvmStore`] over the `evm_*` tables (migration 7), as SQLite's: the same statements, with a
//! row lock where SQLite's single writer serialises.

use deadpool_postgres::GenericClient;
use protocol::Amount;
use tokio_postgres::Row;

use super::codec::bad_value;
use super::PostgresStore;
use crate::store::error::{StoreError, StoreResult};
use crate::store::evm::{BlockRef, EvmInvoice, EvmStore, EvmTransfer};

const INVOICE_COLUMNS: &str =
    "reference, network, address_index, address, coin, contract, amount, created_at";

/// Block numbers are BIGINT: every chain's fit, and one that does not is refused, not wrapped.
fn block_number(n: u64) -> StoreResult<i64> {
    i64::try_from(n).map_err(|_| bad_value("block number"))
}

fn invoice_row(r: &Row) -> StoreResult<EvmInvoice> {
    let index: i32 = r.try_get(2)?;
    let amount: String = r.try_get(6)?;
    Ok(EvmInvoice {
        reference: r.try_get(0)?,
        network: r.try_get(1)?,
        address_index: u32::try_from(index).map_err(|_| bad_value("address index"))?,
        address: r.try_get(3)?,
        coin: r.try_get(4)?,
        contract: r.try_get(5)?,
        amount: Amount::parse(&amount).map_err(|_| bad_value("amount"))?,
        created_at_ms: r.try_get(7)?,
    })
}

fn transfer_row(r: &Row) -> StoreResult<EvmTransfer> {
    let number: i64 = r.try_get(2)?;
    let amount: String = r.try_get(5)?;
    Ok(EvmTransfer {
        tx_hash: r.try_get(0)?,
        log_index: r.try_get(1)?,
        block_number: u64::try_from(number).map_err(|_| bad_value("block number"))?,
        block_hash: r.try_get(3)?,
        reference: r.try_get(4)?,
        amount_units: amount.parse().map_err(|_| bad_value("amount"))?,
        block_time_ms: r.try_get(6)?,
    })
}

async fn load_invoice(c: &impl GenericClient, reference: &str) -> StoreResult<Option<EvmInvoice>> {
    let stmt = c
        .prepare_cached(&format!(
            "SELECT {INVOICE_COLUMNS} FROM evm_invoices WHERE reference = $1"
        ))
        .await?;
    c.query_opt(&stmt, &[&reference])
        .await?
        .as_ref()
        .map(invoice_row)
        .transpose()
}

async fn references(
    c: &impl GenericClient,
    sql: &str,
    network: &str,
    block: i64,
) -> StoreResult<Vec<String>> {
    let stmt = c.prepare_cached(sql).await?;
    let rows = c.query(&stmt, &[&network, &block]).await?;
    Ok(rows
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?)
}

impl EvmStore for PostgresStore {
    fn open_invoice(
        &self,
        template: &EvmInvoice,
        derive: &dyn Fn(u32) -> anyhow::Result<String>,
    ) -> StoreResult<EvmInvoice> {
        self.run(async |c| {
            let tx = c.transaction().await?;
            // One opening per network at a time, so two instances never take the same index.
            tx.execute(
                "SELECT pg_advisory_xact_lock(hashtext('evm_invoices:' || $1))",
                &[&template.network],
            )
            .await?;
            if let Some(existing) = load_invoice(&tx, &template.reference).await? {
                return Ok(existing);
            }
            let next: i32 = tx
                .query_one(
                    "SELECT COALESCE(MAX(address_index) + 1, 0) FROM evm_invoices WHERE network = $1",
                    &[&template.network],
                )
                .await?
                .try_get(0)?;
            let index = u32::try_from(next).map_err(|_| bad_value("address index"))?;
            let invoice = EvmInvoice {
                address_index: index,
                address: derive(index).map_err(StoreError::Database)?,
                ..template.clone()
            };
            tx.execute(
                &format!(
                    "INSERT INTO evm_invoices ({INVOICE_COLUMNS}) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
                ),
                &[
                    &invoice.reference,
                    &invoice.network,
                    &next,
                    &invoice.address,
                    &invoice.coin,
                    &invoice.contract,
                    &invoice.amount.to_string(),
                    &invoice.created_at_ms,
                ],
            )
            .await?;
            tx.commit().await?;
            Ok(invoice)
        })
    }

    fn invoice(&self, reference: &str) -> StoreResult<Option<EvmInvoice>> {
        self.run(async |c| load_invoice(&*c, reference).await)
    }

    fn transfers(&self, reference: &str) -> StoreResult<Vec<EvmTransfer>> {
        self.run(async |c| {
            let stmt = c
                .prepare_cached(
                    "SELECT tx_hash, log_index, block_number, block_hash, reference, amount, \
                     block_time FROM evm_transfers WHERE reference = $1 \
                     ORDER BY block_number, log_index",
                )
                .await?;
            let rows = c.query(&stmt, &[&reference]).await?;
            rows.iter().map(transfer_row).collect()
        })
    }

    fn watched(&self, network: &str, since_ms: i64) -> StoreResult<Vec<EvmInvoice>> {
        self.run(async |c| {
            let stmt = c
                .prepare_cached(&format!(
                    "SELECT {INVOICE_COLUMNS} FROM evm_invoices \
                     WHERE network = $1 AND created_at >= $2"
                ))
                .await?;
            let rows = c.query(&stmt, &[&network, &since_ms]).await?;
            rows.iter().map(invoice_row).collect()
        })
    }

    fn next_block(&self, network: &str) -> StoreResult<Option<u64>> {
        self.run(async |c| {
            let row = c
                .query_opt(
                    "SELECT next_block FROM evm_cursors WHERE network = $1",
                    &[&network],
                )
                .await?;
            row.map(|r| {
                let n: i64 = r.try_get(0)?;
                u64::try_from(n).map_err(|_| bad_value("block number"))
            })
            .transpose()
        })
    }

    fn block_hash(&self, network: &str, number: u64) -> StoreResult<Option<String>> {
        let number = block_number(number)?;
        self.run(async |c| {
            let row = c
                .query_opt(
                    "SELECT hash FROM evm_blocks WHERE network = $1 AND number = $2",
                    &[&network, &number],
                )
                .await?;
            Ok(row.map(|r| r.try_get(0)).transpose()?)
        })
    }

    fn add_block(
        &self,
        network: &str,
        block: &BlockRef,
        transfers: &[EvmTransfer],
        keep: u64,
    ) -> StoreResult<()> {
        let number = block_number(block.number)?;
        let keep = block_number(keep)?;
        self.run(async |c| {
            let tx = c.transaction().await?;
            tx.execute(
                "INSERT INTO evm_blocks (network, number, hash) VALUES ($1, $2, $3) \
                 ON CONFLICT (network, number) DO UPDATE SET hash = excluded.hash",
                &[&network, &number, &block.hash],
            )
            .await?;
            for t in transfers {
                tx.execute(
                    "INSERT INTO evm_transfers (network, tx_hash, log_index, block_number, \
                     block_hash, reference, amount, block_time) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
                    &[
                        &network,
                        &t.tx_hash,
                        &t.log_index,
                        &block_number(t.block_number)?,
                        &t.block_hash,
                        &t.reference,
                        &t.amount_units.to_string(),
                        &t.block_time_ms,
                    ],
                )
                .await?;
            }
            tx.execute(
                "INSERT INTO evm_cursors (network, next_block) VALUES ($1, $2) \
                 ON CONFLICT (network) DO UPDATE SET next_block = excluded.next_block",
                &[&network, &(number + 1)],
            )
            .await?;
            tx.execute(
                "DELETE FROM evm_blocks WHERE network = $1 AND number + $2 < $3",
                &[&network, &keep, &number],
            )
            .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    fn rewind(&self, network: &str, fork: u64) -> StoreResult<Vec<String>> {
        let fork = block_number(fork)?;
        self.run(async |c| {
            let tx = c.transaction().await?;
            let dropped = references(
                &tx,
                "SELECT DISTINCT reference FROM evm_transfers \
                 WHERE network = $1 AND block_number > $2 ORDER BY reference",
                network,
                fork,
            )
            .await?;
            tx.execute(
                "DELETE FROM evm_transfers WHERE network = $1 AND block_number > $2",
                &[&network, &fork],
            )
            .await?;
            tx.execute(
                "DELETE FROM evm_blocks WHERE network = $1 AND number > $2",
                &[&network, &fork],
            )
            .await?;
            tx.execute(
                "UPDATE evm_cursors SET next_block = $2 WHERE network = $1",
                &[&network, &(fork + 1)],
            )
            .await?;
            tx.commit().await?;
            Ok(dropped)
        })
    }

    fn confirming(&self, network: &str, from: u64) -> StoreResult<Vec<String>> {
        let from = block_number(from)?;
        self.run(async |c| {
            references(
                &*c,
                "SELECT DISTINCT reference FROM evm_transfers \
                 WHERE network = $1 AND block_number >= $2 ORDER BY reference",
                network,
                from,
            )
            .await
        })
    }
}
