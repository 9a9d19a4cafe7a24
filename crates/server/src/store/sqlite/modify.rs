//! The two transactions that write a checkout, its payments, its change feed and its merchant
//! events together or not at all: creating one, and the read-modify-write of one.

use rusqlite::{Connection, TransactionBehavior};

use super::{changes, checkouts, inbound, openings, payments};
use crate::domain::checkout::CheckoutRecord;
use crate::store::error::{StoreError, StoreResult};
use crate::store::{InboundEvent, Modify, Mutation};

/// Inserts `checkout` unless its `client_order_id` is taken; then the existing checkout comes
/// back with `false` and nothing is written.
pub fn insert(
    conn: &mut Connection,
    checkout: &CheckoutRecord,
) -> StoreResult<(CheckoutRecord, bool)> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if let Some(key) = &checkout.client_order_id {
        if let Some(id) = checkouts::id_of_client_order(&tx, key)? {
            let record = checkouts::load(&tx, &id)?
                .ok_or_else(|| StoreError::Database(anyhow::anyhow!("checkout vanished")))?;
            return Ok((record, false));
        }
    }
    checkouts::write(&tx, checkout, true)?;
    for p in &checkout.payments {
        payments::write(&tx, p)?;
    }
    changes::write(&tx, None, checkout)?;
    tx.commit()?;
    let mut stored = checkout.clone();
    stored.changes.clear();
    Ok((stored, true))
}

/// Loads checkout `id`, runs `mutation` on it and writes what changed. With `inbound`, the
/// event is recorded first; a duplicate stops everything. An error from `mutation` rolls
/// everything back, the inbound event included (so the provider's retry is processed).
pub fn modify(
    conn: &mut Connection,
    id: &str,
    inbound: Option<&InboundEvent>,
    mutation: Mutation<'_>,
) -> StoreResult<Modify> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if let Some(event) = inbound {
        if !inbound::insert(&tx, event)? {
            return Ok(Modify::DuplicateEvent);
        }
    }
    let Some(mut record) = checkouts::load(&tx, id)? else {
        return Ok(Modify::NotFound);
    };
    let before = record.clone();
    mutation(&mut record)?;
    let changed = record != before;
    if changed {
        checkouts::write(&tx, &record, false)?;
        for p in &record.payments {
            let stored = before.payment(&p.id);
            if stored != Some(p) {
                payments::write(&tx, p)?;
            }
            if stored.is_none() {
                // Its opening is over, in the same transaction (see `store::opening`).
                openings::consume(&tx, &p.id)?;
            }
        }
        changes::write(&tx, Some(&before), &record)?;
    }
    tx.commit()?;
    record.changes.clear();
    Ok(Modify::Applied {
        record: Box::new(record),
        changed,
    })
}
