//! Abuse and bad input: per-client rate limits, request deadlines, security headers, ids that
//! cannot be guessed or listed, and a flood that leaves health checks and the merchant API
//! answering.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use checkout_server::routes::ROUTES;
use merchant_client::calls;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

#[tokio::test]
async fn the_public_api_is_rate_limited_per_client_with_retry_after_and_cors() {
    let app = spawn_app_with(|c| {
        c.limits.public_per_second = 2;
        c.limits.public_burst = 3;
        c.limits.trust_forwarded_for = true;
        c.cors_origins = vec!["https://shop.example".into()];
    })
    .await;
    let id = app.fixed_checkout("5", "USD").await;
    let get = |ip: &'static str| {
        app.client
            .get(app.url(&format!("/api/v1/public/checkouts/{id}/status")))
            .header("origin", "https://shop.example")
            .header("x-forwarded-for", ip)
            .send()
    };
    for _ in 0..3 {
        assert_eq!(get("198.51.100.7").await.unwrap().status(), StatusCode::OK);
    }
    let refused = get("198.51.100.7").await.unwrap();
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.headers()["retry-after"], "1");
    assert_eq!(
        refused.headers()["access-control-allow-origin"],
        "https://shop.example",
        "the widget can read the refusal"
    );
    let body: Value = refused.json().await.unwrap();
    assert_eq!(error_of(&body).0, "rate_limited");
    // Another client is not affected; the merchant API and health are not limited.
    assert_eq!(get("198.51.100.8").await.unwrap().status(), StatusCode::OK);
    for _ in 0..10 {
        assert_eq!(app.send(calls::checkout(&id)).await.0, StatusCode::OK);
        assert_eq!(app.public_get("/healthz").await.0, StatusCode::OK);
    }
    // The bucket refills at the sustained rate.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(get("198.51.100.7").await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn under_a_flood_on_the_public_api_health_and_the_merchant_api_keep_answering() {
    // The shipped limits.
    let app = spawn_app_with(|c| c.limits = Default::default()).await;
    let id = app.fixed_checkout("5", "USD").await;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let refused = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut flood = Vec::new();
    for i in 0..32 {
        let (client, stop, refused) = (app.client.clone(), stop.clone(), refused.clone());
        let (status, pick, open) = (
            app.url(&format!("/api/v1/public/checkouts/{id}/status")),
            app.url(&format!("/api/v1/public/checkouts/{id}/payment")),
            app.url("/api/v1/public/widgets/3f0c2a9e-1b7d-4e5f-8a6b-9c0d1e2f3a4b/checkouts"),
        );
        flood.push(tokio::spawn(async move {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let sent = match i % 3 {
                    0 => client.get(&status).send().await,
                    1 => {
                        client
                            .post(&pick)
                            .json(&json!({"currency": "BTC", "network": "BITCOIN"}))
                            .send()
                            .await
                    }
                    _ => client.post(&open).send().await,
                };
                if let Ok(r) = sent {
                    if r.status() == StatusCode::TOO_MANY_REQUESTS {
                        refused.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut slowest = Duration::ZERO;
    for _ in 0..20 {
        let started = Instant::now();
        assert_eq!(app.public_get("/healthz").await.0, StatusCode::OK);
        let (s, body) = app.send(calls::checkout(&id)).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let (s, body) = app
            .send(calls::create_checkout(
                &json!({"name": "during the flood", "type": "FIXED_PRICE",
                "fixedAmount": {"amount": "1", "currency": "USD"}}),
            ))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        slowest = slowest.max(started.elapsed());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for f in flood {
        f.await.unwrap();
    }
    assert!(
        refused.load(std::sync::atomic::Ordering::Relaxed) > 100,
        "the flood was limited"
    );
    assert!(
        slowest < Duration::from_secs(2),
        "slowest health + merchant round: {slowest:?}"
    );
}

#[tokio::test]
async fn a_request_that_takes_too_long_is_answered_503_and_bodies_over_the_limit_413() {
    let app = spawn_app_with(|c| {
        c.limits.request_timeout = Duration::from_millis(300);
        c.body_limit_bytes = 1024;
    })
    .await;
    let id = app.fixed_checkout("5", "USD").await;
    // A client that announces a body and never sends it.
    let addr = app.addr;
    let answer = tokio::task::spawn_blocking(move || {
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        write!(
            s,
            "POST /api/v1/public/checkouts/{id}/payment HTTP/1.1\r\nhost: x\r\n\
                   content-type: application/json\r\ncontent-length: 100\r\n\r\n{{\"cur"
        )
        .unwrap();
        let mut buf = vec![0u8; 4096];
        let n = s.read(&mut buf).unwrap();
        String::from_utf8_lossy(&buf[..n]).into_owned()
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("request_timeout"), "{answer}");
    let (s, body) = app
        .raw_post("/api/v1/checkouts", true, vec![b' '; 2048])
        .await;
    assert_eq!(
        (s, error_of(&body).0.as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large")
    );
}

#[tokio::test]
async fn pages_api_answers_and_widget_files_carry_security_headers() {
    let files = tempfile::tempdir().unwrap();
    let (dist, examples) = (files.path().join("dist"), files.path().join("examples"));
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::create_dir_all(&examples).unwrap();
    std::fs::write(dist.join("widget.js"), "export {}").unwrap();
    std::fs::write(examples.join("index.html"), "<h1>shop</h1>").unwrap();
    let app = spawn_app_with(move |c| {
        c.dist = Some(dist);
        c.examples = Some(examples);
    })
    .await;
    let get = |path: &str| app.client.get(app.url(path)).send();
    let page = get("/examples/").await.unwrap();
    let h = page.headers();
    assert!(h["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("frame-ancestors 'self'"));
    assert_eq!(h["x-frame-options"], "SAMEORIGIN");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "no-referrer");
    assert_eq!(h["cross-origin-opener-policy"], "same-origin");
    let api = get("/healthz").await.unwrap();
    let h = api.headers();
    assert_eq!(
        h["content-security-policy"],
        "default-src 'none'; frame-ancestors 'none'"
    );
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["cache-control"], "no-store");
    let widget = get("/widget/widget.js").await.unwrap();
    assert_eq!(
        widget.headers()["cross-origin-resource-policy"],
        "cross-origin"
    );
    assert_eq!(widget.headers()["access-control-allow-origin"], "*");
}

#[tokio::test]
async fn checkout_ids_and_widget_keys_are_random_and_nothing_lists_them_without_the_key() {
    let app = spawn_app().await;
    let mut ids = std::collections::HashSet::new();
    for _ in 0..30 {
        let id = app.fixed_checkout("5", "USD").await;
        let uuid = uuid::Uuid::parse_str(id.strip_prefix("CCO-").unwrap()).unwrap();
        assert_eq!(uuid.get_version(), Some(uuid::Version::Random), "{id}");
        assert!(ids.insert(id));
    }
    // A widget key that is not random is refused.
    let (s, body) = app
        .send(calls::create_widget(
            &json!({"idempotencyKey": "00000000-0000-1000-8000-000000000001",
            "amountCurrency": "USD"}),
        ))
        .await;
    assert_eq!(
        (s, error_of(&body).1.as_deref()),
        (StatusCode::BAD_REQUEST, Some("idempotencyKey"))
    );

    // Without the merchant key, every route either needs an id (and a wrong one is a plain 404,
    // the same whatever its shape) or lists nothing.
    let known = ids.iter().next().unwrap().clone();
    for (method, path) in ROUTES {
        if path.starts_with("/webhooks/") || *path == "/api/openapi.json" || *path == "/healthz" {
            continue;
        }
        let guessed = path
            .replace("{id}", "CCO-00000000-0000-4000-8000-000000000000")
            .replace("{key}", "00000000-0000-4000-8000-000000000000")
            .replace("{paymentId}", "PAY-00000000-0000-4000-8000-000000000000")
            .replace("{eventId}", "evt_00000000000000000000000000000000");
        let req = match *method {
            "get" => app.client.get(app.url(&guessed)),
            _ => app
                .client
                .post(app.url(&guessed))
                .json(&json!({"currency": "BTC", "network": "BITCOIN"})),
        };
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        assert!(
            status == StatusCode::NOT_FOUND || status == StatusCode::UNAUTHORIZED,
            "{method} {path}: {status} {text}"
        );
        assert!(!text.contains(&known), "{method} {path} leaked an id");
        if path.starts_with("/api/v1/public/") && status == StatusCode::NOT_FOUND {
            let other = guessed
                .replace("CCO-00000000-0000-4000-8000-000000000000", "x")
                .replace("00000000-0000-4000-8000-000000000000", "x");
            let again = match *method {
                "get" => app.client.get(app.url(&other)),
                _ => app
                    .client
                    .post(app.url(&other))
                    .json(&json!({"currency": "BTC", "network": "BITCOIN"})),
            };
            let again = again.send().await.unwrap();
            assert_eq!(again.status(), StatusCode::NOT_FOUND, "{other}");
        }
    }
}
