//! Checkout rows: the columns the server queries by, the merchant's settings as JSON beside
//! them, the payments loaded with them.

use protocol::{CheckoutStatus, Exception};
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::codec::{bad_value, from_json, json_err};
use super::payments;
use crate::domain::checkout::CheckoutRecord;
use crate::domain::state_machine::CheckoutState;
use crate::store::ListQuery;

const COLUMNS: &str = "id, client_order_id, external_id, widget_key, spec, status, \
     exception, active_payment_id, funds_seen, version, expires_at, created_at, updated_at";

/// A checkout row without its payments.
fn row(row: &Row<'_>) -> rusqlite::Result<CheckoutRecord> {
    let spec: String = row.get(4)?;
    let status: String = row.get(5)?;
    let exception: Option<String> = row.get(6)?;
    let version: i64 = row.get(9)?;
    Ok(CheckoutRecord {
        id: row.get(0)?,
        client_order_id: row.get(1)?,
        external_id: row.get(2)?,
        widget_key: row.get(3)?,
        spec: from_json(4, &spec)?,
        state: CheckoutState {
            status: CheckoutStatus::parse(&status).ok_or_else(|| bad_value(5, "status"))?,
            exception: match exception {
                Some(e) => Some(Exception::parse(&e).ok_or_else(|| bad_value(6, "exception"))?),
                None => None,
            },
            active_payment: row.get(7)?,
            expires_at_ms: row.get(10)?,
            funds_seen: row.get(8)?,
        },
        version: version as u64,
        created_at_ms: row.get(11)?,
        updated_at_ms: row.get(12)?,
        payments: Vec::new(),
        changes: Vec::new(),
    })
}

pub fn load(conn: &Connection, id: &str) -> rusqlite::Result<Option<CheckoutRecord>> {
    let sql = format!("SELECT {COLUMNS} FROM checkouts WHERE id = ?1");
    let record = conn.prepare_cached(&sql)?.query_row([id], row).optional()?;
    match record {
        Some(mut r) => {
            payments::load_into(conn, &mut r)?;
            Ok(Some(r))
        }
        None => Ok(None),
    }
}

/// The id of the checkout created under `client_order_id`, if any.
pub fn id_of_client_order(
    conn: &Connection,
    client_order_id: &str,
) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT id FROM checkouts WHERE client_order_id = ?1")?
        .query_row([client_order_id], |r| r.get(0))
        .optional()
}

fn load_many(
    conn: &Connection,
    sql: &str,
    params: &[&dyn rusqlite::ToSql],
) -> rusqlite::Result<Vec<CheckoutRecord>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut records = stmt
        .query_map(params, row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for r in &mut records {
        payments::load_into(conn, r)?;
    }
    Ok(records)
}

/// Newest first, from the cursor on.
pub fn list(conn: &Connection, q: &ListQuery) -> rusqlite::Result<Vec<CheckoutRecord>> {
    let (before_ms, before_id) = q.before.clone().unwrap_or((i64::MAX, String::new()));
    let status = q.status.map(|s| s.as_str());
    let sql = format!(
        "SELECT {COLUMNS} FROM checkouts \
         WHERE (?1 IS NULL OR status = ?1) \
           AND (created_at < ?2 OR (created_at = ?2 AND (?3 = '' OR id < ?3))) \
         ORDER BY created_at DESC, id DESC LIMIT ?4"
    );
    load_many(
        conn,
        &sql,
        &[&status, &before_ms, &before_id, &i64::from(q.limit)],
    )
}

/// Every checkout opened from widget `key`, oldest first.
pub fn of_widget(conn: &Connection, key: &str) -> rusqlite::Result<Vec<CheckoutRecord>> {
    let sql =
        format!("SELECT {COLUMNS} FROM checkouts WHERE widget_key = ?1 ORDER BY created_at, id");
    load_many(conn, &sql, &[&key])
}

/// Ids of unpaid NEW / WAITING_PAYMENT checkouts whose expiry has passed, soonest first.
pub fn expiry_candidates(
    conn: &Connection,
    now_ms: i64,
    limit: u32,
) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM checkouts WHERE status IN ('NEW', 'WAITING_PAYMENT') \
         AND funds_seen = 0 AND expires_at <= ?1 ORDER BY expires_at LIMIT ?2",
    )?;
    let ids = stmt
        .query_map(params![now_ms, limit], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(ids)
}

/// Writes the checkout's own row (not its payments nor its changes).
pub fn write(conn: &Connection, r: &CheckoutRecord, insert: bool) -> rusqlite::Result<()> {
    let spec = serde_json::to_string(&r.spec).map_err(json_err)?;
    let sql = if insert {
        "INSERT INTO checkouts (id, client_order_id, external_id, widget_key, spec, status, \
         exception, active_payment_id, funds_seen, version, expires_at, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
    } else {
        "UPDATE checkouts SET client_order_id = ?2, external_id = ?3, widget_key = ?4, spec = ?5, \
         status = ?6, exception = ?7, active_payment_id = ?8, funds_seen = ?9, version = ?10, \
         expires_at = ?11, created_at = ?12, updated_at = ?13 WHERE id = ?1"
    };
    conn.prepare_cached(sql)?.execute(params![
        r.id,
        r.client_order_id,
        r.external_id,
        r.widget_key,
        spec,
        r.state.status.as_str(),
        r.state.exception.map(|e| e.as_str()),
        r.state.active_payment,
        r.state.funds_seen,
        r.version as i64,
        r.state.expires_at_ms,
        r.created_at_ms,
        r.updated_at_ms,
    ])?;
    Ok(())
}
