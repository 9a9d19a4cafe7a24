//! The HTTP surface: which path goes to which handler, and the layers around them.

pub mod assets;
pub mod deliveries;
pub mod extract;
pub mod health;
pub mod limits;
pub mod merchant;
pub mod openapi;
pub mod public;
pub mod security_headers;
pub mod webhooks;

use std::time::Duration;

use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

use crate::config::Config;
use crate::error::AppError;
use crate::state::AppState;

/// Every API route as (method, path). The OpenAPI document must list exactly these, and a test
/// checks that the router serves each one.
pub const ROUTES: &[(&str, &str)] = &[
    ("get", "/healthz"),
    ("get", "/api/openapi.json"),
    ("get", "/api/v1/public/checkouts/{id}"),
    ("post", "/api/v1/public/checkouts/{id}/payment"),
    ("get", "/api/v1/public/checkouts/{id}/status"),
    ("get", "/api/v1/public/checkouts/{id}/events"),
    ("post", "/api/v1/public/widgets/{key}/checkouts"),
    ("post", "/api/v1/checkouts"),
    ("get", "/api/v1/checkouts"),
    ("get", "/api/v1/checkouts/{id}"),
    ("post", "/api/v1/checkouts/{id}/cancel"),
    ("post", "/api/v1/checkouts/{id}/resolve"),
    ("post", "/api/v1/widgets"),
    ("get", "/api/v1/widgets/{key}"),
    ("post", "/api/v1/sandbox/payments/{paymentId}/pay"),
    ("get", "/api/v1/deliveries"),
    ("get", "/api/v1/deliveries/{eventId}"),
    ("post", "/api/v1/deliveries/{eventId}/redeliver"),
    ("post", "/webhooks/sandbox"),
    ("post", "/webhooks/calypso"),
    ("post", "/webhooks/inqud"),
    ("post", "/webhooks/coinsph"),
];

fn cors(config: &Config) -> CorsLayer {
    let origins = if config.demo {
        AllowOrigin::any()
    } else {
        let list: Vec<HeaderValue> = config
            .cors_origins
            .iter()
            .filter_map(|o| HeaderValue::from_str(o.trim_end_matches('/')).ok())
            .collect();
        AllowOrigin::list(list)
    };
    CorsLayer::new()
        .allow_origin(origins)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::CONTENT_TYPE,
            header::IF_NONE_MATCH,
            header::CACHE_CONTROL,
            header::HeaderName::from_static("last-event-id"),
        ])
        .expose_headers([header::ETAG])
        .max_age(Duration::from_secs(600))
}

/// `GET /bench/baseline`: a fixed JSON answer that touches no state, mounted only when
/// [`crate::config::Config::bench_baseline`] is set. `cargo xtask bench` loads it and the public status route with the
/// same generator to report their ratio. Not part of the API: absent from [`ROUTES`] and the
/// OpenAPI document.
async fn bench_baseline() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        r#"{"status":"ok"}"#,
    )
        .into_response()
}

async fn not_found() -> Response {
    AppError::not_found("no such route").into_response()
}

/// axum answers an unsupported method with an empty 405; give it the envelope, keeping `Allow`.
/// (A router-level `method_not_allowed_fallback` would bypass the CORS layer on preflights.)
async fn envelope_for_405(response: Response) -> Response {
    if response.status() != StatusCode::METHOD_NOT_ALLOWED
        || response.headers().contains_key(header::CONTENT_TYPE)
    {
        return response;
    }
    let (parts, _) = response.into_parts();
    let mut enveloped = AppError::method_not_allowed().into_response();
    for (name, value) in parts.headers.iter() {
        enveloped.headers_mut().entry(name).or_insert(value.clone());
    }
    enveloped
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    AppError::internal(anyhow::anyhow!("handler panicked")).into_response()
}

/// The whole application. Built by a function so tests can drive it in-process too.
pub fn app(state: AppState) -> Router {
    let config = &state.config;
    let public = Router::new()
        .route("/api/v1/public/checkouts/{id}", get(public::checkout))
        .route("/api/v1/public/checkouts/{id}/payment", post(public::pick))
        .route("/api/v1/public/checkouts/{id}/status", get(public::status))
        .route("/api/v1/public/checkouts/{id}/events", get(public::events))
        .route(
            "/api/v1/public/widgets/{key}/checkouts",
            post(public::open_widget),
        );
    // Inside CORS: a refused request still carries the CORS headers, so the browser lets the
    // widget read the 429. A limit of 0 is no layer at all rather than a layer that waves every
    // request through: it costs each request a boxed middleware call.
    let public = if config.limits.public_per_second > 0 {
        public.route_layer(middleware::from_fn_with_state(
            std::sync::Arc::new(limits::RateLimiter::new(config.limits.clone())),
            limits::rate_limit,
        ))
    } else {
        public
    }
    .layer(cors(config));
    let merchant = Router::new()
        .route(
            "/api/v1/checkouts",
            post(merchant::create_checkout).get(merchant::list_checkouts),
        )
        .route("/api/v1/checkouts/{id}", get(merchant::get_checkout))
        .route(
            "/api/v1/checkouts/{id}/cancel",
            post(merchant::cancel_checkout),
        )
        .route(
            "/api/v1/checkouts/{id}/resolve",
            post(merchant::resolve_checkout),
        )
        .route("/api/v1/widgets", post(merchant::create_widget))
        .route("/api/v1/widgets/{key}", get(merchant::get_widget))
        .route(
            "/api/v1/sandbox/payments/{paymentId}/pay",
            post(merchant::sandbox_pay),
        )
        .route("/api/v1/deliveries", get(deliveries::list))
        .route("/api/v1/deliveries/{eventId}", get(deliveries::get))
        .route(
            "/api/v1/deliveries/{eventId}/redeliver",
            post(deliveries::redeliver),
        )
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            merchant::require_merchant,
        ));
    let router = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/api/openapi.json", get(openapi::document))
        .route("/webhooks/sandbox", post(webhooks::sandbox))
        .route("/webhooks/calypso", post(webhooks::calypso))
        .route("/webhooks/inqud", post(webhooks::inqud))
        .route("/webhooks/coinsph", post(webhooks::coinsph))
        .merge(public)
        .merge(merchant);
    let router = if config.bench_baseline {
        router.route("/bench/baseline", get(bench_baseline))
    } else {
        router
    };
    let router = assets::mount(router, config.dist.as_deref(), config.examples.as_deref());
    router
        .fallback(not_found)
        .layer(middleware::map_response(envelope_for_405))
        .layer(DefaultBodyLimit::max(config.body_limit_bytes))
        .layer(middleware::from_fn_with_state(
            config.limits.request_timeout,
            limits::request_timeout,
        ))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request| {
                    // The matched route, not the raw URI: ids stay out of the span name.
                    let route = req
                        .extensions()
                        .get::<MatchedPath>()
                        .map(|p| p.as_str().to_owned())
                        .unwrap_or_else(|| "-".to_owned());
                    tracing::info_span!("http", method = %req.method(), route)
                })
                // One line per answered request at the default level; headers are never logged.
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(middleware::from_fn(security_headers::security_headers))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .with_state(state)
}
