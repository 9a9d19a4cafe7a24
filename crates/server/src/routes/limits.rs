//! Protection against floods and slow clients: a per-client rate limit on the public API
//! (429 with `Retry-After`) and a deadline on every request (503 `request_timeout`).
//!
//! The public API needs no secret, so anybody can call it; the limit keeps one client from
//! starving the others, and because the merchant API and `/healthz` sit outside it, they keep
//! answering during a flood. Body size limits are `body_limit_bytes` (413), set in `mod.rs`.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use protocol::{ErrorBody, ErrorDetail};

use crate::config::LimitsConfig;

/// The envelope every error has, for errors raised outside a handler.
pub fn error_response(status: StatusCode, code: &str, message: &str) -> Response {
    let body = ErrorBody {
        error: ErrorDetail {
            code: code.to_owned(),
            message: message.to_owned(),
            field: None,
        },
    };
    (status, Json(body)).into_response()
}

/// Token buckets per client, in thousandths of a request (integers: no rounding drift).
pub struct RateLimiter {
    config: LimitsConfig,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

struct Bucket {
    milli_tokens: u64,
    updated: Instant,
}

/// Forgetting full buckets loses nothing (a new one starts full); done when the map grows.
const PRUNE_ABOVE: usize = 50_000;

impl RateLimiter {
    pub fn new(config: LimitsConfig) -> RateLimiter {
        RateLimiter {
            config,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// `Ok` to go ahead, or how long to wait.
    pub fn check(&self, client: IpAddr, now: Instant) -> Result<(), Duration> {
        let per_second = u64::from(self.config.public_per_second);
        if per_second == 0 {
            return Ok(());
        }
        let capacity = u64::from(self.config.public_burst.max(1)) * 1000;
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() > PRUNE_ABOVE {
            buckets.retain(|_, b| refill(b, now, per_second, capacity) < capacity);
        }
        let bucket = buckets.entry(client).or_insert(Bucket {
            milli_tokens: capacity,
            updated: now,
        });
        let tokens = refill(bucket, now, per_second, capacity);
        if tokens >= 1000 {
            bucket.milli_tokens = tokens - 1000;
            Ok(())
        } else {
            // per_second milli-tokens arrive every millisecond.
            Err(Duration::from_millis((1000 - tokens).div_ceil(per_second)))
        }
    }
}

fn refill(b: &mut Bucket, now: Instant, per_second: u64, capacity: u64) -> u64 {
    let elapsed = now.saturating_duration_since(b.updated).as_millis() as u64;
    b.milli_tokens = b
        .milli_tokens
        .saturating_add(elapsed.saturating_mul(per_second))
        .min(capacity);
    b.updated = now;
    b.milli_tokens
}

/// The client's address: the peer, or the proxy's `X-Forwarded-For` entry when trusted.
fn client_of(req: &Request, trust_forwarded_for: bool) -> IpAddr {
    if trust_forwarded_for {
        let forwarded = req
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|ip| ip.trim().parse::<IpAddr>().ok())
            .next_back();
        if let Some(ip) = forwarded {
            return ip;
        }
    }
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        // In-process callers (tests driving the router) share one bucket.
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

pub async fn rate_limit(
    State(limiter): State<Arc<RateLimiter>>,
    req: Request,
    next: Next,
) -> Response {
    let client = client_of(&req, limiter.config.trust_forwarded_for);
    match limiter.check(client, Instant::now()) {
        Ok(()) => next.run(req).await,
        Err(wait) => {
            let mut response = error_response(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "too many requests from this client; retry after the number of seconds in Retry-After",
            );
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
            response
        }
    }
}

/// A deadline on producing the response (a slow body upload counts, a stream's later events
/// do not).
pub async fn request_timeout(
    State(timeout): State<Duration>,
    req: Request,
    next: Next,
) -> Response {
    match tokio::time::timeout(timeout, next.run(req)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!("a request took longer than the request timeout");
            error_response(
                StatusCode::SERVICE_UNAVAILABLE,
                "request_timeout",
                "the request took too long; try again",
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_then_the_sustained_rate_then_a_wait() {
        let limiter = RateLimiter::new(LimitsConfig {
            public_per_second: 10,
            public_burst: 3,
            ..Default::default()
        });
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let other: IpAddr = "192.0.2.2".parse().unwrap();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.check(ip, t0), Ok(()));
        }
        assert_eq!(limiter.check(ip, t0), Err(Duration::from_millis(100)));
        assert_eq!(limiter.check(other, t0), Ok(()), "clients are separate");
        assert_eq!(limiter.check(ip, t0 + Duration::from_millis(100)), Ok(()));
        assert!(limiter.check(ip, t0 + Duration::from_millis(150)).is_err());
    }

    #[test]
    fn zero_turns_it_off() {
        let limiter = RateLimiter::new(LimitsConfig {
            public_per_second: 0,
            ..Default::default()
        });
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..10_000 {
            assert!(limiter.check(ip, Instant::now()).is_ok());
        }
    }
}
