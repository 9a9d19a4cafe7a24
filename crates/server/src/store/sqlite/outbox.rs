//! The outbox in SQLite: the insert made inside a checkout's transaction, and the queries of
//! the delivery worker and the merchant API.

use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};

use super::codec::{bad_value, json_err};
use super::SqliteStore;
use crate::domain::merchant_event::Announcement;
use crate::store::error::StoreResult;
use crate::store::outbox::{
    AfterAttempt, Attempt, Delivery, DeliveryQuery, DeliveryState, OutboxBacklog, OutboxStore,
};

/// Queues one delivery per announcement, due when its change happened; called inside the
/// transaction that writes the change itself.
pub(super) fn queue(conn: &Connection, announcements: &[Announcement]) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO merchant_outbox (event_id, event_type, checkout_id, version, body, \
         next_attempt_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
    )?;
    for Announcement { at_ms, event } in announcements {
        let body = serde_json::to_string(event).map_err(json_err)?;
        stmt.execute(params![
            event.id,
            event.event_type,
            event.checkout_id,
            event.version as i64,
            body,
            at_ms
        ])?;
    }
    Ok(())
}

const COLUMNS: &str = "seq, event_id, event_type, checkout_id, version, body, state, attempts, \
     next_attempt_at, delivered_at, created_at";

fn delivery_row(row: &Row<'_>) -> rusqlite::Result<Delivery> {
    let state: String = row.get(6)?;
    let version: i64 = row.get(4)?;
    Ok(Delivery {
        seq: row.get(0)?,
        event_id: row.get(1)?,
        event_type: row.get(2)?,
        checkout_id: row.get(3)?,
        version: version as u64,
        body: row.get(5)?,
        state: DeliveryState::parse(&state).ok_or_else(|| bad_value(6, "delivery state"))?,
        attempts: row.get(7)?,
        next_attempt_at_ms: row.get(8)?,
        delivered_at_ms: row.get(9)?,
        created_at_ms: row.get(10)?,
    })
}

fn load(conn: &Connection, event_id: &str) -> rusqlite::Result<Option<Delivery>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM merchant_outbox WHERE event_id = ?1"
    ))?
    .query_row([event_id], delivery_row)
    .optional()
}

impl OutboxStore for SqliteStore {
    fn due(&self, now_ms: i64, limit: u32) -> StoreResult<Vec<Delivery>> {
        let conn = self.reader();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM merchant_outbox WHERE state = 'PENDING' \
             AND next_attempt_at <= ?1 ORDER BY next_attempt_at, seq LIMIT ?2"
        ))?;
        let rows = stmt
            .query_map(params![now_ms, limit], delivery_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    fn claim(&self, event_id: &str, now_ms: i64, lease_until_ms: i64) -> StoreResult<bool> {
        let n = self
            .writer()
            .prepare_cached(
                "UPDATE merchant_outbox SET next_attempt_at = ?3 WHERE event_id = ?1 \
                 AND state = 'PENDING' AND next_attempt_at <= ?2",
            )?
            .execute(params![event_id, now_ms, lease_until_ms])?;
        Ok(n == 1)
    }

    fn record_attempt(
        &self,
        event_id: &str,
        lease_until_ms: i64,
        attempt: &Attempt,
        after: AfterAttempt,
    ) -> StoreResult<()> {
        let mut conn = self.writer();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.prepare_cached(
            "INSERT INTO merchant_delivery_attempts (event_id, attempted_at, duration_ms, \
             http_status, error) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![
            event_id,
            attempt.at_ms,
            attempt.duration_ms,
            attempt.http_status,
            attempt.error
        ])?;
        let (state, next, delivered) = after.row_state(attempt.at_ms);
        tx.prepare_cached(
            "UPDATE merchant_outbox SET attempts = attempts + 1, \
             state = CASE WHEN next_attempt_at = ?5 THEN ?2 ELSE state END, \
             next_attempt_at = CASE WHEN next_attempt_at = ?5 THEN ?3 ELSE next_attempt_at END, \
             delivered_at = COALESCE(?4, delivered_at) WHERE event_id = ?1",
        )?
        .execute(params![
            event_id,
            state.as_str(),
            next,
            delivered,
            lease_until_ms
        ])?;
        tx.commit()?;
        Ok(())
    }

    fn deliveries(&self, q: &DeliveryQuery) -> StoreResult<Vec<Delivery>> {
        let conn = self.reader();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM merchant_outbox WHERE seq < ?1 \
             AND (?2 IS NULL OR state = ?2) AND (?3 IS NULL OR checkout_id = ?3) \
             ORDER BY seq DESC LIMIT ?4"
        ))?;
        let rows = stmt
            .query_map(
                params![
                    q.before_seq.unwrap_or(i64::MAX),
                    q.state.map(DeliveryState::as_str),
                    q.checkout_id,
                    q.limit
                ],
                delivery_row,
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    fn delivery(&self, event_id: &str) -> StoreResult<Option<(Delivery, Vec<Attempt>)>> {
        let conn = self.reader();
        let Some(d) = load(&conn, event_id)? else {
            return Ok(None);
        };
        let mut stmt = conn.prepare_cached(
            "SELECT attempted_at, duration_ms, http_status, error FROM merchant_delivery_attempts \
             WHERE event_id = ?1 ORDER BY id",
        )?;
        let attempts = stmt
            .query_map([event_id], |r| {
                Ok(Attempt {
                    at_ms: r.get(0)?,
                    duration_ms: r.get(1)?,
                    http_status: r.get(2)?,
                    error: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Some((d, attempts)))
    }

    fn redeliver(&self, event_id: &str, now_ms: i64) -> StoreResult<Option<Delivery>> {
        let conn = self.writer();
        conn.prepare_cached(
            "UPDATE merchant_outbox SET state = 'PENDING', next_attempt_at = ?2 WHERE event_id = ?1",
        )?
        .execute(params![event_id, now_ms])?;
        Ok(load(&conn, event_id)?)
    }

    fn backlog(&self) -> StoreResult<OutboxBacklog> {
        let conn = self.reader();
        let backlog = conn
            .prepare_cached(
                "SELECT count(*) FILTER (WHERE state = 'PENDING'), \
                 count(*) FILTER (WHERE state = 'FAILED'), \
                 min(created_at) FILTER (WHERE state = 'PENDING') \
                 FROM merchant_outbox WHERE state IN ('PENDING', 'FAILED')",
            )?
            .query_row([], |row| {
                Ok(OutboxBacklog {
                    pending: row.get::<_, i64>(0)?.max(0) as u64,
                    failed: row.get::<_, i64>(1)?.max(0) as u64,
                    oldest_pending_at_ms: row.get(2)?,
                })
            })?;
        Ok(backlog)
    }
}
