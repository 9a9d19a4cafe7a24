//! The browser figures: time to interactive on a cold cache (the widget's, its parts, and the
//! floor's), and how long a payment takes to reach the host page's `statusChanged` listener
//! with and without server-sent events.

use std::time::Duration;

use e2e::{eventually, Browser, Env, HostSite, Merchant};
use serde_json::{json, Value};

use crate::floor::{self, FloorSite};
use crate::server::Relay;
use crate::timeline::{Breakdown, Timeline, TIMELINE_JS};

const MARK: &str = "checkout-widget:interactive";

/// The language both elements render in. Not English (built into the widget), so the widget's
/// time includes its language file, as a payer's does whose browser asks for another language.
const LOCALE: &str = "de";

/// Polling samples are spread over this many points of the polling interval.
const POLL_SPREAD: u64 = 20;

/// Runs inline on the bench's host pages, after the journeys' recorder: the wall-clock time at
/// which the page's own `statusChanged` listener ran, and how many live streams have opened.
const BENCH_JS: &str = r#"<script>
window.__bench = []; window.__benchOpen = 0;
document.addEventListener("statusChanged", function (e) {
  window.__bench.push({ s: e.detail.status, t: Date.now() });
});
if (window.EventSource) {
  var Inner = window.EventSource;
  window.EventSource = function (url, config) {
    var source = new Inner(url, config);
    source.addEventListener("open", function () { window.__benchOpen++; });
    return source;
  };
  window.EventSource.prototype = Inner.prototype;
  window.EventSource.CONNECTING = 0; window.EventSource.OPEN = 1; window.EventSource.CLOSED = 2;
}
</script>"#;

/// What the browser figures share: the host site, the server's origin and the merchant.
pub struct Pages<'a> {
    pub env: &'a Env,
    pub site: &'a HostSite,
    pub server_origin: String,
    pub merchant: &'a Merchant,
    pub relay: &'a Relay,
    pub floor: &'a FloorSite,
}

/// The cold loads of the widget and of the floor, in ms from navigation start to each one's
/// interactive mark, and the widget's loads split into their parts.
pub struct Interactive {
    pub widget: Vec<f64>,
    pub floor: Vec<f64>,
    pub breakdowns: Vec<Breakdown>,
}

impl Pages<'_> {
    fn widget_js(&self) -> String {
        format!("{}/widget/widget.js", self.server_origin)
    }

    /// `loads` cold loads each of the widget and of the floor, interleaved (widget, floor,
    /// widget, ...), each in a fresh Chromium with a fresh profile (nothing cached: files,
    /// compiled wasm, connections), each on its own fresh checkout.
    pub async fn interactive(&self, loads: usize) -> Result<Interactive, String> {
        let mut result = Interactive {
            widget: Vec::with_capacity(loads),
            floor: Vec::with_capacity(loads),
            breakdowns: Vec::with_capacity(loads),
        };
        for n in 0..loads {
            let id = self.interactive_checkout().await;
            let url = self.site.page(
                &format!("interactive-{n}"),
                &self.widget_js(),
                &format!("<app-widget id=\"{id}\" locale=\"{LOCALE}\"></app-widget>"),
                None,
            );
            let timeline = load_cold(self.env, &url, MARK).await?;
            result.breakdowns.push(Breakdown::of(&timeline)?);
            result.widget.push(timeline.interactive);

            let id = self.interactive_checkout().await;
            let url = self.site.page(
                &format!("floor-{n}"),
                &self.floor.script_url(),
                &format!(
                    "<{tag} id=\"{id}\" api-base=\"{api}\" locale=\"{LOCALE}\"></{tag}>",
                    tag = floor::TAG,
                    api = self.server_origin
                ),
                None,
            );
            result
                .floor
                .push(load_cold(self.env, &url, floor::MARK).await?.interactive);
        }
        Ok(result)
    }

    async fn interactive_checkout(&self) -> String {
        self.merchant
            .create_fixed_checkout("Bench interactive", "25.00", "USD")
            .await
    }

    /// Latencies in ms from the moment the sandbox's webhook was handed to the server to the host
    /// page's `statusChanged` listener seeing `PENDING_PAYMENT`, one fresh checkout per sample.
    /// With `polling`, the page has no `EventSource`, so the widget finds out by polling.
    pub async fn status_latency(
        &self,
        browser: &Browser,
        samples: usize,
        polling: bool,
    ) -> Result<Vec<f64>, String> {
        let http = reqwest::Client::new();
        let mut latencies = Vec::with_capacity(samples);
        let mode = if polling { "poll" } else { "push" };
        for n in 0..samples {
            match self.latency_once(browser, &http, n, polling).await {
                Ok(latency) => latencies.push(latency),
                Err(e) => {
                    let journey = format!("bench-{mode}-{n}");
                    browser.save_failure(&journey).await;
                    return Err(format!("sample {n}: {e}"));
                }
            }
        }
        Ok(latencies)
    }

    /// A fresh checkout with BTC picked through the public API: its id, its payment's id and
    /// the amount due.
    async fn picked_checkout(
        &self,
        http: &reqwest::Client,
    ) -> Result<(String, String, String), String> {
        let id = self
            .merchant
            .create_fixed_checkout("Bench latency", "25.00", "USD")
            .await;
        let picked: Value = http
            .post(format!(
                "{}/api/v1/public/checkouts/{id}/payment",
                self.server_origin
            ))
            .json(&json!({"currency": "BTC", "network": "BITCOIN"}))
            .send()
            .await
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        let payment_id = picked["payment"]["id"]
            .as_str()
            .ok_or_else(|| format!("picking a coin answered {picked}"))?
            .to_owned();
        let amount = picked["payment"]["amount"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        Ok((id, payment_id, amount))
    }

    /// Opens the widget for checkout `id` and waits until it follows the payment: its live
    /// stream open, or (polling) a point of the polling interval spread by sample `n`.
    async fn follow(
        &self,
        browser: &Browser,
        id: &str,
        n: usize,
        polling: bool,
    ) -> Result<(), String> {
        let mode = if polling { "poll" } else { "push" };
        let head = if polling {
            format!("<script src=\"/no-event-source.js\"></script>{BENCH_JS}")
        } else {
            BENCH_JS.to_owned()
        };
        let url = self.site.page_with(
            &format!("{mode}-{n}"),
            &self.widget_js(),
            &head,
            &format!("<app-widget id=\"{id}\"></app-widget>"),
            None,
        );
        browser.client.goto(&url).await.map_err(|e| e.to_string())?;
        browser.wait_screen("app-widget", "pay").await?;
        if !polling {
            eventually(
                "the live stream to open",
                Duration::from_secs(10),
                || async {
                    let open = browser.eval("return window.__benchOpen;", vec![]).await;
                    (open.as_u64() > Some(0)).then_some(())
                },
            )
            .await?;
        } else {
            // Pay at evenly spread points of the widget's 2 s polling interval (it starts
            // with the first read), so the samples cover every phase, not only the worst.
            let phase = (n as u64 * 2_000 / POLL_SPREAD) % 2_000;
            tokio::time::sleep(Duration::from_millis(phase)).await;
        }
        Ok(())
    }

    async fn latency_once(
        &self,
        browser: &Browser,
        http: &reqwest::Client,
        n: usize,
        polling: bool,
    ) -> Result<f64, String> {
        let (id, payment_id, amount) = self.picked_checkout(http).await?;
        self.follow(browser, &id, n, polling).await?;
        self.merchant.sandbox_pay(&payment_id, &amount).await;
        let seen = eventually(
            "statusChanged PENDING_PAYMENT on the host page",
            Duration::from_secs(20),
            || async {
                browser
                    .eval(
                        "const e = window.__bench.find(e => e.s === 'PENDING_PAYMENT');\
                         return e ? e.t : null;",
                        vec![],
                    )
                    .await
                    .as_f64()
            },
        )
        .await?;
        let invoice = format!("sbx_inv_{}", payment_id.trim_start_matches("PAY-"));
        let sent = self
            .relay
            .sent_at(&invoice)
            .ok_or_else(|| format!("no webhook about {invoice} passed the relay"))?;
        // Removing the widget ends its stream: Chromium allows six connections per host,
        // and a page left behind may keep its stream open.
        browser
            .eval(
                "document.querySelectorAll('app-widget').forEach(w => w.remove());",
                vec![],
            )
            .await;
        let _ = browser.client.goto("about:blank").await;
        Ok(seen - sent)
    }
}

/// Opens `url` in a fresh Chromium, waits for `mark` and reads the page's timeline.
async fn load_cold(env: &Env, url: &str, mark: &str) -> Result<Timeline, String> {
    let browser = Browser::start(env).await;
    let result = timeline_once(&browser, url, mark).await;
    browser.close().await;
    result
}

async fn timeline_once(browser: &Browser, url: &str, mark: &str) -> Result<Timeline, String> {
    browser.client.goto(url).await.map_err(|e| e.to_string())?;
    eventually(
        &format!("the {mark} mark"),
        Duration::from_secs(30),
        || async {
            browser
                .eval(
                    "return performance.getEntriesByName(arguments[0]).length > 0 || null;",
                    vec![json!(mark)],
                )
                .await
                .as_bool()
        },
    )
    .await?;
    let timeline = browser.eval(TIMELINE_JS, vec![json!(mark)]).await;
    serde_json::from_value(timeline.clone()).map_err(|e| format!("{e} in the timeline {timeline}"))
}
