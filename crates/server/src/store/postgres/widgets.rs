//! Reusable widget keys and the checkout settings stored with them.

use deadpool_postgres::GenericClient;

use super::codec::{from_json, to_json};
use crate::store::error::{StoreError, StoreResult};
use crate::store::WidgetRecord;

/// Inserts `widget` unless its key exists; returns the stored one and whether it was new.
pub async fn insert(
    c: &impl GenericClient,
    widget: &WidgetRecord,
) -> StoreResult<(WidgetRecord, bool)> {
    let spec = to_json(&widget.spec)?;
    let stmt = c
        .prepare_cached(
            "INSERT INTO widgets (key, external_id, spec, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING",
        )
        .await?;
    let params: [&(dyn tokio_postgres::types::ToSql + Sync); 4] = [
        &widget.key,
        &widget.external_id,
        &spec,
        &widget.created_at_ms,
    ];
    let inserted = c.execute(&stmt, &params).await? == 1;
    let stored = load(c, &widget.key)
        .await?
        .ok_or_else(|| StoreError::Database(anyhow::anyhow!("widget vanished")))?;
    Ok((stored, inserted))
}

pub async fn load(c: &impl GenericClient, key: &str) -> StoreResult<Option<WidgetRecord>> {
    let stmt = c
        .prepare_cached("SELECT key, external_id, spec, created_at FROM widgets WHERE key = $1")
        .await?;
    let Some(row) = c.query_opt(&stmt, &[&key]).await? else {
        return Ok(None);
    };
    let spec: String = row.try_get(2)?;
    Ok(Some(WidgetRecord {
        key: row.try_get(0)?,
        external_id: row.try_get(1)?,
        spec: from_json("widget settings", &spec)?,
        created_at_ms: row.try_get(3)?,
    }))
}
