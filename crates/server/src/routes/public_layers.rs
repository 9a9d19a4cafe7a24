//! What wraps each public route: CORS outermost, the per-client rate limit inside it, both put
//! around the handler itself ([`Handler::layer`]) rather than around the route.
//!
//! Why not `Router::layer` / `route_layer`: axum makes each of those one more boxed `Route`
//! level, and every level above clones the whole boxed chain beneath it on each request (one
//! allocation per level below), so a layer next to the handler costs about as many allocations
//! as the application has layers (ten here). Wrapping the handler adds no level. Counted with a
//! uprobe on `malloc` under wrk (bench settings, rate limit off), this and the status handler's
//! own changes (`IfNoneMatch`, the presized header map, CORS holding the handler's future in
//! place) took the status route from about 73 allocations per request to about 55, what the
//! baseline route makes; the throughput figures are in the README's "Latest figures".
//!
//! The answers are the same as with a router layer: an allowed method goes through CORS, then
//! the limit, then the handler; any other method reaches the route's fallback inside CORS, so an
//! `OPTIONS` is answered as a preflight there and the rest get the 405 (with `Allow`) carrying
//! the CORS headers. Preflights are not rate-limited (they never were).

use std::sync::Arc;

use axum::handler::Handler;
use axum::http::StatusCode;
use axum::middleware;
use axum::routing::{on, MethodFilter, MethodRouter};

use super::cors::PublicCors;
use super::limits::{self, RateLimiter};
use crate::config::Config;
use crate::state::AppState;

/// The public API's layers, made once: every route shares the CORS policy and one limiter, so
/// a client's requests to different routes draw on the same bucket.
pub struct PublicLayers {
    cors: PublicCors,
    /// None when the limit is 0: no layer at all rather than one that waves everything through.
    limiter: Option<Arc<RateLimiter>>,
}

impl PublicLayers {
    pub fn new(config: &Config) -> PublicLayers {
        PublicLayers {
            // Every origin may call the public API (it takes no credentials and holds no
            // secret) unless `cors_origins` names the only ones.
            cors: PublicCors::new(&config.cors_origins),
            limiter: (config.limits.public_per_second > 0)
                .then(|| Arc::new(RateLimiter::new(config.limits.clone()))),
        }
    }

    /// `handler` for `method` (a GET route answers HEAD too), wrapped in the public layers.
    pub fn route<H, T>(&self, method: MethodFilter, handler: H) -> MethodRouter<AppState>
    where
        H: Handler<T, AppState>,
        // True of every `async fn` handler (axum boxes their futures); lets CORS hold them as
        // they are.
        H::Future: Unpin,
        T: 'static,
    {
        let routed = match &self.limiter {
            // Inside CORS: a refused request still carries the CORS headers, so the browser
            // lets the widget read the 429.
            Some(limiter) => on(
                method,
                handler
                    .layer(middleware::from_fn_with_state(
                        limiter.clone(),
                        limits::rate_limit,
                    ))
                    .layer(self.cors.clone()),
            ),
            None => on(method, handler.layer(self.cors.clone())),
        };
        routed.fallback(method_not_allowed.layer(self.cors.clone()))
    }
}

/// What axum's own fallback answers (its `Allow` is added by the method router); the app's
/// `envelope_for_405` gives it the error envelope.
async fn method_not_allowed() -> StatusCode {
    StatusCode::METHOD_NOT_ALLOWED
}
