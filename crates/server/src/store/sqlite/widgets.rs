//! Reusable widget keys and the checkout settings stored with them.

use rusqlite::{params, Connection, OptionalExtension, Row};

use super::codec::{from_json, json_err};
use crate::store::WidgetRecord;

fn row(row: &Row<'_>) -> rusqlite::Result<WidgetRecord> {
    let spec: String = row.get(2)?;
    Ok(WidgetRecord {
        key: row.get(0)?,
        external_id: row.get(1)?,
        spec: from_json(2, &spec)?,
        created_at_ms: row.get(3)?,
    })
}

/// Inserts `widget` unless its key exists; returns the stored one and whether it was new.
pub fn insert(conn: &Connection, widget: &WidgetRecord) -> rusqlite::Result<(WidgetRecord, bool)> {
    let spec = serde_json::to_string(&widget.spec).map_err(json_err)?;
    let inserted = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO widgets (key, external_id, spec, created_at) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![widget.key, widget.external_id, spec, widget.created_at_ms])?
        == 1;
    let stored = load(conn, &widget.key)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
    Ok((stored, inserted))
}

pub fn load(conn: &Connection, key: &str) -> rusqlite::Result<Option<WidgetRecord>> {
    conn.prepare_cached("SELECT key, external_id, spec, created_at FROM widgets WHERE key = ?1")?
        .query_row([key], row)
        .optional()
}
