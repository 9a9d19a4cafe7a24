//! Checkout rows: the columns the server queries by, the merchant's settings as JSON beside
//! them, the payments loaded with them (the twin of `sqlite/checkouts.rs`).

use deadpool_postgres::GenericClient;
use protocol::{CheckoutStatus, Exception};
use tokio_postgres::Row;

use super::codec::{bad_value, from_json, to_json};
use super::payments;
use crate::domain::checkout::CheckoutRecord;
use crate::domain::state_machine::CheckoutState;
use crate::store::error::StoreResult;
use crate::store::ListQuery;

const COLUMNS: &str = "id, client_order_id, external_id, widget_key, spec, status, \
     exception, active_payment_id, funds_seen, version, expires_at, created_at, updated_at";

/// A checkout row without its payments.
fn row(row: &Row) -> StoreResult<CheckoutRecord> {
    let spec: String = row.try_get(4)?;
    let status: String = row.try_get(5)?;
    let exception: Option<String> = row.try_get(6)?;
    let version: i64 = row.try_get(9)?;
    Ok(CheckoutRecord {
        id: row.try_get(0)?,
        client_order_id: row.try_get(1)?,
        external_id: row.try_get(2)?,
        widget_key: row.try_get(3)?,
        spec: from_json("checkout settings", &spec)?,
        state: CheckoutState {
            status: CheckoutStatus::parse(&status).ok_or_else(|| bad_value("status"))?,
            exception: match exception {
                Some(e) => Some(Exception::parse(&e).ok_or_else(|| bad_value("exception"))?),
                None => None,
            },
            active_payment: row.try_get(7)?,
            expires_at_ms: row.try_get(10)?,
            funds_seen: row.try_get(8)?,
        },
        version: version as u64,
        created_at_ms: row.try_get(11)?,
        updated_at_ms: row.try_get(12)?,
        payments: Vec::new(),
        changes: Vec::new(),
    })
}

/// Checkout `id` with its payments; `for_update` locks its row until the transaction ends (the
/// read-modify-write of one checkout, which SQLite gets from its single writer).
pub async fn load(
    c: &impl GenericClient,
    id: &str,
    for_update: bool,
) -> StoreResult<Option<CheckoutRecord>> {
    let lock = if for_update { " FOR UPDATE" } else { "" };
    let sql = format!("SELECT {COLUMNS} FROM checkouts WHERE id = $1{lock}");
    let stmt = c.prepare_cached(&sql).await?;
    let Some(found) = c.query_opt(&stmt, &[&id]).await? else {
        return Ok(None);
    };
    let mut record = row(&found)?;
    payments::load_into(c, &mut record).await?;
    Ok(Some(record))
}

/// The id of the checkout created under `client_order_id`, if any.
pub async fn id_of_client_order(
    c: &impl GenericClient,
    client_order_id: &str,
) -> StoreResult<Option<String>> {
    let stmt = c
        .prepare_cached("SELECT id FROM checkouts WHERE client_order_id = $1")
        .await?;
    let found = c.query_opt(&stmt, &[&client_order_id]).await?;
    Ok(found.map(|r| r.try_get(0)).transpose()?)
}

async fn load_many(
    c: &impl GenericClient,
    sql: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> StoreResult<Vec<CheckoutRecord>> {
    let stmt = c.prepare_cached(sql).await?;
    let mut records = Vec::new();
    for found in c.query(&stmt, params).await? {
        let mut record = row(&found)?;
        payments::load_into(c, &mut record).await?;
        records.push(record);
    }
    Ok(records)
}

/// Newest first, from the cursor on.
pub async fn list(c: &impl GenericClient, q: &ListQuery) -> StoreResult<Vec<CheckoutRecord>> {
    let (before_ms, before_id) = q.before.clone().unwrap_or((i64::MAX, String::new()));
    let status = q.status.map(|s| s.as_str());
    let sql = format!(
        "SELECT {COLUMNS} FROM checkouts \
         WHERE ($1::text IS NULL OR status = $1) \
           AND (created_at < $2 OR (created_at = $2 AND ($3 = '' OR id < $3))) \
         ORDER BY created_at DESC, id DESC LIMIT $4"
    );
    let limit = i64::from(q.limit);
    load_many(c, &sql, &[&status, &before_ms, &before_id, &limit]).await
}

/// Every checkout opened from widget `key`, oldest first.
pub async fn of_widget(c: &impl GenericClient, key: &str) -> StoreResult<Vec<CheckoutRecord>> {
    let sql =
        format!("SELECT {COLUMNS} FROM checkouts WHERE widget_key = $1 ORDER BY created_at, id");
    load_many(c, &sql, &[&key]).await
}

/// Ids of unpaid NEW / WAITING_PAYMENT checkouts whose expiry has passed, soonest first.
pub async fn expiry_candidates(
    c: &impl GenericClient,
    now_ms: i64,
    limit: u32,
) -> StoreResult<Vec<String>> {
    let stmt = c
        .prepare_cached(
            "SELECT id FROM checkouts WHERE status IN ('NEW', 'WAITING_PAYMENT') \
             AND NOT funds_seen AND expires_at <= $1 ORDER BY expires_at LIMIT $2",
        )
        .await?;
    let rows = c.query(&stmt, &[&now_ms, &i64::from(limit)]).await?;
    Ok(rows
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?)
}

/// Inserts the checkout's own row unless its `client_order_id` is taken (false then: nothing
/// was written). A concurrent insert of the same `client_order_id` waits for the other
/// transaction and then finds it taken, instead of failing on the unique index.
pub async fn insert(c: &impl GenericClient, r: &CheckoutRecord) -> StoreResult<bool> {
    let columns = Columns::of(r)?;
    let stmt = c
        .prepare_cached(
            "INSERT INTO checkouts (id, client_order_id, external_id, widget_key, spec, status, \
             exception, active_payment_id, funds_seen, version, expires_at, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
             ON CONFLICT (client_order_id) DO NOTHING",
        )
        .await?;
    let n = c.execute(&stmt, &columns.params()).await?;
    Ok(n == 1)
}

/// Rewrites the checkout's own row (not its payments nor its changes).
pub async fn update(c: &impl GenericClient, r: &CheckoutRecord) -> StoreResult<()> {
    let columns = Columns::of(r)?;
    let stmt = c
        .prepare_cached(
            "UPDATE checkouts SET client_order_id = $2, external_id = $3, widget_key = $4, \
             spec = $5, status = $6, exception = $7, active_payment_id = $8, funds_seen = $9, \
             version = $10, expires_at = $11, created_at = $12, updated_at = $13 WHERE id = $1",
        )
        .await?;
    c.execute(&stmt, &columns.params()).await?;
    Ok(())
}

type Param<'a> = &'a (dyn tokio_postgres::types::ToSql + Sync);

/// A record's columns as parameters, in `COLUMNS` order, for insert and update alike.
struct Columns<'a> {
    r: &'a CheckoutRecord,
    spec: String,
    status: &'static str,
    exception: Option<&'static str>,
    version: i64,
}

impl<'a> Columns<'a> {
    fn of(r: &'a CheckoutRecord) -> StoreResult<Columns<'a>> {
        Ok(Columns {
            r,
            spec: to_json(&r.spec)?,
            status: r.state.status.as_str(),
            exception: r.state.exception.map(|e| e.as_str()),
            version: r.version as i64,
        })
    }

    fn params(&self) -> [Param<'_>; 13] {
        let r = self.r;
        [
            &r.id,
            &r.client_order_id,
            &r.external_id,
            &r.widget_key,
            &self.spec,
            &self.status,
            &self.exception,
            &r.state.active_payment,
            &r.state.funds_seen,
            &self.version,
            &r.state.expires_at_ms,
            &r.created_at_ms,
            &r.updated_at_ms,
        ]
    }
}
