//! The inbound webhook path, exercised the way a provider (or an attacker) would.

use checkout_server::config::Secret;
use checkout_server::providers::sandbox::sign;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

fn event(id: &str, invoice_ref: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "id": id, "type": "invoice.updated", "invoiceRef": invoice_ref,
        "createdAt": "2026-01-01T00:00:00Z",
    }))
    .unwrap()
}

async fn post(app: &TestApp, body: Vec<u8>, signature: Option<String>) -> (StatusCode, Value) {
    let mut req = app
        .client
        .post(app.url("/webhooks/sandbox"))
        .header("content-type", "application/json")
        .body(body);
    if let Some(s) = signature {
        req = req.header("x-sandbox-signature", s);
    }
    let resp = req.send().await.unwrap();
    (resp.status(), resp.json().await.unwrap_or(Value::Null))
}

fn invoice_ref(payment_id: &str) -> String {
    format!("sbx_inv_{}", payment_id.trim_start_matches("PAY-"))
}

#[tokio::test]
async fn signature_failures_are_refused_before_parsing() {
    let app = spawn_app().await;
    let secret = Secret::new(WEBHOOK_SECRET);
    let body = event("evt-1", "sbx_inv_x");

    let (s, err) = post(&app, body.clone(), None).await;
    assert_eq!(
        (s, error_of(&err).0.as_str()),
        (StatusCode::UNAUTHORIZED, "missing_signature")
    );

    let mut tampered = body.clone();
    tampered[10] ^= 1;
    let (s, err) = post(&app, tampered, Some(sign(&secret, &body))).await;
    assert_eq!(
        (s, error_of(&err).0.as_str()),
        (StatusCode::UNAUTHORIZED, "invalid_signature")
    );

    let (s, err) = post(&app, body.clone(), Some(sign(&Secret::new("wrong"), &body))).await;
    assert_eq!(
        (s, error_of(&err).0.as_str()),
        (StatusCode::UNAUTHORIZED, "invalid_signature")
    );

    let (s, _) = post(&app, body.clone(), Some("sha256=nothex".into())).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    // Garbage with a valid signature is a 400, never a 500.
    let garbage = b"{\"id\": 5}".to_vec();
    let (s, err) = post(&app, garbage.clone(), Some(sign(&secret, &garbage))).await;
    assert_eq!(
        (s, error_of(&err).0.as_str()),
        (StatusCode::BAD_REQUEST, "invalid_payload")
    );

    // Verified but about an invoice nobody knows: stored and acknowledged, so retries stop.
    let (s, ok) = post(&app, body.clone(), Some(sign(&secret, &body))).await;
    assert_eq!(
        (s, ok["status"].as_str()),
        (StatusCode::OK, Some("ignored"))
    );
    let (s, ok) = post(&app, body.clone(), Some(sign(&secret, &body))).await;
    assert_eq!(
        (s, ok["status"].as_str()),
        (StatusCode::OK, Some("duplicate"))
    );
}

#[tokio::test]
async fn a_duplicate_event_is_a_no_op() {
    let app = spawn_app().await;
    let secret = Secret::new(WEBHOOK_SECRET);
    let id = app.fixed_checkout("25", "USD").await;
    let view = app.pick(&id, "BTC", "BITCOIN", None).await;
    let reference = invoice_ref(&payment_id(&view));
    let body = event("evt-dup", &reference);
    let (s, first) = post(&app, body.clone(), Some(sign(&secret, &body))).await;
    assert_eq!(
        (s, first["status"].as_str()),
        (StatusCode::OK, Some("applied"))
    );
    let version = app.status(&id).await["version"].clone();
    let (s, second) = post(&app, body.clone(), Some(sign(&secret, &body))).await;
    assert_eq!(
        (s, second["status"].as_str()),
        (StatusCode::OK, Some("duplicate"))
    );
    assert_eq!(app.status(&id).await["version"], version);
}

#[tokio::test]
async fn a_forged_webhook_cannot_invent_funds() {
    // Even a correctly signed event only makes the server re-read the provider: the facts
    // come from the provider, not from the webhook body.
    let app = spawn_app().await;
    let secret = Secret::new(WEBHOOK_SECRET);
    let id = app.fixed_checkout("25", "USD").await;
    let view = app.pick(&id, "BTC", "BITCOIN", None).await;
    let body = serde_json::to_vec(&json!({
        "id": "evt-forged", "type": "invoice.paid", "invoiceRef": invoice_ref(&payment_id(&view)),
        "createdAt": "2026-01-01T00:00:00Z", "amount": "1000",
    }))
    .unwrap();
    let (s, _) = post(&app, body.clone(), Some(sign(&secret, &body))).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(app.status(&id).await["status"], "WAITING_PAYMENT");
}
