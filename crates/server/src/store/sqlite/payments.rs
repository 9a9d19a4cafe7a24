//! Payments: stored beside their checkout (the columns looked up by, the rest as JSON).

use rusqlite::{params, Connection, OptionalExtension};

use super::codec::{from_json, json_err};
use crate::domain::checkout::CheckoutRecord;
use crate::domain::payment::Payment;

/// Fills `record.payments`, oldest first.
pub fn load_into(conn: &Connection, record: &mut CheckoutRecord) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(
        "SELECT data FROM payments WHERE checkout_id = ?1 ORDER BY created_at, rowid",
    )?;
    let rows = stmt.query_map([&record.id], |r| r.get::<_, String>(0))?;
    for data in rows {
        record.payments.push(from_json(0, &data?)?);
    }
    Ok(())
}

/// Inserts `p`, or replaces what is known of it.
pub fn write(conn: &Connection, p: &Payment) -> rusqlite::Result<()> {
    let data = serde_json::to_string(p).map_err(json_err)?;
    conn.prepare_cached(
        // A new payment is due for its first re-read at once; an update keeps its schedule,
        // except that a settlement with a provider step left makes a payment nobody re-reads
        // any more due again.
        "INSERT INTO payments (id, checkout_id, provider, provider_ref, created_at, data, \
         recheck_at, settling) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?5, ?7) \
         ON CONFLICT (id) DO UPDATE SET data = excluded.data, settling = excluded.settling, \
         recheck_at = CASE WHEN excluded.settling THEN coalesce(recheck_at, excluded.recheck_at) \
         ELSE recheck_at END",
    )?
    .execute(params![
        p.id,
        p.checkout_id,
        p.provider,
        p.provider_ref,
        p.created_at_ms,
        data,
        p.settlement.is_some(),
    ])?;
    Ok(())
}

/// The payment `provider` knows as `provider_ref`.
pub fn by_ref(
    conn: &Connection,
    provider: &str,
    provider_ref: &str,
) -> rusqlite::Result<Option<Payment>> {
    let data: Option<String> = conn
        .prepare_cached("SELECT data FROM payments WHERE provider = ?1 AND provider_ref = ?2")?
        .query_row([provider, provider_ref], |r| r.get(0))
        .optional()?;
    data.map(|d| from_json(0, &d)).transpose()
}

/// Which payments `p` (of checkouts `c`) are still worth re-reading at `now_ms`: unpaid,
/// confirming or waiting for the merchant, expired ones whose address is still watched
/// (`window_ms` after expiry), and any whose settlement has a provider step left.
const OPEN: &str = "c.status IN ('WAITING_PAYMENT', 'PENDING_PAYMENT', 'CONFLICT') \
     OR (c.status = 'EXPIRED' AND c.expires_at + ?2 > ?1) OR p.settling";

/// Claims up to `limit` open payments due for a re-read, pushing their next turn to
/// `lease_until_ms` so that nobody else takes them meanwhile; returns each with its count of
/// failed re-reads in a row.
pub fn claim_due(
    conn: &Connection,
    now_ms: i64,
    window_ms: i64,
    lease_until_ms: i64,
    limit: u32,
) -> rusqlite::Result<Vec<(Payment, u32)>> {
    let sql = format!(
        "UPDATE payments SET recheck_at = ?3 WHERE id IN (\
           SELECT p.id FROM payments p JOIN checkouts c ON c.id = p.checkout_id \
           WHERE p.recheck_at IS NOT NULL AND p.recheck_at <= ?1 AND ({OPEN}) \
           ORDER BY p.recheck_at LIMIT ?4) \
         RETURNING data, recheck_failures"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![now_ms, window_ms, lease_until_ms, limit], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?))
    })?;
    let mut claimed = Vec::new();
    for row in rows {
        let (data, failures) = row?;
        claimed.push((from_json(0, &data)?, failures));
    }
    Ok(claimed)
}

/// When payment `id` is next due (`None`: never again) and its failures in a row.
pub fn schedule(
    conn: &Connection,
    id: &str,
    at_ms: Option<i64>,
    failures: u32,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE payments SET recheck_at = ?2, recheck_failures = ?3 WHERE id = ?1",
    )?
    .execute(params![id, at_ms, failures])?;
    Ok(())
}

/// Makes every open payment due now: after a stop, nobody knows what happened meanwhile.
pub fn all_open_due(conn: &Connection, now_ms: i64, window_ms: i64) -> rusqlite::Result<usize> {
    let sql = format!(
        "UPDATE payments SET recheck_at = ?1 WHERE recheck_at IS NOT NULL AND id IN (\
           SELECT p.id FROM payments p JOIN checkouts c ON c.id = p.checkout_id WHERE {OPEN})"
    );
    conn.prepare_cached(&sql)?
        .execute(params![now_ms, window_ms])
}

/// How many open payments there are, and since when the most overdue one has been due.
pub fn backlog(
    conn: &Connection,
    now_ms: i64,
    window_ms: i64,
) -> rusqlite::Result<(u64, Option<i64>)> {
    let sql = format!(
        "SELECT count(*), min(CASE WHEN p.recheck_at <= ?1 THEN p.recheck_at END) \
         FROM payments p JOIN checkouts c ON c.id = p.checkout_id \
         WHERE p.recheck_at IS NOT NULL AND ({OPEN})"
    );
    conn.prepare_cached(&sql)?
        .query_row(params![now_ms, window_ms], |r| Ok((r.get(0)?, r.get(1)?)))
}

pub fn checkout_of(conn: &Connection, payment_id: &str) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT checkout_id FROM payments WHERE id = ?1")?
        .query_row([payment_id], |r| r.get(0))
        .optional()
}
