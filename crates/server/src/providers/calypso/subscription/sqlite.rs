//! The subscriptions' keys in the SQLite file beside the checkout store (own table, like the
//! sandbox ledger). The twin of `postgres.rs`.

use std::path::Path;
use std::sync::Mutex;

use anyhow::Context;
use rusqlite::{params, Connection, OptionalExtension};

use super::{KeyStore, NewKeys, WebhookKeys};
use crate::config::Secret;
use crate::store::sqlite::connection::{self, lock};

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS calypso_webhook_subscriptions (
    url           TEXT PRIMARY KEY,
    public_key    TEXT NOT NULL,
    secret_key    TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);";

pub struct SqliteKeyStore {
    conn: Mutex<Connection>,
}

impl SqliteKeyStore {
    /// Opens the database file at `path`, creating the table if it is missing.
    pub fn open(path: &Path) -> anyhow::Result<SqliteKeyStore> {
        let conn = connection::open(path)?;
        conn.execute_batch(SCHEMA)
            .context("creating the Calypso subscriptions table")?;
        Ok(SqliteKeyStore {
            conn: Mutex::new(conn),
        })
    }
}

impl KeyStore for SqliteKeyStore {
    fn find(&self, url: &str) -> anyhow::Result<Option<WebhookKeys>> {
        let conn = lock(&self.conn);
        let row = conn
            .query_row(
                "SELECT public_key, secret_key FROM calypso_webhook_subscriptions WHERE url = ?1",
                params![url],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
            )
            .optional()
            .context("reading the Calypso subscription")?;
        Ok(row.map(|(public_key, secret_key)| WebhookKeys {
            public_key: Secret::new(public_key),
            secret_key: Secret::new(secret_key),
        }))
    }

    fn find_or_subscribe(
        &self,
        url: &str,
        now_ms: i64,
        subscribe: NewKeys,
    ) -> anyhow::Result<(WebhookKeys, bool)> {
        // One instance owns a SQLite file, so nothing else subscribes meanwhile; the lock is not
        // held across Calypso's answer, which would stall every other use of the file.
        if let Some(found) = self.find(url)? {
            return Ok((found, false));
        }
        let new = tokio::runtime::Handle::current().block_on(subscribe)?;
        self.save(url, &new, now_ms)?;
        Ok((new, true))
    }
}

impl SqliteKeyStore {
    fn save(&self, url: &str, keys: &WebhookKeys, now_ms: i64) -> anyhow::Result<()> {
        lock(&self.conn)
            .execute(
                "INSERT INTO calypso_webhook_subscriptions (url, public_key, secret_key, created_at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![url, keys.public_key.expose(), keys.secret_key.expose(), now_ms],
            )
            .context("storing the Calypso subscription")?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_kept_per_url_and_survive_reopening() {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let _inside = runtime.enter();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("checkout.db");
        super::super::checks::keys_are_kept_per_url(&SqliteKeyStore::open(&path).unwrap());
        let reopened = SqliteKeyStore::open(&path).unwrap();
        assert!(reopened.find(super::super::checks::URL).unwrap().is_some());
    }
}
