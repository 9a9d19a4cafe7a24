//! The conformance checks (`store::conformance`) on a fresh SQLite file.

use rusqlite::Connection;
use tempfile::TempDir;

use super::SqliteStore;
use crate::store::conformance::{every_check, Harness};
use crate::store::Store;

/// A whole store on a fresh file; the directory goes with it.
pub struct SqliteHarness {
    store: SqliteStore,
    _dir: TempDir,
}

pub fn harness() -> SqliteHarness {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("checkout.db")).unwrap();
    SqliteHarness { store, _dir: dir }
}

impl Harness for SqliteHarness {
    fn store(&self) -> &dyn Store {
        &self.store
    }

    fn count(&self, table: &str) -> u32 {
        let conn: &Connection = &self.store.reader();
        conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    }
}

every_check!(harness);
