//! Counting every answered request for `/metrics`, and the `/metrics` endpoint itself, which is
//! served on a listener of its own (`metrics_listen`), never on the public one: what it shows
//! (traffic, backlogs) is for the operator's monitoring only.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::metrics::{status_class, RequestLabels};
use crate::services;
use crate::state::AppState;

/// Observes how long the request took until its response (for a live stream: until the
/// stream started), under its matched route.
pub async fn count_request(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().as_str().to_owned();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(req).await;
    let labels = RequestLabels {
        method,
        route,
        status: status_class(response.status().as_u16()),
    };
    state
        .metrics
        .request(&labels, started.elapsed().as_secs_f64());
    response
}

/// The router of the metrics listener: `GET /metrics` and nothing else.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(scrape))
        .with_state(state)
}

async fn scrape(State(state): State<AppState>) -> Response {
    match services::metrics::scrape(&state).await {
        Ok(text) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static(
                    "application/openmetrics-text; version=1.0.0; charset=utf-8",
                ),
            )],
            text,
        )
            .into_response(),
        // The database did not answer: say so, so the scrape shows as failed.
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, e.to_string()).into_response(),
    }
}
