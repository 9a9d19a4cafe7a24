//! The two transactions that write a checkout, its payments, its change feed and its merchant
//! events together or not at all: creating one, and the read-modify-write of one (the twin of
//! `sqlite/modify.rs`).
//!
//! SQLite serialises these through its one writer. Here several connections (and later several
//! instances) write at once, so the read-modify-write locks the checkout's row (`FOR UPDATE`)
//! before reading it, and the inserts that decide "already there" (`client_order_id`, the
//! inbound event id) are `ON CONFLICT DO NOTHING`, which waits for a concurrent twin's
//! transaction instead of failing.

use deadpool_postgres::{Client, GenericClient};

use super::{changes, checkouts, inbound, openings, payments};
use crate::domain::checkout::CheckoutRecord;
use crate::store::error::{StoreError, StoreResult};
use crate::store::{InboundEvent, Modify, Mutation};

/// Inserts `checkout` unless its `client_order_id` is taken; then the existing checkout comes
/// back with `false` and nothing is written.
pub async fn insert(
    c: &mut Client,
    checkout: &CheckoutRecord,
) -> StoreResult<(CheckoutRecord, bool)> {
    let tx = c.transaction().await?;
    if !checkouts::insert(&tx, checkout).await? {
        let key = checkout.client_order_id.as_deref().unwrap_or_default();
        let existing = match checkouts::id_of_client_order(&tx, key).await? {
            Some(id) => checkouts::load(&tx, &id, false).await?,
            None => None,
        };
        let record =
            existing.ok_or_else(|| StoreError::Database(anyhow::anyhow!("checkout vanished")))?;
        return Ok((record, false));
    }
    for p in &checkout.payments {
        payments::write(&tx, p).await?;
    }
    changes::write(&tx, None, checkout).await?;
    tx.commit().await?;
    let mut stored = checkout.clone();
    stored.changes.clear();
    Ok((stored, true))
}

/// Loads checkout `id`, runs `mutation` on it and writes what changed. With `inbound`, the
/// event is recorded first; a duplicate stops everything. An error from `mutation` rolls
/// everything back, the inbound event included (so the provider's retry is processed).
pub async fn modify(
    c: &mut Client,
    id: &str,
    inbound: Option<&InboundEvent>,
    mutation: Mutation<'_>,
) -> StoreResult<Modify> {
    let tx = c.transaction().await?;
    if let Some(event) = inbound {
        if !inbound::insert(&tx, event).await? {
            return Ok(Modify::DuplicateEvent);
        }
    }
    let Some(mut record) = checkouts::load(&tx, id, true).await? else {
        return Ok(Modify::NotFound);
    };
    let before = record.clone();
    mutation(&mut record)?;
    let changed = record != before;
    if changed {
        write_changes(&tx, &before, &record).await?;
    }
    tx.commit().await?;
    record.changes.clear();
    Ok(Modify::Applied {
        record: Box::new(record),
        changed,
    })
}

/// The record, the payments that changed, the end of a new payment's opening, the change feed.
async fn write_changes(
    tx: &impl GenericClient,
    before: &CheckoutRecord,
    record: &CheckoutRecord,
) -> StoreResult<()> {
    checkouts::update(tx, record).await?;
    for p in &record.payments {
        let stored = before.payment(&p.id);
        if stored != Some(p) {
            payments::write(tx, p).await?;
        }
        if stored.is_none() {
            // Its opening is over, in the same transaction (see `store::opening`).
            openings::consume(tx, &p.id).await?;
        }
    }
    changes::write(tx, Some(before), record).await
}
