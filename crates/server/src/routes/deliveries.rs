//! The merchant API over notification deliveries: list them, read one with every attempt, and
//! ask for a redelivery (same event id, same body, freshly signed).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::extract::{page_limit, AppQuery, Id};
use crate::domain::rfc3339;
use crate::error::{AppError, AppResult};
use crate::services::deliveries;
use crate::state::AppState;
use crate::store::outbox::{Attempt, Delivery, DeliveryState};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryView {
    event_id: String,
    #[serde(rename = "type")]
    event_type: String,
    checkout_id: String,
    version: u64,
    /// PENDING, DELIVERED or FAILED.
    state: &'static str,
    attempts: u32,
    next_attempt_at: Option<String>,
    delivered_at: Option<String>,
    created_at: String,
    /// The notification exactly as it is sent.
    payload: Value,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttemptView {
    at: String,
    duration_ms: i64,
    http_status: Option<u16>,
    error: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryDetail {
    #[serde(flatten)]
    delivery: DeliveryView,
    attempt_log: Vec<AttemptView>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryList {
    items: Vec<DeliveryView>,
    next_cursor: Option<String>,
}

fn view(d: Delivery) -> DeliveryView {
    DeliveryView {
        payload: serde_json::from_str(&d.body).unwrap_or(Value::Null),
        event_id: d.event_id,
        event_type: d.event_type,
        checkout_id: d.checkout_id,
        version: d.version,
        state: d.state.as_str(),
        attempts: d.attempts,
        next_attempt_at: d
            .next_attempt_at_ms
            .filter(|_| d.state == DeliveryState::Pending)
            .map(rfc3339),
        delivered_at: d.delivered_at_ms.map(rfc3339),
        created_at: rfc3339(d.created_at_ms),
    }
}

fn attempt_view(a: Attempt) -> AttemptView {
    AttemptView {
        at: rfc3339(a.at_ms),
        duration_ms: a.duration_ms,
        http_status: a.http_status,
        error: a.error,
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeliveryParams {
    limit: Option<String>,
    cursor: Option<String>,
    state: Option<String>,
    checkout_id: Option<String>,
}

/// GET /api/v1/deliveries?limit=&cursor=&state=&checkoutId=: newest first.
pub async fn list(
    State(state): State<AppState>,
    AppQuery(params): AppQuery<DeliveryParams>,
) -> AppResult<Json<DeliveryList>> {
    let limit = page_limit(params.limit.as_deref())?;
    let delivery_state = params
        .state
        .map(|s| {
            DeliveryState::parse(&s)
                .ok_or_else(|| AppError::invalid("state", format!("unknown state {s:?}")))
        })
        .transpose()?;
    let page = deliveries::list(
        &state,
        limit,
        params.cursor.as_deref(),
        delivery_state,
        params.checkout_id,
    )
    .await?;
    Ok(Json(DeliveryList {
        items: page.items.into_iter().map(view).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// GET /api/v1/deliveries/{eventId}: the delivery and every attempt, oldest first.
pub async fn get(State(state): State<AppState>, Id(id): Id) -> AppResult<Json<DeliveryDetail>> {
    let (d, attempts) = deliveries::get(&state, id).await?;
    Ok(Json(DeliveryDetail {
        delivery: view(d),
        attempt_log: attempts.into_iter().map(attempt_view).collect(),
    }))
}

/// POST /api/v1/deliveries/{eventId}/redeliver: due now, whatever its state (202).
pub async fn redeliver(
    State(state): State<AppState>,
    Id(id): Id,
) -> AppResult<(StatusCode, Json<DeliveryView>)> {
    let d = deliveries::redeliver(&state, id).await?;
    Ok((StatusCode::ACCEPTED, Json(view(d))))
}
