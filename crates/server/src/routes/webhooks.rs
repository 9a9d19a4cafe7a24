//! Inbound provider webhooks. The handler takes the raw bytes: the signature is checked over
//! exactly what was received, before anything is parsed.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use serde_json::{json, Value};

use super::extract::RawBody;
use crate::error::AppResult;
use crate::service;
use crate::state::AppState;

/// POST /webhooks/sandbox, signed with `X-Sandbox-Signature: sha256=<hex>`.
pub async fn sandbox(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> AppResult<Json<Value>> {
    let provider = state.sandbox.clone();
    let outcome = service::handle_webhook(&state, &*provider, &headers, &body).await?;
    Ok(Json(json!({ "status": outcome })))
}
