//! Inbound provider webhooks. Each handler takes the raw bytes: the signature (or token) is
//! checked over exactly what was received, before anything is parsed. A provider that is not
//! configured has no endpoint (404), so an unconfigured secret can never be "verified".

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use serde_json::{json, Value};

use super::extract::RawBody;
use crate::error::{AppError, AppResult};
use crate::services::webhooks;
use crate::state::AppState;

async fn receive(
    state: &AppState,
    name: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> AppResult<Json<Value>> {
    let provider = state
        .provider_named(name)
        .ok_or_else(|| AppError::not_found("this provider is not configured"))?;
    let outcome = webhooks::handle(state, &*provider, headers, body).await;
    let counted = match &outcome {
        Ok(outcome) => outcome.as_str(),
        Err(refused) => refused.code(),
    };
    state.metrics.webhook(name, counted);
    Ok(Json(json!({ "status": outcome? })))
}

/// POST /webhooks/sandbox, signed with `X-Sandbox-Signature: sha256=<hex>`.
pub async fn sandbox(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> AppResult<Json<Value>> {
    receive(&state, "sandbox", &headers, &body).await
}

/// POST /webhooks/calypso: `Sign` = hex HMAC-SHA512 of the body with the subscription secret.
pub async fn calypso(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> AppResult<Json<Value>> {
    receive(&state, "calypso", &headers, &body).await
}

/// POST /webhooks/inqud: `X-Payload-Digest` = hex HMAC-SHA1 of the body with the secret.
pub async fn inqud(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> AppResult<Json<Value>> {
    receive(&state, "inqud", &headers, &body).await
}

/// POST /webhooks/coinsph: `Authorization: Token <merchant API token>`.
pub async fn coinsph(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> AppResult<Json<Value>> {
    receive(&state, "coinsph", &headers, &body).await
}
