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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::state_machine::Policy;
    use crate::domain::test_fixtures::{checkout, payment, NOW};
    use crate::store::sqlite::test_support::migrated;

    fn store_all(conn: &Connection, records: &[CheckoutRecord]) {
        for r in records {
            write(conn, r, true).unwrap();
        }
    }

    fn ids(records: &[CheckoutRecord]) -> Vec<&str> {
        records.iter().map(|r| r.id.as_str()).collect()
    }

    #[test]
    fn a_checkout_reads_back_as_written_with_its_payments() {
        let conn = migrated();
        let mut r = checkout("CCO-1", NOW);
        r.client_order_id = Some("order-1".into());
        r.external_id = Some("ext-1".into());
        r.widget_key = Some("wgt_1".into());
        r.add_payment(payment("PAY-1", "CCO-1"), &Policy::default(), NOW + 5)
            .unwrap();
        r.changes.clear();
        write(&conn, &r, true).unwrap();
        payments::write(&conn, &r.payments[0]).unwrap();
        assert_eq!(load(&conn, "CCO-1").unwrap(), Some(r.clone()));
        assert_eq!(load(&conn, "CCO-2").unwrap(), None);
        assert_eq!(
            id_of_client_order(&conn, "order-1").unwrap().as_deref(),
            Some("CCO-1")
        );

        r.state.funds_seen = true;
        r.version += 1;
        write(&conn, &r, false).unwrap();
        assert_eq!(load(&conn, "CCO-1").unwrap(), Some(r));
    }

    #[test]
    fn lists_page_newest_first_from_the_cursor() {
        let conn = migrated();
        // Two created in the same millisecond: the id breaks the tie.
        store_all(
            &conn,
            &[
                checkout("CCO-a", NOW),
                checkout("CCO-b", NOW + 10),
                checkout("CCO-c", NOW + 10),
                checkout("CCO-d", NOW + 20),
            ],
        );
        let page = |before: Option<(i64, String)>| {
            list(
                &conn,
                &ListQuery {
                    limit: 2,
                    before,
                    status: None,
                },
            )
            .unwrap()
        };
        let first = page(None);
        assert_eq!(ids(&first), ["CCO-d", "CCO-c"]);
        let cursor = Some((first[1].created_at_ms, first[1].id.clone()));
        let second = page(cursor);
        assert_eq!(ids(&second), ["CCO-b", "CCO-a"]);
        let cursor = Some((second[1].created_at_ms, second[1].id.clone()));
        assert!(page(cursor).is_empty());
    }

    #[test]
    fn lists_filter_by_status() {
        let conn = migrated();
        let mut waiting = checkout("CCO-w", NOW);
        waiting
            .add_payment(payment("PAY-1", "CCO-w"), &Policy::default(), NOW)
            .unwrap();
        store_all(&conn, &[checkout("CCO-n", NOW + 1), waiting]);
        let query = ListQuery {
            limit: 10,
            before: None,
            status: Some(CheckoutStatus::WaitingPayment),
        };
        assert_eq!(ids(&list(&conn, &query).unwrap()), ["CCO-w"]);
    }

    #[test]
    fn a_widgets_checkouts_come_oldest_first() {
        let conn = migrated();
        let opened = |id: &str, at: i64, key: &str| {
            let mut r = checkout(id, at);
            r.widget_key = Some(key.into());
            r
        };
        store_all(
            &conn,
            &[
                opened("CCO-2", NOW + 2, "wgt_a"),
                opened("CCO-1", NOW + 1, "wgt_a"),
                opened("CCO-3", NOW, "wgt_b"),
            ],
        );
        assert_eq!(ids(&of_widget(&conn, "wgt_a").unwrap()), ["CCO-1", "CCO-2"]);
        assert!(of_widget(&conn, "wgt_c").unwrap().is_empty());
    }

    #[test]
    fn expiry_candidates_are_unpaid_open_checkouts_past_their_expiry_soonest_first() {
        let conn = migrated();
        let expiring = |id: &str, expires_at_ms: i64| {
            let mut r = checkout(id, NOW);
            r.state.expires_at_ms = expires_at_ms;
            r
        };
        let mut waiting = expiring("CCO-waiting", NOW - 1);
        waiting.state.status = CheckoutStatus::WaitingPayment;
        let mut funded = expiring("CCO-funded", NOW - 3);
        funded.state.funds_seen = true;
        let mut paid = expiring("CCO-paid", NOW - 3);
        paid.state.status = CheckoutStatus::Success;
        store_all(
            &conn,
            &[
                waiting,
                expiring("CCO-new", NOW - 2),
                expiring("CCO-now", NOW),
                expiring("CCO-later", NOW + 1),
                funded,
                paid,
            ],
        );
        assert_eq!(
            expiry_candidates(&conn, NOW, 10).unwrap(),
            ["CCO-new", "CCO-waiting", "CCO-now"]
        );
        assert_eq!(expiry_candidates(&conn, NOW, 1).unwrap(), ["CCO-new"]);
    }
}
