//! What an operator's Prometheus scrapes: request rates and latencies by route, webhook
//! outcomes by provider, live streams, database calls in flight, and (read from the database
//! at scrape time, so every instance reports the shared truth) the outbox's backlog and delivery
//! lag and the reconciler's lag.
//!
//! One registry per server (not a process-wide one), so servers started side by side in one
//! process, as the tests do, count apart. Counting costs a hash lookup and an atomic add per
//! request; everything read from the database is read only when scraped.

use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub method: String,
    /// The matched route (`/api/v1/public/checkouts/{id}/status`), never the raw path, so ids
    /// do not multiply the series; `unmatched` for anything no route took.
    pub route: String,
    /// `2xx`, `3xx`, `4xx` or `5xx`.
    pub status: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct WebhookLabels {
    pub provider: String,
    /// `applied`, `duplicate`, `ignored`, or the error code it was refused with.
    pub outcome: &'static str,
}

/// Figures read at scrape time, set just before the registry is encoded.
#[derive(Default)]
pub struct ScrapeGauges {
    pub outbox_pending: Gauge,
    pub outbox_failed: Gauge,
    pub outbox_lag_seconds: Gauge<f64, AtomicU64>,
    pub reconcile_open_payments: Gauge,
    pub reconcile_lag_seconds: Gauge<f64, AtomicU64>,
    pub live_streams: Gauge,
    pub live_checkouts: Gauge,
    pub db_calls_in_flight: Gauge,
    pub db_pool_max: Gauge,
    pub db_pool_open: Gauge,
    pub db_pool_available: Gauge,
    pub db_pool_waiting: Gauge,
}

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Histogram>,
    webhooks: Family<WebhookLabels, Counter>,
    pub gauges: ScrapeGauges,
}

/// Request durations from 0.5 ms to about 8 s, doubling.
fn request_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.0005, 2.0, 15))
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

/// The figures set at scrape time (`services::metrics`).
fn register_gauges(registry: &mut Registry, g: &ScrapeGauges) {
    for (name, help, metric) in [
        (
            "outbox_pending",
            "Merchant notifications not yet delivered",
            &g.outbox_pending,
        ),
        (
            "outbox_failed",
            "Merchant notifications whose retries ran out",
            &g.outbox_failed,
        ),
        (
            "reconcile_open_payments",
            "Open payments the reconciler re-reads",
            &g.reconcile_open_payments,
        ),
        (
            "live_streams",
            "Live status streams open on this instance",
            &g.live_streams,
        ),
        (
            "live_checkouts",
            "Checkouts with at least one live stream on this instance",
            &g.live_checkouts,
        ),
        (
            "db_calls_in_flight",
            "Database calls running or queued on this instance",
            &g.db_calls_in_flight,
        ),
        (
            "db_pool_max",
            "PostgreSQL connections this instance's pool may open (0 on SQLite: no pool)",
            &g.db_pool_max,
        ),
        (
            "db_pool_open",
            "PostgreSQL connections this instance's pool holds open",
            &g.db_pool_open,
        ),
        (
            "db_pool_available",
            "Open PostgreSQL connections of this instance's pool not lent out",
            &g.db_pool_available,
        ),
        (
            "db_pool_waiting",
            "Calls on this instance waiting for a PostgreSQL connection",
            &g.db_pool_waiting,
        ),
    ] {
        registry.register(name, help, metric.clone());
    }
    registry.register(
        "outbox_lag_seconds",
        "How long the oldest undelivered merchant notification has waited (0: none waits)",
        g.outbox_lag_seconds.clone(),
    );
    registry.register(
        "reconcile_lag_seconds",
        "How long the most overdue re-read of an open payment has been due (0: none is)",
        g.reconcile_lag_seconds.clone(),
    );
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("checkout");
        let requests = Family::<RequestLabels, Histogram>::new_with_constructor(
            request_histogram as fn() -> Histogram,
        );
        registry.register(
            "http_request_duration_seconds",
            "Answered requests by method, matched route and status class, and how long each took",
            requests.clone(),
        );
        let webhooks = Family::<WebhookLabels, Counter>::default();
        registry.register(
            "webhooks",
            "Provider webhooks received, by provider and outcome",
            webhooks.clone(),
        );
        let gauges = ScrapeGauges::default();
        register_gauges(&mut registry, &gauges);
        Metrics {
            registry,
            requests,
            webhooks,
            gauges,
        }
    }

    pub fn request(&self, labels: &RequestLabels, seconds: f64) {
        self.requests.get_or_create(labels).observe(seconds);
    }

    pub fn webhook(&self, provider: &str, outcome: &'static str) {
        self.webhooks
            .get_or_create(&WebhookLabels {
                provider: provider.to_owned(),
                outcome,
            })
            .inc();
    }

    /// The text exposition (OpenMetrics) of everything registered, as it stands.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}

/// The status class label of an HTTP status code.
pub fn status_class(code: u16) -> &'static str {
    match code {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_and_webhooks_are_counted_by_their_labels() {
        let m = Metrics::new();
        let labels = RequestLabels {
            method: "GET".into(),
            route: "/healthz".into(),
            status: status_class(200),
        };
        m.request(&labels, 0.002);
        m.request(&labels, 0.003);
        m.webhook("sandbox", "applied");
        m.gauges.outbox_lag_seconds.set(1.5);
        let text = m.encode();
        assert!(
            text.contains(
                r#"checkout_http_request_duration_seconds_count{method="GET",route="/healthz",status="2xx"} 2"#
            ),
            "{text}"
        );
        assert!(
            text.contains(r#"checkout_webhooks_total{provider="sandbox",outcome="applied"} 1"#),
            "{text}"
        );
        assert!(text.contains("checkout_outbox_lag_seconds 1.5"), "{text}");
    }
}
