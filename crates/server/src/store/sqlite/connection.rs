//! Opening a connection to the database file, the same way for every user of it (the checkout
//! store and the sandbox ledger share the file, so they must agree on its journal and sync
//! modes).

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use anyhow::Context;
use rusqlite::Connection;

/// Opens `path`, creating it and its directory if needed.
pub fn open(path: &Path) -> anyhow::Result<Connection> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating the data directory {}", dir.display()))?;
    }
    let conn = Connection::open(path).with_context(|| format!("opening {}", path.display()))?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    // FULL: an acknowledged webhook must survive a power cut, not only a crash.
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
    )
    .context("configuring SQLite")?;
    Ok(conn)
}

pub fn lock(m: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    // A panic while holding the lock leaves the connection usable: SQLite rolled back.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
