//! The checkout store's schema, brought up to date at start-up.

use anyhow::Context;
use rusqlite::Connection;

/// Versioned migrations, applied in order; `PRAGMA user_version` records progress.
const MIGRATIONS: &[(u32, &str)] = &[
    (1, include_str!("migrations/0001_init.sql")),
    (2, include_str!("migrations/0002_merchant_outbox.sql")),
    (3, include_str!("migrations/0003_reconcile.sql")),
];

pub fn migrate(conn: &mut Connection) -> anyhow::Result<()> {
    let current: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
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
}
