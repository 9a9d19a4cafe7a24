//! Payments: stored beside their checkout (the columns looked up by, the rest as JSON), and the
//! reconciler's schedule on them (the twin of `sqlite/payments.rs`).

use deadpool_postgres::GenericClient;

use super::codec::{from_json, to_json};
use crate::domain::checkout::CheckoutRecord;
use crate::domain::payment::Payment;
use crate::store::error::StoreResult;

/// Fills `record.payments`, oldest first (in the order stored when created together).
pub async fn load_into(c: &impl GenericClient, record: &mut CheckoutRecord) -> StoreResult<()> {
    let stmt = c
        .prepare_cached("SELECT data FROM payments WHERE checkout_id = $1 ORDER BY created_at, seq")
        .await?;
    for row in c.query(&stmt, &[&record.id]).await? {
        let data: String = row.try_get(0)?;
        record.payments.push(from_json("payment", &data)?);
    }
    Ok(())
}

/// Inserts `p`, or replaces what is known of it.
pub async fn write(c: &impl GenericClient, p: &Payment) -> StoreResult<()> {
    let data = to_json(p)?;
    let stmt = c
        .prepare_cached(
            // A new payment is due for its first re-read at once; an update keeps its
            // schedule, except that a settlement with a provider step left makes a payment
            // nobody re-reads any more due again.
            "INSERT INTO payments (id, checkout_id, provider, provider_ref, created_at, data, \
             recheck_at, settling) VALUES ($1, $2, $3, $4, $5, $6, $5, $7) \
             ON CONFLICT (id) DO UPDATE SET data = excluded.data, settling = excluded.settling, \
             recheck_at = CASE WHEN excluded.settling \
               THEN coalesce(payments.recheck_at, excluded.recheck_at) \
               ELSE payments.recheck_at END",
        )
        .await?;
    let settling = p.settlement.is_some();
    c.execute(
        &stmt,
        &[
            &p.id,
            &p.checkout_id,
            &p.provider,
            &p.provider_ref,
            &p.created_at_ms,
            &data,
            &settling,
        ],
    )
    .await?;
    Ok(())
}

/// The payment `provider` knows as `provider_ref`.
pub async fn by_ref(
    c: &impl GenericClient,
    provider: &str,
    provider_ref: &str,
) -> StoreResult<Option<Payment>> {
    let stmt = c
        .prepare_cached("SELECT data FROM payments WHERE provider = $1 AND provider_ref = $2")
        .await?;
    match c.query_opt(&stmt, &[&provider, &provider_ref]).await? {
        Some(row) => Ok(Some(from_json("payment", &row.try_get::<_, String>(0)?)?)),
        None => Ok(None),
    }
}

pub async fn checkout_of(c: &impl GenericClient, payment_id: &str) -> StoreResult<Option<String>> {
    let stmt = c
        .prepare_cached("SELECT checkout_id FROM payments WHERE id = $1")
        .await?;
    let found = c.query_opt(&stmt, &[&payment_id]).await?;
    Ok(found.map(|r| r.try_get(0)).transpose()?)
}

/// Which payments `p` (of checkouts `c`) are still worth re-reading at `$1`: unpaid, confirming
/// or waiting for the merchant, expired ones whose address is still watched (`$2` after
/// expiry), and any whose settlement has a provider step left.
const OPEN: &str = "c.status IN ('WAITING_PAYMENT', 'PENDING_PAYMENT', 'CONFLICT') \
     OR (c.status = 'EXPIRED' AND c.expires_at + $2 > $1) OR p.settling";

/// Claims up to `limit` open payments due for a re-read, pushing their next turn to
/// `lease_until_ms`; rows another instance is claiming right now are skipped, not waited for.
pub async fn claim_due(
    c: &impl GenericClient,
    now_ms: i64,
    window_ms: i64,
    lease_until_ms: i64,
    limit: u32,
) -> StoreResult<Vec<(Payment, u32)>> {
    let sql = format!(
        "UPDATE payments SET recheck_at = $3 WHERE id IN (\
           SELECT p.id FROM payments p JOIN checkouts c ON c.id = p.checkout_id \
           WHERE p.recheck_at IS NOT NULL AND p.recheck_at <= $1 AND ({OPEN}) \
           ORDER BY p.recheck_at LIMIT $4 FOR UPDATE OF p SKIP LOCKED) \
         RETURNING data, recheck_failures"
    );
    let stmt = c.prepare_cached(&sql).await?;
    let rows = c
        .query(
            &stmt,
            &[&now_ms, &window_ms, &lease_until_ms, &i64::from(limit)],
        )
        .await?;
    let mut claimed = Vec::new();
    for row in rows {
        let data: String = row.try_get(0)?;
        let failures: i32 = row.try_get(1)?;
        claimed.push((from_json("payment", &data)?, failures as u32));
    }
    Ok(claimed)
}

/// When payment `id` is next due (`None`: never again) and its failures in a row.
pub async fn schedule(
    c: &impl GenericClient,
    id: &str,
    at_ms: Option<i64>,
    failures: u32,
) -> StoreResult<()> {
    let stmt = c
        .prepare_cached("UPDATE payments SET recheck_at = $2, recheck_failures = $3 WHERE id = $1")
        .await?;
    let failures = i32::try_from(failures).unwrap_or(i32::MAX);
    c.execute(&stmt, &[&id, &at_ms, &failures]).await?;
    Ok(())
}

/// Makes every open payment due now: after a stop, nobody knows what happened meanwhile.
pub async fn all_open_due(
    c: &impl GenericClient,
    now_ms: i64,
    window_ms: i64,
) -> StoreResult<usize> {
    let sql = format!(
        "UPDATE payments SET recheck_at = $1 WHERE recheck_at IS NOT NULL AND id IN (\
           SELECT p.id FROM payments p JOIN checkouts c ON c.id = p.checkout_id WHERE {OPEN})"
    );
    let stmt = c.prepare_cached(&sql).await?;
    Ok(c.execute(&stmt, &[&now_ms, &window_ms]).await? as usize)
}

/// How many open payments there are, and since when the most overdue one has been due.
pub async fn backlog(
    c: &impl GenericClient,
    now_ms: i64,
    window_ms: i64,
) -> StoreResult<(u64, Option<i64>)> {
    let sql = format!(
        "SELECT count(*), min(CASE WHEN p.recheck_at <= $1 THEN p.recheck_at END) \
         FROM payments p JOIN checkouts c ON c.id = p.checkout_id \
         WHERE p.recheck_at IS NOT NULL AND ({OPEN})"
    );
    let stmt = c.prepare_cached(&sql).await?;
    let row = c.query_one(&stmt, &[&now_ms, &window_ms]).await?;
    let open: i64 = row.try_get(0)?;
    Ok((open as u64, row.try_get(1)?))
}
