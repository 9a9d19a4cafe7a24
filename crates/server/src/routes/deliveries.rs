//! The merchant API over notification deliveries: list them, read one with every attempt, and
//! ask for a redelivery (same event id, same body, freshly signed).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::extract::{page_limit, AppQuery, Id};
use crate::domain::{now_ms, rfc3339};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store::outbox::{Attempt, Delivery, DeliveryQuery, DeliveryState};

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
    let before_seq = params
        .cursor
        .map(|c| {
            c.parse::<i64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| AppError::invalid("cursor", "is not a cursor this server issued"))
        })
        .transpose()?;
    let delivery_state = params
        .state
        .map(|s| {
            DeliveryState::parse(&s)
                .ok_or_else(|| AppError::invalid("state", format!("unknown state {s:?}")))
        })
        .transpose()?;
    let query = DeliveryQuery {
        limit: limit + 1,
        before_seq,
        state: delivery_state,
        checkout_id: params.checkout_id,
    };
    let mut rows = state.db.run(move |s| s.outbox().deliveries(&query)).await?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next_cursor = more
        .then(|| rows.last().map(|d| d.seq.to_string()))
        .flatten();
    Ok(Json(DeliveryList {
        items: rows.into_iter().map(view).collect(),
        next_cursor,
    }))
}

fn unknown() -> AppError {
    AppError::not_found("no delivery with this event id")
}

/// GET /api/v1/deliveries/{eventId}: the delivery and every attempt, oldest first.
pub async fn get(State(state): State<AppState>, Id(id): Id) -> AppResult<Json<DeliveryDetail>> {
    let (d, attempts) = state
        .db
        .run(move |s| s.outbox().delivery(&id))
        .await?
        .ok_or_else(unknown)?;
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
    let d = state
        .db
        .run(move |s| s.outbox().redeliver(&id, now_ms()))
        .await?
        .ok_or_else(unknown)?;
    Ok((StatusCode::ACCEPTED, Json(view(d))))
}
