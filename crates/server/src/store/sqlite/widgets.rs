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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::test_fixtures::{checkout, NOW};
    use crate::store::sqlite::test_support::migrated;

    fn widget(key: &str, name: &str) -> WidgetRecord {
        let mut spec = checkout("CCO-x", NOW).spec;
        spec.name = name.into();
        WidgetRecord {
            key: key.into(),
            external_id: Some("shop-7".into()),
            spec,
            created_at_ms: NOW,
        }
    }

    #[test]
    fn a_key_is_stored_once_and_the_first_settings_stay() {
        let conn = migrated();
        let first = widget("wgt_1", "Blue mug");
        assert_eq!(insert(&conn, &first).unwrap(), (first.clone(), true));
        assert_eq!(
            insert(&conn, &widget("wgt_1", "Red mug")).unwrap(),
            (first.clone(), false)
        );
        assert_eq!(load(&conn, "wgt_1").unwrap(), Some(first));
        assert_eq!(load(&conn, "wgt_2").unwrap(), None);
    }
}
