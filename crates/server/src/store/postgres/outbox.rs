//! The outbox in PostgreSQL: the queries of the delivery worker and the merchant API (rows are
//! queued by `changes::queue` inside a checkout's transaction).

use deadpool_postgres::GenericClient;
use tokio_postgres::Row;

use super::codec::bad_value;
use super::PostgresStore;
use crate::store::error::StoreResult;
use crate::store::outbox::{
    AfterAttempt, Attempt, Delivery, DeliveryQuery, DeliveryState, OutboxBacklog, OutboxStore,
};

const COLUMNS: &str = "seq, event_id, event_type, checkout_id, version, body, state, attempts, \
     next_attempt_at, delivered_at, created_at";

fn delivery_row(row: &Row) -> StoreResult<Delivery> {
    let state: String = row.try_get(6)?;
    let version: i64 = row.try_get(4)?;
    let attempts: i32 = row.try_get(7)?;
    Ok(Delivery {
        seq: row.try_get(0)?,
        event_id: row.try_get(1)?,
        event_type: row.try_get(2)?,
        checkout_id: row.try_get(3)?,
        version: version as u64,
        body: row.try_get(5)?,
        state: DeliveryState::parse(&state).ok_or_else(|| bad_value("delivery state"))?,
        attempts: attempts as u32,
        next_attempt_at_ms: row.try_get(8)?,
        delivered_at_ms: row.try_get(9)?,
        created_at_ms: row.try_get(10)?,
    })
}

async fn load(c: &impl GenericClient, event_id: &str) -> StoreResult<Option<Delivery>> {
    let sql = format!("SELECT {COLUMNS} FROM merchant_outbox WHERE event_id = $1");
    let stmt = c.prepare_cached(&sql).await?;
    c.query_opt(&stmt, &[&event_id])
        .await?
        .map(|r| delivery_row(&r))
        .transpose()
}

async fn attempts(c: &impl GenericClient, event_id: &str) -> StoreResult<Vec<Attempt>> {
    let stmt = c
        .prepare_cached(
            "SELECT attempted_at, duration_ms, http_status, error FROM merchant_delivery_attempts \
             WHERE event_id = $1 ORDER BY id",
        )
        .await?;
    let mut found = Vec::new();
    for r in c.query(&stmt, &[&event_id]).await? {
        let status: Option<i32> = r.try_get(2)?;
        found.push(Attempt {
            at_ms: r.try_get(0)?,
            duration_ms: r.try_get(1)?,
            http_status: status.map(|s| s as u16),
            error: r.try_get(3)?,
        });
    }
    Ok(found)
}

async fn insert_attempt(
    c: &impl GenericClient,
    event_id: &str,
    attempt: &Attempt,
) -> StoreResult<()> {
    let stmt = c
        .prepare_cached(
            "INSERT INTO merchant_delivery_attempts (event_id, attempted_at, duration_ms, \
             http_status, error) VALUES ($1, $2, $3, $4, $5)",
        )
        .await?;
    let status = attempt.http_status.map(i32::from);
    c.execute(
        &stmt,
        &[
            &event_id,
            &attempt.at_ms,
            &attempt.duration_ms,
            &status,
            &attempt.error,
        ],
    )
    .await?;
    Ok(())
}

impl OutboxStore for PostgresStore {
    fn due(&self, now_ms: i64, limit: u32) -> StoreResult<Vec<Delivery>> {
        self.run(async |c| {
            let sql = format!(
                "SELECT {COLUMNS} FROM merchant_outbox WHERE state = 'PENDING' \
                 AND next_attempt_at <= $1 ORDER BY next_attempt_at, seq LIMIT $2"
            );
            let stmt = c.prepare_cached(&sql).await?;
            let rows = c.query(&stmt, &[&now_ms, &i64::from(limit)]).await?;
            rows.iter().map(delivery_row).collect()
        })
    }

    fn claim(&self, event_id: &str, now_ms: i64, lease_until_ms: i64) -> StoreResult<bool> {
        self.run(async |c| {
            let stmt = c
                .prepare_cached(
                    "UPDATE merchant_outbox SET next_attempt_at = $3 WHERE event_id = $1 \
                     AND state = 'PENDING' AND next_attempt_at <= $2",
                )
                .await?;
            let n = c
                .execute(&stmt, &[&event_id, &now_ms, &lease_until_ms])
                .await?;
            Ok(n == 1)
        })
    }

    fn claim_due(
        &self,
        now_ms: i64,
        limit: u32,
        lease_until_ms: i64,
    ) -> StoreResult<Vec<Delivery>> {
        self.run(async |c| {
            // Rows another instance's claim has locked are skipped, not waited for; once its
            // claim commits they are no longer due (their next attempt is its lease's end).
            let sql = format!(
                "WITH picked AS (SELECT seq AS picked_seq FROM merchant_outbox \
                 WHERE state = 'PENDING' AND next_attempt_at <= $1 \
                 ORDER BY next_attempt_at, seq LIMIT $2 FOR UPDATE SKIP LOCKED) \
                 UPDATE merchant_outbox SET next_attempt_at = $3 FROM picked \
                 WHERE seq = picked_seq RETURNING {COLUMNS}"
            );
            let stmt = c.prepare_cached(&sql).await?;
            let rows = c
                .query(&stmt, &[&now_ms, &i64::from(limit), &lease_until_ms])
                .await?;
            let mut claimed = rows
                .iter()
                .map(delivery_row)
                .collect::<StoreResult<Vec<_>>>()?;
            claimed.sort_by_key(|d| d.seq);
            Ok(claimed)
        })
    }

    fn record_attempt(
        &self,
        event_id: &str,
        lease_until_ms: i64,
        attempt: &Attempt,
        after: AfterAttempt,
    ) -> StoreResult<()> {
        let (state, next, delivered) = after.row_state(attempt.at_ms);
        self.run(async |c| {
            let tx = c.transaction().await?;
            insert_attempt(&tx, event_id, attempt).await?;
            let stmt = tx
                .prepare_cached(
                    "UPDATE merchant_outbox SET attempts = attempts + 1, \
                     state = CASE WHEN next_attempt_at = $5 THEN $2 ELSE state END, \
                     next_attempt_at = CASE WHEN next_attempt_at = $5 THEN $3 \
                       ELSE next_attempt_at END, \
                     delivered_at = COALESCE($4, delivered_at) WHERE event_id = $1",
                )
                .await?;
            let params: [&(dyn tokio_postgres::types::ToSql + Sync); 5] = [
                &event_id,
                &state.as_str(),
                &next,
                &delivered,
                &lease_until_ms,
            ];
            tx.execute(&stmt, &params).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    fn deliveries(&self, q: &DeliveryQuery) -> StoreResult<Vec<Delivery>> {
        self.run(async |c| {
            let sql = format!(
                "SELECT {COLUMNS} FROM merchant_outbox WHERE seq < $1 \
                 AND ($2::text IS NULL OR state = $2) AND ($3::text IS NULL OR checkout_id = $3) \
                 ORDER BY seq DESC LIMIT $4"
            );
            let stmt = c.prepare_cached(&sql).await?;
            let before = q.before_seq.unwrap_or(i64::MAX);
            let state = q.state.map(DeliveryState::as_str);
            let limit = i64::from(q.limit);
            let rows = c
                .query(&stmt, &[&before, &state, &q.checkout_id, &limit])
                .await?;
            rows.iter().map(delivery_row).collect()
        })
    }

    fn delivery(&self, event_id: &str) -> StoreResult<Option<(Delivery, Vec<Attempt>)>> {
        self.run(async |c| {
            let Some(d) = load(&*c, event_id).await? else {
                return Ok(None);
            };
            Ok(Some((d, attempts(&*c, event_id).await?)))
        })
    }

    fn redeliver(&self, event_id: &str, now_ms: i64) -> StoreResult<Option<Delivery>> {
        self.run(async |c| {
            let stmt = c
                .prepare_cached(
                    "UPDATE merchant_outbox SET state = 'PENDING', next_attempt_at = $2 \
                     WHERE event_id = $1",
                )
                .await?;
            c.execute(&stmt, &[&event_id, &now_ms]).await?;
            load(&*c, event_id).await
        })
    }

    fn backlog(&self) -> StoreResult<OutboxBacklog> {
        self.run(async |c| {
            let row = c
                .query_one(
                    "SELECT count(*) FILTER (WHERE state = 'PENDING'), \
                     count(*) FILTER (WHERE state = 'FAILED'), \
                     min(created_at) FILTER (WHERE state = 'PENDING') \
                     FROM merchant_outbox WHERE state IN ('PENDING', 'FAILED')",
                    &[],
                )
                .await?;
            Ok(OutboxBacklog {
                pending: row.get::<_, i64>(0).max(0) as u64,
                failed: row.get::<_, i64>(1).max(0) as u64,
                oldest_pending_at_ms: row.get(2),
            })
        })
    }
}
