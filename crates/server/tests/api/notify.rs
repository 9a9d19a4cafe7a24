//! Merchant notifications: signed, delivered at least once with a stable event id, retried with
//! backoff, every attempt recorded, listable and redeliverable through the merchant API; and
//! the verification snippets of the README, run in Node and Python.

use std::process::Command;
use std::time::{Duration, SystemTime};

use checkout_server::config::Secret;
use checkout_server::notify::signature::{header_value, DEFAULT_TOLERANCE};
use checkout_server::notify::verify;
use merchant_client::calls;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;
use crate::receiver::{Received, Receiver};

pub const NEW_SECRET: &str = "whsec_notify_new_0123456789";
pub const OLD_SECRET: &str = "whsec_notify_old_9876543210";

/// An app that notifies `receiver`, with retries in milliseconds.
pub async fn app_notifying(receiver: &Receiver) -> TestApp {
    let url = receiver.url.clone();
    spawn_app_with(move |c| {
        c.notify.url = Some(url);
        c.notify.secrets = vec![Secret::new(NEW_SECRET), Secret::new(OLD_SECRET)];
        c.notify.poll_interval = Duration::from_millis(20);
        c.notify.timeout = Duration::from_secs(2);
        c.notify.backoff.base = Duration::from_millis(40);
        c.notify.backoff.cap = Duration::from_millis(200);
    })
    .await
}

fn statuses(got: &[Received]) -> Vec<String> {
    got.iter()
        .map(|r| r.json()["status"].as_str().unwrap().to_owned())
        .collect()
}

/// A notification verifies with the Rust `verify` under either of the rotating secrets.
pub fn assert_genuine_for_both_secrets(r: &Received) {
    for secret in [NEW_SECRET, OLD_SECRET] {
        verify(
            &r.body,
            &r.signature,
            &[secret],
            DEFAULT_TOLERANCE,
            SystemTime::now(),
        )
        .unwrap_or_else(|e| panic!("{e}: {}", r.signature));
    }
}

async fn paid_checkout(app: &TestApp) -> String {
    let view = app
        .create_checkout(json!({
            "clientOrderId": "order-42",
            "name": "Blue mug",
            "type": "FIXED_PRICE",
            "fixedAmount": {"amount": "25.00", "currency": "USD"},
        }))
        .await;
    let id = view["id"].as_str().unwrap().to_owned();
    let picked = app.pick(&id, "BTC", "BITCOIN", None).await;
    app.pay(&payment_id(&picked), &payment_amount(&picked))
        .await;
    app.wait_for_status(&id, "SUCCESS").await;
    id
}

#[tokio::test]
async fn every_status_change_is_delivered_signed_with_every_rotated_secret() {
    let receiver = Receiver::start().await;
    let app = app_notifying(&receiver).await;
    let id = paid_checkout(&app).await;
    // Other events of the last change carry the SUCCESS status too, and are sent before it.
    let got = receiver
        .wait_until(10, |g| {
            g.iter().any(|r| {
                r.json()["type"] == "checkout.status_changed" && r.json()["status"] == "SUCCESS"
            })
        })
        .await;
    // Funds and confirmations have their own events (merchant_events.rs); the status changes
    // are these.
    let got: Vec<Received> = got
        .into_iter()
        .filter(|r| r.json()["type"] == "checkout.status_changed")
        .collect();
    assert_eq!(
        statuses(&got),
        ["WAITING_PAYMENT", "PENDING_PAYMENT", "SUCCESS"]
    );
    let mut previous = "NEW".to_owned();
    for r in &got {
        assert_genuine_for_both_secrets(r);
        let body = r.json();
        assert_eq!(body["type"], "checkout.status_changed");
        assert!(body["id"].as_str().unwrap().starts_with("evt_"));
        assert_eq!(body["checkoutId"], id.as_str());
        assert_eq!(body["clientOrderId"], "order-42");
        assert_eq!(body["previousStatus"], previous.as_str());
        assert_eq!(body["price"], json!({"amount": "25.00", "currency": "USD"}));
        assert_eq!(body["payment"]["currency"], "BTC");
        assert!(body["payment"]["amount"].is_string(), "amounts are strings");
        assert!(body["createdAt"].is_string());
        previous = body["status"].as_str().unwrap().to_owned();
    }
    assert_eq!(
        got.last().unwrap().json()["payment"]["amountPaid"],
        got.last().unwrap().json()["payment"]["amount"]
    );

    // The receiver can see the last notification a moment before the worker records the answer,
    // so the listing is read until every delivery is recorded (or the deadline passes).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let list = loop {
        let (s, list) = app
            .merchant_get(&format!("/api/v1/deliveries?checkoutId={id}"))
            .await;
        assert_eq!(s, StatusCode::OK, "{list}");
        let recorded = list["items"]
            .as_array()
            .is_some_and(|items| items.iter().all(|i| i["state"] == "DELIVERED"));
        if recorded || std::time::Instant::now() > deadline {
            break list;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let items: Vec<&Value> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["type"] == "checkout.status_changed")
        .collect();
    assert_eq!(items.len(), 3);
    for item in &items {
        assert_eq!(item["state"], "DELIVERED", "{item}");
        assert_eq!(item["attempts"], 1);
    }
    assert_eq!(items[0]["payload"]["status"], "SUCCESS", "newest first");
}

#[tokio::test]
async fn failed_deliveries_are_retried_with_the_same_event_and_every_attempt_is_recorded() {
    let receiver = Receiver::start().await;
    receiver.fail_next(2);
    let app = app_notifying(&receiver).await;
    let id = app.fixed_checkout("10", "USD").await;
    app.pick(&id, "LTC", "LITECOIN", None).await;
    let got = receiver.wait_until(10, |g| g.len() >= 3).await;
    assert_eq!(got.len(), 3, "stops on success");
    assert!(
        got.iter().all(|r| r.body == got[0].body),
        "same bytes each time"
    );
    let event_id = got[0].json()["id"].as_str().unwrap().to_owned();

    let path = format!("/api/v1/deliveries/{event_id}");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    let detail = loop {
        let (s, d) = app.merchant_get(&path).await;
        assert_eq!(s, StatusCode::OK, "{d}");
        if d["state"] == "DELIVERED" || tokio::time::Instant::now() > deadline {
            break d;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(detail["state"], "DELIVERED", "{detail}");
    assert_eq!(detail["attempts"], 3);
    let codes: Vec<Value> = detail["attemptLog"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["httpStatus"].clone())
        .collect();
    assert_eq!(codes, [json!(500), json!(500), json!(204)]);
    assert!(detail["attemptLog"][0]["error"].is_string());
    assert!(detail["deliveredAt"].is_string());
}

#[tokio::test]
async fn a_redelivery_sends_the_same_event_again_and_unknown_ids_are_404() {
    let receiver = Receiver::start().await;
    let app = app_notifying(&receiver).await;
    let id = app.fixed_checkout("10", "USD").await;
    app.pick(&id, "LTC", "LITECOIN", None).await;
    let first = receiver.wait_until(10, |g| !g.is_empty()).await[0].clone();
    let event_id = first.json()["id"].as_str().unwrap().to_owned();

    let (s, view) = app.send(calls::redeliver(&event_id)).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{view}");
    let got = receiver.wait_until(10, |g| g.len() >= 2).await;
    assert_eq!(got[1].body, first.body);

    let (s, body) = app.send(calls::redeliver("evt_unknown")).await;
    assert_eq!(
        (s, error_of(&body).0.as_str()),
        (StatusCode::NOT_FOUND, "not_found")
    );
    let (s, _) = app
        .request(reqwest::Method::GET, "/api/v1/deliveries", false, None)
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, body) = app.merchant_get("/api/v1/deliveries?state=LOST").await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
}

#[tokio::test]
async fn retries_stop_after_the_give_up_time_and_a_redelivery_revives_the_event() {
    let receiver = Receiver::start().await;
    receiver.fail_next(usize::MAX);
    let url = receiver.url.clone();
    let app = spawn_app_with(move |c| {
        c.notify.url = Some(url);
        c.notify.secrets = vec![Secret::new(NEW_SECRET)];
        c.notify.poll_interval = Duration::from_millis(20);
        c.notify.backoff.base = Duration::from_millis(20);
        c.notify.backoff.cap = Duration::from_millis(40);
        c.notify.backoff.give_up_after = Duration::from_millis(300);
    })
    .await;
    let id = app.fixed_checkout("10", "USD").await;
    app.pick(&id, "LTC", "LITECOIN", None).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let item = loop {
        let (_, list) = app.merchant_get("/api/v1/deliveries?state=FAILED").await;
        if let Some(item) = list["items"].as_array().unwrap().first() {
            break item.clone();
        }
        assert!(tokio::time::Instant::now() < deadline, "never gave up");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let attempts = item["attempts"].as_u64().unwrap();
    assert!(attempts >= 2, "{item}");
    assert_eq!(receiver.received().len() as u64, attempts);
    receiver.fail_next(0);
    let event_id = item["eventId"].as_str().unwrap();
    app.send(calls::redeliver(event_id)).await;
    receiver
        .wait_until(10, |g| g.len() as u64 == attempts + 1)
        .await;
}

fn snippet(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/verify")
        .join(name)
}

/// Runs `program snippet body_file header secrets now`; true when it says genuine.
pub fn snippet_accepts(
    program: &str,
    file: &str,
    body: &[u8],
    header: &str,
    secrets: &str,
    now: i64,
) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let body_file = dir.path().join("body.json");
    std::fs::write(&body_file, body).unwrap();
    let out = Command::new(program)
        .arg(snippet(file))
        .arg(&body_file)
        .arg(header)
        .arg(secrets)
        .arg(now.to_string())
        .output()
        .unwrap_or_else(|e| panic!("running {program}: {e}"));
    let said = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert_eq!(out.status.success(), said == "ok", "{program}: {said}");
    out.status.success()
}

#[test]
fn the_node_and_python_snippets_accept_genuine_and_refuse_forged_notifications() {
    let body = br#"{"id":"evt_0123","type":"checkout.status_changed","status":"SUCCESS"}"#;
    let t = 1_800_000_000;
    let rotating = header_value(&[NEW_SECRET, OLD_SECRET], t, body);
    for (program, file) in [("node", "verify.js"), ("python3", "verify.py")] {
        let accepts = |body: &[u8], header: &str, secrets: &str, now: i64| {
            snippet_accepts(program, file, body, header, secrets, now)
        };
        assert!(accepts(body, &rotating, NEW_SECRET, t + 10), "{program}");
        assert!(accepts(body, &rotating, OLD_SECRET, t - 10), "{program}");
        assert!(
            accepts(body, &rotating, &format!("whsec_x,{OLD_SECRET}"), t),
            "{program}"
        );
        assert!(
            !accepts(b"{\"id\":\"evt_0124\"}", &rotating, NEW_SECRET, t),
            "{program}: tampered"
        );
        assert!(
            !accepts(body, &rotating, "whsec_wrong", t),
            "{program}: wrong secret"
        );
        assert!(
            !accepts(body, &rotating, NEW_SECRET, t + 301),
            "{program}: too old"
        );
        assert!(
            !accepts(body, "t=1800000000", NEW_SECRET, t),
            "{program}: no v1"
        );
        assert!(
            !accepts(body, "garbage", NEW_SECRET, t),
            "{program}: malformed"
        );
    }
}

#[test]
fn the_readme_shows_exactly_the_tested_snippets() {
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    for file in ["verify.js", "verify.py"] {
        let text = std::fs::read_to_string(snippet(file)).unwrap();
        assert!(readme.contains(text.trim()), "README lacks {file} verbatim");
    }
    let rust = std::fs::read_to_string(snippet("verify.rs.md")).unwrap();
    let shown: Vec<&str> = rust.lines().filter(|l| !l.starts_with("# ")).collect();
    assert!(
        readme.contains(&shown.join("\n")),
        "README lacks the Rust snippet"
    );
}
