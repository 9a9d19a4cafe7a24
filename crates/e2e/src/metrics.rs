//! One instance's `/metrics` (OpenMetrics text, served on its own `metrics_listen` port), read
//! to find out which requests it answered: the proof that a load balancer really spread a
//! journey over several instances.

/// A scrape's text.
pub struct Scrape(pub String);

impl Scrape {
    /// `GET http://127.0.0.1:<port>/metrics`.
    pub async fn of(port: u16) -> Result<Scrape, String> {
        let url = format!("http://127.0.0.1:{port}/metrics");
        let answer = reqwest::get(&url)
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| format!("GET {url}: {e}"))?;
        answer
            .text()
            .await
            .map(Scrape)
            .map_err(|e| format!("GET {url}: {e}"))
    }

    /// The sum of every sample of `name` whose labels include all of `labels`.
    pub fn total(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.0
            .lines()
            .filter_map(|line| {
                let (series, value) = line.rsplit_once(' ')?;
                let rest = series.strip_prefix(name)?;
                let has_all = labels
                    .iter()
                    .all(|(k, v)| rest.contains(&format!("{k}=\"{v}\"")));
                let named = rest.is_empty() || rest.starts_with('{');
                (named && has_all).then(|| value.parse::<f64>().ok())?
            })
            .sum()
    }

    /// Requests answered on `route` (the matched route, e.g.
    /// `/api/v1/public/checkouts/{id}/events`).
    pub fn requests(&self, route: &str) -> u64 {
        self.total(REQUESTS, &[("route", route)]) as u64
    }

    /// Requests answered on any route but `/healthz` (which the harness itself calls).
    pub fn requests_but_health(&self) -> u64 {
        let all = self.total(REQUESTS, &[]) as u64;
        all - self.requests(protocol::api::paths::HEALTH)
    }

    /// The sandbox's webhooks this instance applied.
    pub fn sandbox_webhooks_applied(&self) -> u64 {
        self.total(
            "checkout_webhooks_total",
            &[("provider", "sandbox"), ("outcome", "applied")],
        ) as u64
    }

    /// Live status streams open on this instance now.
    pub fn live_streams(&self) -> u64 {
        self.total("checkout_live_streams", &[]) as u64
    }
}

/// The request counter: the request histogram's `_count`.
const REQUESTS: &str = "checkout_http_request_duration_seconds_count";

#[cfg(test)]
mod tests {
    use super::Scrape;

    #[test]
    fn samples_are_summed_by_name_and_labels() {
        let text = "# TYPE checkout_live_streams gauge\n\
            checkout_live_streams 2\n\
            checkout_live_streams_other 7\n\
            checkout_http_request_duration_seconds_count{method=\"GET\",route=\"/healthz\",status=\"2xx\"} 4\n\
            checkout_http_request_duration_seconds_count{method=\"GET\",route=\"/a\",status=\"2xx\"} 3\n\
            checkout_http_request_duration_seconds_count{method=\"GET\",route=\"/a\",status=\"4xx\"} 1\n\
            checkout_webhooks_total{provider=\"sandbox\",outcome=\"applied\"} 5\n\
            checkout_webhooks_total{provider=\"sandbox\",outcome=\"duplicate\"} 1\n# EOF\n";
        let scrape = Scrape(text.to_owned());
        assert_eq!(scrape.live_streams(), 2);
        assert_eq!(scrape.requests("/a"), 4);
        assert_eq!(scrape.requests_but_health(), 4);
        assert_eq!(scrape.sandbox_webhooks_applied(), 5);
    }
}
