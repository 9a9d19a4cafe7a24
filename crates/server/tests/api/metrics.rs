//! `/metrics` on its own listener: requests by route, webhook outcomes by provider, live
//! streams, and the outbox and reconciliation backlogs read from the database.

use std::time::Duration;

use reqwest::StatusCode;

use crate::helpers::*;

/// The value of the sample `series` (name and labels exactly as written), if present.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .and_then(|value| value.trim().parse().ok())
}

async fn scrape(app: &TestApp) -> String {
    let at = app
        .server
        .as_ref()
        .unwrap()
        .metrics_addr
        .expect("metrics_listen is set");
    let answer = reqwest::get(format!("http://{at}/metrics")).await.unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    assert!(answer.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/openmetrics-text"));
    answer.text().await.unwrap()
}

#[tokio::test]
async fn metrics_count_routes_webhooks_streams_and_backlogs_on_their_own_listener() {
    let app = spawn_app_with(|c| {
        c.metrics_listen = Some("127.0.0.1:0".parse().unwrap());
        // Nobody listens there: every notification stays in the outbox.
        c.notify.url = Some("http://127.0.0.1:9/hooks".into());
        c.notify.secrets = vec![checkout_server::config::Secret::new("whsec_metrics_test")];
    })
    .await;
    let (off_public, _) = app.public_get("/metrics").await;
    assert_eq!(off_public, StatusCode::NOT_FOUND);

    let id = app.fixed_checkout("25.00", "USD").await;
    let view = app.pick(&id, "BTC", "BITCOIN", None).await;
    app.status(&id).await;
    let stream = app
        .client
        .get(app.url(&format!("/api/v1/public/checkouts/{id}/events")))
        .send()
        .await
        .unwrap();
    let unsigned = app
        .client
        .post(app.url("/webhooks/sandbox"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), StatusCode::UNAUTHORIZED);
    app.pay(&payment_id(&view), &payment_amount(&view)).await;
    app.wait_for_status(&id, "PENDING_PAYMENT").await;
    tokio::time::sleep(Duration::from_millis(50)).await;

    let text = scrape(&app).await;
    let status_route = r#"checkout_http_request_duration_seconds_count{method="GET",route="/api/v1/public/checkouts/{id}/status",status="2xx"}"#;
    assert!(sample(&text, status_route).unwrap_or(0.0) >= 1.0, "{text}");
    let unmatched = r#"checkout_http_request_duration_seconds_count{method="GET",route="unmatched",status="4xx"}"#;
    assert_eq!(sample(&text, unmatched), Some(1.0), "{text}");
    let applied = r#"checkout_webhooks_total{provider="sandbox",outcome="applied"}"#;
    assert!(sample(&text, applied).unwrap_or(0.0) >= 1.0, "{text}");
    let refused = r#"checkout_webhooks_total{provider="sandbox",outcome="missing_signature"}"#;
    assert_eq!(sample(&text, refused), Some(1.0), "{text}");
    assert_eq!(sample(&text, "checkout_live_streams"), Some(1.0), "{text}");
    assert_eq!(
        sample(&text, "checkout_live_checkouts"),
        Some(1.0),
        "{text}"
    );
    assert!(
        sample(&text, "checkout_outbox_pending").unwrap() >= 2.0,
        "{text}"
    );
    assert!(
        sample(&text, "checkout_outbox_lag_seconds").unwrap() > 0.0,
        "{text}"
    );
    assert_eq!(
        sample(&text, "checkout_reconcile_open_payments"),
        Some(1.0),
        "{text}"
    );
    assert!(
        sample(&text, "checkout_reconcile_lag_seconds").is_some(),
        "{text}"
    );
    assert!(
        sample(&text, "checkout_db_calls_in_flight").is_some(),
        "{text}"
    );
    let pool = |name: &str| sample(&text, &format!("checkout_db_pool_{name}")).unwrap();
    let (max, open, available) = (pool("max"), pool("open"), pool("available"));
    if on_postgres() {
        // The pool's size, and the connections the requests above opened, all back now.
        assert_eq!(max, 16.0, "{text}");
        assert!(open >= 1.0 && open <= max && available <= open, "{text}");
    } else {
        assert_eq!(
            (max, open, available),
            (0.0, 0.0, 0.0),
            "SQLite has no pool"
        );
    }
    assert_eq!(pool("waiting"), 0.0, "{text}");

    drop(stream);
    let mut streams = None;
    for _ in 0..100 {
        streams = sample(&scrape(&app).await, "checkout_live_streams");
        if streams == Some(0.0) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(streams, Some(0.0), "a closed stream is no longer counted");
}

#[tokio::test]
async fn without_metrics_listen_there_is_no_metrics_listener() {
    let app = spawn_app().await;
    assert_eq!(app.server.as_ref().unwrap().metrics_addr, None);
    let (status, _) = app.public_get("/metrics").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
