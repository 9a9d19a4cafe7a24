//! Liveness with a cheap database check.

use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use crate::error::AppResult;
use crate::state::AppState;

pub async fn healthz(State(state): State<AppState>) -> AppResult<Json<Value>> {
    state.db.run(|s| s.ping()).await?;
    Ok(Json(json!({"status": "ok"})))
}
