//! The public widget API: no secret, CORS for the widget's origins, never merchant-only fields.

use std::convert::Infallible;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::stream;
use protocol::{PickCurrencyRequest, TestActionRequest};
use tokio::sync::watch;

use super::extract::{AppJson, Id, IfNoneMatch};
use crate::error::AppResult;
use crate::live::{Published, Subscription};
use crate::services::{checkouts, pick, test_actions, widgets};
use crate::state::AppState;

const NO_CACHE: HeaderValue = HeaderValue::from_static("no-cache");
const JSON: HeaderValue = HeaderValue::from_static("application/json");

/// GET the checkout's public view.
pub async fn checkout(State(state): State<AppState>, Id(id): Id) -> AppResult<Response> {
    let record = checkouts::load(&state, &id).await?;
    Ok((
        [(header::CACHE_CONTROL, NO_CACHE)],
        Json(checkouts::public_view(&state, &record)),
    )
        .into_response())
}

/// POST a currency pick; answers with the view carrying the payment.
pub async fn pick(
    State(state): State<AppState>,
    Id(id): Id,
    AppJson(request): AppJson<PickCurrencyRequest>,
) -> AppResult<Response> {
    let record = pick::pick(&state, &id, request).await?;
    Ok((
        [(header::CACHE_CONTROL, NO_CACHE)],
        Json(checkouts::public_view(&state, &record)),
    )
        .into_response())
}

/// POST a test control (demo servers only): pay, mine or expire a test checkout.
pub async fn test_action(
    State(state): State<AppState>,
    Id(id): Id,
    AppJson(request): AppJson<TestActionRequest>,
) -> AppResult<Response> {
    let view = test_actions::act(&state, &id, request.action).await?;
    Ok(([(header::CACHE_CONTROL, NO_CACHE)], Json(view)).into_response())
}

/// Room for every header the status answer ends up with: its own three, CORS's two and the
/// four security headers. A map made by `HeaderMap::new` holds six before it is regrown, which
/// every status answer did on its way out (the baseline's six fit).
const STATUS_HEADERS: usize = 12;

/// GET the small status; `ETag: "<version>"`, and 304 when the caller already has it.
pub async fn status(
    State(state): State<AppState>,
    Id(id): Id,
    if_none_match: IfNoneMatch,
) -> AppResult<Response> {
    let cached = checkouts::status(&state, &id).await?;
    let etag = cached.etag.clone();
    let not_modified = if_none_match.matches(etag.to_str().unwrap_or_default());
    let mut response = if not_modified {
        let mut response = Response::new(Body::empty());
        *response.status_mut() = StatusCode::NOT_MODIFIED;
        response
    } else {
        Response::new(Body::from(cached.body.clone()))
    };
    let mut headers = HeaderMap::with_capacity(STATUS_HEADERS);
    headers.insert(header::ETAG, etag);
    headers.insert(header::CACHE_CONTROL, NO_CACHE);
    if !not_modified {
        headers.insert(header::CONTENT_TYPE, JSON);
    }
    *response.headers_mut() = headers;
    Ok(response)
}

struct StreamState {
    subscription: Subscription,
    shutdown: watch::Receiver<bool>,
    pending: Option<Arc<Published>>,
    last_sent: u64,
    done: bool,
}

fn status_event(p: &Published) -> Event {
    Event::default()
        .event("status")
        .id(p.version.to_string())
        .data(&p.json)
}

async fn next_event(mut s: StreamState) -> Option<(Result<Event, Infallible>, StreamState)> {
    if s.done {
        return None;
    }
    let next = match s.pending.take() {
        Some(p) => p,
        None => loop {
            let p = tokio::select! {
                p = s.subscription.next() => p?,
                // The server is stopping: end the stream so graceful shutdown can finish.
                _ = s.shutdown.wait_for(|stop| *stop) => return None,
            };
            if p.version > s.last_sent {
                break p;
            }
        },
    };
    s.last_sent = next.version;
    s.done = next.status.is_final();
    Some((Ok(status_event(&next)), s))
}

/// GET a live stream: the current view as the first `status` event (unless `Last-Event-ID`
/// says the client has it), one event per change, a heartbeat comment while idle, and the end
/// of the stream after a final status.
pub async fn events(
    State(state): State<AppState>,
    Id(id): Id,
    headers: HeaderMap,
) -> AppResult<Response> {
    // Subscribe first: a change between the read and the subscription cannot be lost.
    let subscription = state.live.subscribe(&id);
    let record = checkouts::load(&state, &id).await?;
    let view = checkouts::public_view(&state, &record);
    let current = Arc::new(Published {
        version: view.version,
        status: view.status,
        json: serde_json::to_string(&view)
            .map_err(|e| crate::error::AppError::internal(e.into()))?,
    });
    let resumed_at: Option<u64> = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok());
    let client_is_current = resumed_at == Some(current.version);
    let initial = StreamState {
        subscription,
        shutdown: state.shutdown.clone(),
        done: client_is_current && current.status.is_final(),
        last_sent: if client_is_current {
            current.version
        } else {
            0
        },
        pending: (!client_is_current).then_some(current),
    };
    let stream = stream::unfold(initial, next_event);
    let sse = Sse::new(stream).keep_alive(
        KeepAlive::new()
            .interval(state.config.heartbeat)
            .text("heartbeat"),
    );
    // Tells buffering reverse proxies (nginx) to pass events through at once.
    Ok(([("x-accel-buffering", "no")], sse).into_response())
}

/// POST: a payer opened a reusable widget key; a fresh checkout is made for them.
pub async fn open_widget(State(state): State<AppState>, Id(key): Id) -> AppResult<Response> {
    let record = widgets::open_checkout(&state, &key).await?;
    Ok((
        StatusCode::CREATED,
        Json(checkouts::public_view(&state, &record)),
    )
        .into_response())
}
