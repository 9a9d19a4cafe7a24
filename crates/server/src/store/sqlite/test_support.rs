//! Temporary databases for the store's unit tests.

use rusqlite::Connection;
use tempfile::TempDir;

use super::{migrations, SqliteStore};

/// A fresh database with the store's schema, in memory (foreign keys on, as in `connection`).
pub fn migrated() -> Connection {
    let mut conn = Connection::open_in_memory().unwrap();
    conn.execute_batch("PRAGMA foreign_keys = ON;").unwrap();
    migrations::migrate(&mut conn).unwrap();
    conn
}

/// A whole store on a fresh file; the directory goes when the `TempDir` is dropped.
pub fn store() -> (TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("checkout.db")).unwrap();
    (dir, store)
}
