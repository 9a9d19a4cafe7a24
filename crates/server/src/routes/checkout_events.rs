//! The merchant API over one checkout's events: what its merchant was (or is being) notified of.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::extract::{page_limit, AppQuery, Id};
use crate::error::AppResult;
use crate::services::events;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EventParams {
    limit: Option<String>,
    cursor: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventList {
    /// The notifications exactly as sent, newest first.
    items: Vec<Value>,
    next_cursor: Option<String>,
}

/// GET /api/v1/checkouts/{id}/events?limit=&cursor=: newest first.
pub async fn list(
    State(state): State<AppState>,
    Id(id): Id,
    AppQuery(params): AppQuery<EventParams>,
) -> AppResult<Json<EventList>> {
    let limit = page_limit(params.limit.as_deref())?;
    let page = events::list(&state, id, limit, params.cursor.as_deref()).await?;
    Ok(Json(EventList {
        items: page.items,
        next_cursor: page.next_cursor,
    }))
}
