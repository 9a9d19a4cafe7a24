//! The HTTP surface: which path goes to which handler, and the layers around them.

pub mod assets;
pub mod checkout_events;
pub mod cors;
pub mod deliveries;
pub mod extract;
pub mod health;
pub mod limits;
pub mod merchant;
pub mod metrics;
pub mod openapi;
pub mod public;
pub mod public_layers;
pub mod security_headers;
pub mod webhooks;

use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, MethodFilter};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

use protocol::api::paths;

use crate::config::Config;
use crate::error::AppError;
use crate::state::AppState;

/// Every API route as (method, path). The OpenAPI document must list exactly these, and a test
/// checks that the router serves each one.
pub const ROUTES: &[(&str, &str)] = &[
    ("get", paths::HEALTH),
    ("get", paths::OPENAPI),
    ("get", paths::PUBLIC_CHECKOUT),
    ("post", paths::PUBLIC_PAYMENT),
    ("get", paths::PUBLIC_STATUS),
    ("get", paths::PUBLIC_EVENTS),
    ("post", paths::PUBLIC_WIDGET_CHECKOUTS),
    ("post", paths::PUBLIC_TEST_ACTIONS),
    ("post", paths::CHECKOUTS),
    ("get", paths::CHECKOUTS),
    ("get", paths::CHECKOUT),
    ("post", paths::CHECKOUT_CANCEL),
    ("post", paths::CHECKOUT_RESOLVE),
    ("get", paths::CHECKOUT_EVENTS),
    ("post", paths::WIDGETS),
    ("get", paths::WIDGET),
    ("post", paths::SANDBOX_PAY),
    ("get", paths::DELIVERIES),
    ("get", paths::DELIVERY),
    ("post", paths::DELIVERY_REDELIVER),
    ("get", paths::RECONCILIATION),
    ("post", paths::WEBHOOK_SANDBOX),
    ("post", paths::WEBHOOK_CALYPSO),
    ("post", paths::WEBHOOK_INQUD),
    ("post", paths::WEBHOOK_COINSPH),
];

/// `GET /bench/baseline`: a fixed JSON answer that touches no state, mounted only when
/// [`crate::config::Config::bench_baseline`] is set. `cargo xtask bench` loads it and the public
/// status route with the same generator to report their ratio. It passes every layer of
/// [`app`] (as the status route does) but none of the public API's (CORS, rate limit): the ratio
/// prices those and the status handler. Not part of the API: absent from [`ROUTES`] and the
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

/// The public widget API: no secret, CORS for the merchants' pages, rate-limited per client
/// (each route wrapped by [`public_layers`]). The merchant API gets no CORS at all: browsers
/// never call it.
fn public_routes(config: &Config) -> Router<AppState> {
    let layers = public_layers::PublicLayers::new(config);
    let public = Router::new()
        .route(
            paths::PUBLIC_CHECKOUT,
            layers.route(MethodFilter::GET, public::checkout),
        )
        .route(
            paths::PUBLIC_PAYMENT,
            layers.route(MethodFilter::POST, public::pick),
        )
        .route(
            paths::PUBLIC_STATUS,
            layers.route(MethodFilter::GET, public::status),
        )
        .route(
            paths::PUBLIC_EVENTS,
            layers.route(MethodFilter::GET, public::events),
        )
        .route(
            paths::PUBLIC_WIDGET_CHECKOUTS,
            layers.route(MethodFilter::POST, public::open_widget),
        );
    // The demo's test controls exist only where they cannot touch real money.
    if config.demo && config.sandbox_enabled() {
        public.route(
            paths::PUBLIC_TEST_ACTIONS,
            layers.route(MethodFilter::POST, public::test_action),
        )
    } else {
        public
    }
}

/// The merchant API: every route behind the merchant's secret key.
fn merchant_routes(state: &AppState) -> Router<AppState> {
    let routes = Router::new()
        .route(
            paths::CHECKOUTS,
            post(merchant::create_checkout).get(merchant::list_checkouts),
        )
        .route(paths::CHECKOUT, get(merchant::get_checkout))
        .route(paths::CHECKOUT_CANCEL, post(merchant::cancel_checkout))
        .route(paths::CHECKOUT_RESOLVE, post(merchant::resolve_checkout))
        .route(paths::CHECKOUT_EVENTS, get(checkout_events::list))
        .route(paths::WIDGETS, post(merchant::create_widget))
        .route(paths::WIDGET, get(merchant::get_widget))
        .route(paths::DELIVERIES, get(deliveries::list))
        .route(paths::DELIVERY, get(deliveries::get))
        .route(paths::DELIVERY_REDELIVER, post(deliveries::redeliver))
        .route(paths::RECONCILIATION, get(merchant::reconciliation));
    let routes = if state.config.sandbox_enabled() {
        routes.route(paths::SANDBOX_PAY, post(merchant::sandbox_pay))
    } else {
        routes
    };
    routes.route_layer(middleware::from_fn_with_state(
        state.clone(),
        merchant::require_merchant,
    ))
}

/// What is not an API route: health, the OpenAPI document, provider webhooks, the bench's
/// baseline when asked for, and the widget's files.
fn other_routes(state: &AppState) -> Router<AppState> {
    let config = &state.config;
    let document = openapi::served(state);
    let router = Router::new()
        .route(paths::HEALTH, get(health::healthz))
        .route(
            paths::OPENAPI,
            get(move || openapi::document(document.clone())),
        )
        .route(paths::WEBHOOK_CALYPSO, post(webhooks::calypso))
        .route(paths::WEBHOOK_INQUD, post(webhooks::inqud))
        .route(paths::WEBHOOK_COINSPH, post(webhooks::coinsph));
    let router = if config.sandbox_enabled() {
        router.route(paths::WEBHOOK_SANDBOX, post(webhooks::sandbox))
    } else {
        router
    };
    let router = if config.bench_baseline {
        router.route("/bench/baseline", get(bench_baseline))
    } else {
        router
    };
    assets::mount(router, config.dist.as_deref(), config.examples.as_deref())
}

/// A request's span, named by the matched route: ids stay out of the span name.
fn request_span(req: &Request) -> tracing::Span {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "-".to_owned());
    tracing::info_span!("http", method = %req.method(), route)
}

/// The whole application. Built by a function so tests can drive it in-process too.
pub fn app(state: AppState) -> Router {
    let config = &state.config;
    other_routes(&state)
        .merge(public_routes(config))
        .merge(merchant_routes(&state))
        .fallback(not_found)
        .layer(middleware::map_response(envelope_for_405))
        .layer(DefaultBodyLimit::max(config.body_limit_bytes))
        .layer(middleware::from_fn_with_state(
            config.limits.request_timeout,
            limits::request_timeout,
        ))
        .layer(CatchPanicLayer::custom(panic_response))
        // Outside the panic guard, so a panic counts as the 500 it answers.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            metrics::count_request,
        ))
        // One line per answered request at the default level; headers are never logged.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
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
