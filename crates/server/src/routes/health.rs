//! Liveness with a cheap database check.

use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use crate::error::AppResult;
use crate::state::AppState;

pub async fn healthz(State(state): State<AppState>) -> AppResult<Json<Value>> {
    state.db.run(|s| s.ping()).await?;
    // The widget keeps working while a chain's node fails; health says which one and why.
    match &state.evm {
        Some(evm) => Ok(Json(json!({"status": "ok", "chains": evm.health()}))),
        None => Ok(Json(json!({"status": "ok"}))),
    }
}
