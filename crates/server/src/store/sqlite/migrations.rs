//! The checkout store's schema, brought up to date at start-up.

use anyhow::Context;
use rusqlite::Connection;

/// Versioned migrations, applied in order; `PRAGMA user_version` records progress.
const MIGRATIONS: &[(u32, &str)] = &[
    (1, include_str!("migrations/0001_init.sql")),
    (2, include_str!("migrations/0002_merchant_outbox.sql")),
    (3, include_str!("migrations/0003_reconcile.sql")),
    (
        4,
        include_str!("migrations/0004_several_events_per_version.sql"),
    ),
    (5, include_str!("migrations/0005_settlement.sql")),
    (6, include_str!("migrations/0006_payment_openings.sql")),
    (7, include_str!("migrations/0007_evm.sql")),
];

pub fn migrate(conn: &mut Connection) -> anyhow::Result<()> {
    let current: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let known = MIGRATIONS.last().map_or(0, |(v, _)| *v);
    crate::store::schema_version::refuse_newer(current.into(), known.into())?;
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)
            .with_context(|| format!("applying migration {version}"))?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
        tracing::info!(version, "applied database migration");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_from_a_newer_release_is_refused_untouched() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        let newer = MIGRATIONS.len() as u32 + 1;
        conn.pragma_update(None, "user_version", newer).unwrap();
        let refused = migrate(&mut conn).unwrap_err().to_string();
        assert!(
            refused.contains("newer than this checkout-server"),
            "{refused}"
        );
        assert_eq!(version(&conn), newer);
    }

    fn version(conn: &Connection) -> u32 {
        conn.query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn migrating_twice_changes_nothing_the_second_time() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        assert_eq!(version(&conn), MIGRATIONS.len() as u32);
        migrate(&mut conn).unwrap();
        assert_eq!(version(&conn), MIGRATIONS.len() as u32);
    }

    #[test]
    fn the_checkout_store_schema_holds_no_sandbox_table() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        let sandbox_tables: u32 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name LIKE 'sandbox%'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(sandbox_tables, 0);
    }

    #[test]
    fn the_outbox_keeps_its_rows_and_attempts_when_it_allows_several_events_per_version() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("PRAGMA foreign_keys = ON;").unwrap();
        for (version, sql) in &MIGRATIONS[..3] {
            conn.execute_batch(sql).unwrap();
            conn.pragma_update(None, "user_version", version).unwrap();
        }
        conn.execute_batch(
            "INSERT INTO checkouts (id, spec, status, version, expires_at, created_at, updated_at) \
             VALUES ('CCO-1', '{}', 'WAITING_PAYMENT', 2, 0, 0, 0);
             INSERT INTO merchant_outbox (event_id, event_type, checkout_id, version, body, \
             next_attempt_at, created_at) VALUES ('evt_1', 'checkout.status_changed', 'CCO-1', 2, '{}', 0, 0);
             INSERT INTO merchant_delivery_attempts (event_id, attempted_at, duration_ms) \
             VALUES ('evt_1', 1, 2);",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let attempts: u32 = conn
            .query_row(
                "SELECT count(*) FROM merchant_delivery_attempts a \
                 JOIN merchant_outbox o ON o.event_id = a.event_id",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(attempts, 1);
        conn.execute_batch(
            "INSERT INTO merchant_outbox (event_id, event_type, checkout_id, version, body, \
             next_attempt_at, created_at) VALUES ('evt_2', 'payment.funds_seen', 'CCO-1', 2, '{}', 0, 0);",
        )
        .unwrap();
        let refused = conn.execute_batch(
            "INSERT INTO merchant_delivery_attempts (event_id, attempted_at, duration_ms) \
             VALUES ('evt_9', 1, 2);",
        );
        assert!(refused.is_err(), "attempts still refer to the outbox");
        let fk_errors: u32 = conn
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(fk_errors, 0);
    }
}
