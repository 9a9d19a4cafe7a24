//! Calypso's interventions settled in the documented order (return-to-paid, then
//! close-intervention once the invoice is COMPLETED), resumed across crashes; and a COMPLETED
//! re-read that changes nothing the payer sees makes no new public version.

use std::path::Path;
use std::time::Duration;

use checkout_server::providers::calypso::client::CalypsoClient;
use checkout_server::providers::calypso::CalypsoProvider;
use checkout_server::providers::Provider;
use merchant_client::{calls, requests::Resolution};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::emulator::Emulator;
use crate::helpers::*;
use crate::process::ServerProcess;
use crate::providers_calypso::{
    app, config, emulator, event, key_of, mac, process_env, signed, Calypso, HOOK_KEY, HOOK_SECRET,
};

const RETURN_TO_PAID: &str = "/api/v1/invoice/return-to-paid";
const CLOSE: &str = "/api/v1/invoice/close-intervention";

fn count(emu: &Emulator<Calypso>, path: &str) -> usize {
    emu.requests_to(path).len()
}

/// Calypso holds the invoice of `key` for the merchant: `kind` is OVERPAY or UNDERPAY.
fn hold(emu: &Emulator<Calypso>, key: &str, kind: &str, total: &str) {
    emu.with(|s| {
        let inv = s.inv(key);
        inv.state = "PENDING_INTERVENTION".into();
        inv.intervention = Some(kind.into());
        inv.total = total.into();
    });
}

fn set_state(emu: &Emulator<Calypso>, key: &str, state: &str) {
    emu.with(|s| s.inv(key).state = state.into());
}

/// A 0.001 BTC checkout paid 0.002 (beyond our tolerance too), held by Calypso: CONFLICT.
async fn overpaid(app: &TestApp, emu: &Emulator<Calypso>, event_id: &str) -> (String, String) {
    let id = app.fixed_checkout("0.001", "BTC").await;
    let key = key_of(&app.pick(&id, "BTC", "BITCOIN", None).await);
    hold(emu, &key, "OVERPAY", "0.002");
    signed(
        app,
        &event(event_id, "INVOICE_PENDING_INTERVENTION", &key, "1"),
    )
    .await;
    let status = app.status(&id).await;
    assert_eq!(
        (status["status"].as_str(), status["exception"].as_str()),
        (Some("CONFLICT"), Some("OVERPAID")),
        "{status}"
    );
    (id, key)
}

async fn event_types(app: &TestApp, id: &str) -> Vec<String> {
    let (_, page) = app
        .merchant_get(&format!("/api/v1/checkouts/{id}/events"))
        .await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{} {}", e["type"].as_str().unwrap(), e["status"]))
        .collect()
}

#[tokio::test]
async fn calypso_emulator_refuses_intervention_calls_out_of_the_documented_order() {
    let emu = emulator().await;
    let provider = CalypsoProvider::new(config(&emu.base)).unwrap();
    let client = CalypsoClient::new(&config(&emu.base)).unwrap();
    let invoice = crate::providers_calypso::new_invoice(Some("0.00100000"));
    let key = provider
        .create_invoice(&invoice)
        .await
        .unwrap()
        .provider_ref;
    // No intervention: neither call is accepted.
    assert!(client.return_to_paid("1000").await.is_err());
    assert!(client.close_intervention("1000").await.is_err());
    hold(&emu, &key, "OVERPAY", "0.002");
    client.return_to_paid("1000").await.unwrap();
    // Returned to paid: once only, and no closing before COMPLETED.
    assert!(client.return_to_paid("1000").await.is_err());
    assert!(client.close_intervention("1000").await.is_err());
    set_state(&emu, &key, "COMPLETED");
    client.close_intervention("1000").await.unwrap();
    assert!(client.close_intervention("1000").await.is_err());
    // The intervention calls are sent once each, never retried: every attempt above is one
    // request (7), after the create.
    assert_eq!(count(&emu, RETURN_TO_PAID) + count(&emu, CLOSE), 7);
}

#[tokio::test]
async fn calypso_mark_paid_returns_to_paid_then_closes_once_the_invoice_is_completed() {
    let emu = emulator().await;
    let app = app(&emu).await;
    let (id, key) = overpaid(&app, &emu, "1").await;

    let (code, resolved) = app.send(calls::resolve(&id, Resolution::MarkPaid)).await;
    // The funds went to the merchant: the checkout is paid, and says so at once.
    assert_eq!(code, StatusCode::OK, "{resolved}");
    assert_eq!(resolved["status"], "SUCCESS");
    assert_eq!(
        resolved["payments"][0]["providerState"],
        "PENDING_INTERVENTION"
    );
    assert_eq!((count(&emu, RETURN_TO_PAID), count(&emu, CLOSE)), (1, 0));
    let version = app.status(&id).await["version"].clone();

    // PAID: still too early to close the intervention.
    signed(&app, &event("2", "INVOICE_PAID", &key, "1")).await;
    assert_eq!(count(&emu, CLOSE), 0);
    // COMPLETED: closed, exactly once, however often the invoice is read afterwards.
    set_state(&emu, &key, "COMPLETED");
    signed(
        &app,
        &event("3", "INVOICE_TRANSLATION_TO_ACCOUNT_COMPLETED", &key, "1"),
    )
    .await;
    assert_eq!(count(&emu, CLOSE), 1);
    emu.with(|s| assert!(s.inv(&key).resolved));
    signed(&app, &event("4", "INVOICE_PAID", &key, "1")).await;
    assert_eq!((count(&emu, RETURN_TO_PAID), count(&emu, CLOSE)), (1, 1));

    // The payer saw one change (SUCCESS); the merchant heard of it once and reads the
    // provider's final state.
    let status = app.status(&id).await;
    assert_eq!(
        (&status["status"], &status["version"]),
        (&json!("SUCCESS"), &version)
    );
    assert_eq!(
        app.checkout(&id).await["payments"][0]["providerState"],
        "COMPLETED"
    );
    let types = event_types(&app, &id).await;
    assert_eq!(
        types.iter().filter(|t| t.contains("SUCCESS")).count(),
        1,
        "{types:?}"
    );
    emu.assert_clean();
}

#[tokio::test]
async fn calypso_close_on_an_overpay_closes_the_intervention_only_and_leaves_it_pending() {
    let emu = emulator().await;
    let app = app(&emu).await;
    let (id, key) = overpaid(&app, &emu, "1").await;
    let (code, closed) = app.send(calls::resolve(&id, Resolution::Close)).await;
    assert_eq!(code, StatusCode::OK, "{closed}");
    assert_eq!(
        (closed["status"].as_str(), closed["exception"].as_str()),
        (Some("CANCELLED"), Some("OVERPAID"))
    );
    assert_eq!((count(&emu, RETURN_TO_PAID), count(&emu, CLOSE)), (0, 1));
    // What CLOSE leaves at Calypso (README): the funds still held, the intervention settled.
    emu.with(|s| {
        let inv = s.inv(&key);
        assert_eq!(
            (inv.state.as_str(), inv.resolved),
            ("PENDING_INTERVENTION", true)
        );
    });
    // A later event re-reads it and asks nothing more of Calypso; the checkout stays.
    signed(&app, &event("2", "INVOICE_PENDING_INTERVENTION", &key, "1")).await;
    assert_eq!((count(&emu, RETURN_TO_PAID), count(&emu, CLOSE)), (0, 1));
    assert_eq!(app.status(&id).await["status"], "CANCELLED");
    emu.assert_clean();
}

#[tokio::test]
async fn calypso_a_lost_answer_is_read_back_and_a_refusal_leaves_the_conflict_open() {
    let emu = emulator().await;
    let app = app(&emu).await;
    // return-to-paid takes effect but its answer is lost: the invoice says it was done.
    let (id, key) = overpaid(&app, &emu, "1").await;
    emu.with(|s| s.lose_answer_to = Some(RETURN_TO_PAID));
    let (code, resolved) = app.send(calls::resolve(&id, Resolution::MarkPaid)).await;
    assert_eq!(
        (code, resolved["status"].as_str()),
        (StatusCode::OK, Some("SUCCESS"))
    );
    assert_eq!(count(&emu, RETURN_TO_PAID), 1, "never sent twice");
    emu.with(|s| assert_eq!(s.inv(&key).state, "PAID"));

    // Refused with nothing done: the merchant hears it, the checkout stays CONFLICT, and
    // nothing is sent behind the merchant's back afterwards.
    let (id, key) = overpaid(&app, &emu, "2").await;
    emu.with(|s| {
        s.lose_answer_to = None;
        s.refuse = Some(RETURN_TO_PAID);
    });
    let (code, body) = app.send(calls::resolve(&id, Resolution::MarkPaid)).await;
    assert_eq!(
        (code, error_of(&body).0.as_str()),
        (StatusCode::BAD_GATEWAY, "provider_refused"),
        "{body}"
    );
    assert_eq!(app.status(&id).await["status"], "CONFLICT");
    let sent = count(&emu, RETURN_TO_PAID);
    signed(&app, &event("3", "INVOICE_PENDING_INTERVENTION", &key, "1")).await;
    assert_eq!(count(&emu, RETURN_TO_PAID), sent);
    emu.with(|s| s.refuse = None);
    let (code, _) = app.send(calls::resolve(&id, Resolution::MarkPaid)).await;
    assert_eq!(code, StatusCode::OK);
    emu.assert_clean();
}

fn env(emu: &Emulator<Calypso>, db: &TestDatabase) -> Vec<(&'static str, String)> {
    let mut env = process_env(emu);
    env.extend(db.env());
    env.extend([
        ("RUST_LOG", "warn".to_owned()),
        ("CHECKOUT_CALYPSO_TIMEOUT", "1s".to_owned()),
        ("CHECKOUT_RECONCILE_TICK", "50ms".to_owned()),
        ("CHECKOUT_RECONCILE_CONFIRMING", "100ms".to_owned()),
        ("CHECKOUT_RATE_LIMIT", "0".to_owned()),
    ]);
    env
}

async fn post(base: &str, path: &str, body: Value) -> Value {
    let resp = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .bearer_auth(MERCHANT_KEY)
        .json(&body)
        .send()
        .await
        .unwrap();
    resp.json().await.unwrap()
}

async fn webhook(base: &str, body: Vec<u8>) {
    let resp = reqwest::Client::new()
        .post(format!("{base}/webhooks/calypso"))
        .header("Sign", mac(HOOK_SECRET, &body))
        .header("Key", HOOK_KEY)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
}

/// Waits until `done` holds of the emulator's state.
async fn until(emu: &Emulator<Calypso>, what: &str, done: impl Fn(&mut Calypso) -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !emu.with(&done) {
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn status_of(base: &str, id: &str) -> Value {
    let path = protocol::api::status(id);
    reqwest::get(format!("{base}{path}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The checkout `id`, with the invoice `key` CONFLICT/OVERPAID, on a new server process.
async fn held_checkout(
    emu: &Emulator<Calypso>,
    dir: &Path,
    db: &TestDatabase,
) -> (ServerProcess, String, String) {
    let server = ServerProcess::start(dir, &env(emu, db)).await;
    let created = post(
        &server.base,
        "/api/v1/checkouts",
        json!({"name": "Mug", "type": "FIXED_PRICE", "fixedAmount": {"amount": "0.001", "currency": "BTC"}}),
    )
    .await;
    let id = created["id"].as_str().unwrap().to_owned();
    let picked = post(
        &server.base,
        &format!("/api/v1/public/checkouts/{id}/payment"),
        json!({"currency": "BTC", "network": "BITCOIN"}),
    )
    .await;
    let key = key_of(&picked);
    hold(emu, &key, "OVERPAY", "0.002");
    webhook(
        &server.base,
        event("1", "INVOICE_PENDING_INTERVENTION", &key, "1"),
    )
    .await;
    assert_eq!(status_of(&server.base, &id).await["status"], "CONFLICT");
    (server, id, key)
}

#[tokio::test]
async fn calypso_settlement_resumes_after_crashes_between_its_steps() {
    let emu = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let db = TestDatabase::new().await;
    let (server, id, key) = held_checkout(&emu, dir.path(), &db).await;

    // Killed once return-to-paid has taken effect, before the server heard the answer.
    let pid = server.child.id();
    emu.with(|s| s.crash_after = Some((RETURN_TO_PAID, pid)));
    let resolve = reqwest::Client::new()
        .post(format!("{}/api/v1/checkouts/{id}/resolve", server.base))
        .bearer_auth(MERCHANT_KEY)
        .json(&json!({"action": "MARK_PAID"}))
        .send()
        .await;
    assert!(resolve.is_err(), "the server died mid-request");
    server.kill();
    emu.with(|s| s.crash_after = None);
    emu.with(|s| assert_eq!(s.inv(&key).state, "PAID"));

    // Restarted: the recorded request is read back from the invoice, not sent again.
    let server = ServerProcess::start(dir.path(), &env(&emu, &db)).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while status_of(&server.base, &id).await["status"] != "SUCCESS" {
        assert!(tokio::time::Instant::now() < deadline, "never resumed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!((count(&emu, RETURN_TO_PAID), count(&emu, CLOSE)), (1, 0));

    // Killed again with close-intervention still to send; the invoice completes meanwhile and
    // no webhook says so: the start-up pass and the reconciler find the step left.
    server.kill();
    set_state(&emu, &key, "COMPLETED");
    let server = ServerProcess::start(dir.path(), &env(&emu, &db)).await;
    until(&emu, "close-intervention sent", |s| s.inv(&key).resolved).await;
    // Settled: nothing more is sent, however long the server runs.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!((count(&emu, RETURN_TO_PAID), count(&emu, CLOSE)), (1, 1));
    assert_eq!(status_of(&server.base, &id).await["status"], "SUCCESS");
    server.kill();
    emu.assert_clean();
}

#[tokio::test]
async fn calypso_completed_after_paid_makes_no_new_public_version() {
    let emu = emulator().await;
    let app = app(&emu).await;
    let id = app.fixed_checkout("0.001", "BTC").await;
    let key = key_of(&app.pick(&id, "BTC", "BITCOIN", None).await);
    emu.with(|s| {
        let inv = s.inv(&key);
        inv.state = "PAID".into();
        inv.total = "0.001".into();
    });
    signed(&app, &event("1", "INVOICE_PAID", &key, "1")).await;
    let paid = app.status(&id).await;
    assert_eq!(paid["status"], "SUCCESS");
    let (_, view) = app
        .public_get(&format!("/api/v1/public/checkouts/{id}"))
        .await;
    let events_before = event_types(&app, &id).await;

    set_state(&emu, &key, "COMPLETED");
    signed(
        &app,
        &event("2", "INVOICE_TRANSLATION_TO_ACCOUNT_COMPLETED", &key, "1"),
    )
    .await;
    // The payer's views are the same, version included; the merchant reads the new state.
    assert_eq!(app.status(&id).await, paid);
    let (_, again) = app
        .public_get(&format!("/api/v1/public/checkouts/{id}"))
        .await;
    assert_eq!(again, view);
    assert_eq!(
        app.checkout(&id).await["payments"][0]["providerState"],
        "COMPLETED"
    );
    assert_eq!(event_types(&app, &id).await, events_before);
    // A widget resuming its live stream at the version it has hears nothing new: the stream
    // of a final checkout the client is current on ends at once, without an event.
    let stream = app
        .client
        .get(app.url(&format!("/api/v1/public/checkouts/{id}/events")))
        .header("Last-Event-ID", paid["version"].to_string())
        .send()
        .await
        .unwrap();
    let body = tokio::time::timeout(Duration::from_secs(5), stream.text())
        .await
        .expect("the stream of a final checkout ends")
        .unwrap();
    assert!(!body.contains("event: status"), "{body}");
    emu.assert_clean();
}
