//! The checkout store's schema in PostgreSQL, brought up to date at start-up: the same steps as
//! SQLite's (`sqlite/migrations/`), written for PostgreSQL.
//!
//! Several instances may start at once on one empty database. All pending migrations run in
//! one transaction that first takes a transaction-scoped advisory lock: the second instance
//! waits on the lock, then finds the work done and applies nothing. PostgreSQL's DDL is
//! transactional, so a failed migration leaves the schema as it was.

use anyhow::Context;
use deadpool_postgres::Client;

/// The advisory lock key of the migrations ("checkout" in ASCII): any constant works, as long as
/// nothing else in the database takes the same one.
const LOCK_KEY: i64 = 0x6368_6563_6b6f_7574;

/// Versioned migrations, applied in order; `schema_migrations` records progress.
pub const MIGRATIONS: &[(i32, &str)] = &[
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
    (8, include_str!("migrations/0008_sandbox_ledger.sql")),
    (
        9,
        include_str!("migrations/0009_calypso_webhook_subscriptions.sql"),
    ),
    (10, include_str!("migrations/0010_turn_leases.sql")),
];

/// Applies what is missing; returns the versions this call applied.
pub async fn migrate(client: &mut Client, now_ms: i64) -> anyhow::Result<Vec<i32>> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_KEY])
        .await
        .context("waiting for the migration lock")?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (\
           version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)",
    )
    .await?;
    let current: i32 = tx
        .query_one(
            "SELECT coalesce(max(version), 0) FROM schema_migrations",
            &[],
        )
        .await?
        .get(0);
    let known = MIGRATIONS.last().map_or(0, |(v, _)| *v);
    // Refused inside the transaction, which rolls back untouched.
    crate::store::schema_version::refuse_newer(current.into(), known.into())?;
    let mut applied = Vec::new();
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        tx.batch_execute(sql)
            .await
            .with_context(|| format!("applying migration {version}"))?;
        tx.execute(
            "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
            &[version, &now_ms],
        )
        .await?;
        applied.push(*version);
    }
    tx.commit().await?;
    for version in &applied {
        tracing::info!(version, "applied database migration");
    }
    Ok(applied)
}
