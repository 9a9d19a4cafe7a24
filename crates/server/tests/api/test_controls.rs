//! The demo's test controls: a person pays a test checkout from the widget itself.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

fn actions(id: &str) -> String {
    format!("/api/v1/public/checkouts/{id}/test-actions")
}

async fn act(app: &TestApp, id: &str, action: &str) -> (StatusCode, Value) {
    app.public_post(&actions(id), json!({ "action": action }))
        .await
}

/// Polls the public view until `done` holds (the sandbox reports by webhook).
async fn until_view(app: &TestApp, id: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let (_, view) = app
            .public_get(&format!("/api/v1/public/checkouts/{id}"))
            .await;
        if done(&view) {
            return view;
        }
        assert!(tokio::time::Instant::now() < deadline, "last view {view}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[tokio::test]
async fn outside_the_demo_there_are_no_test_controls() {
    let app = spawn_app().await;
    let id = app.fixed_checkout("10", "USD").await;
    let (_, view) = app
        .public_get(&format!("/api/v1/public/checkouts/{id}"))
        .await;
    assert_eq!(
        (view["test"].as_bool(), view["testControls"].as_bool()),
        (Some(true), Some(false))
    );
    let (code, body) = act(&app, &id, "EXPIRE").await;
    assert_eq!(
        (code, error_of(&body).0.as_str()),
        (StatusCode::NOT_FOUND, "not_found")
    );
    assert_eq!(app.status(&id).await["status"], "NEW");
}

#[tokio::test]
async fn a_demo_test_checkout_is_paid_mined_and_expired_from_its_controls() {
    let app = spawn_app_with(|c| {
        c.demo = true;
        // Blocks only when asked: every confirmation below is the control's.
        c.sandbox.block_interval = Duration::from_secs(3600);
    })
    .await;
    let id = app.fixed_checkout("10", "USD").await;
    let (_, view) = app
        .public_get(&format!("/api/v1/public/checkouts/{id}"))
        .await;
    assert_eq!(view["testControls"], true);

    let (code, body) = act(&app, &id, "PAY_PART").await;
    assert_eq!(
        (code, error_of(&body).0.as_str()),
        (StatusCode::CONFLICT, "no_payment")
    );
    let (code, body) = act(&app, &id, "DROP_TABLES").await;
    assert_eq!(code, StatusCode::BAD_REQUEST, "{body}");

    let picked = app.pick(&id, "BTC", "BITCOIN", None).await;
    let due = picked["payment"]["amountUnits"]
        .as_str()
        .unwrap()
        .parse::<u128>()
        .unwrap();
    let (code, _) = act(&app, &id, "PAY_PART").await;
    assert_eq!(code, StatusCode::OK);
    let seen = until_view(&app, &id, |v| v["status"] == "PENDING_PAYMENT").await;
    let paid = protocol::Amount::parse(seen["payment"]["amountPaid"].as_str().unwrap()).unwrap();
    assert_eq!(paid.units(), due / 2, "half of what was due");
    assert_eq!(seen["payment"]["confirmations"], 0);

    let (code, _) = act(&app, &id, "MINE_BLOCK").await;
    assert_eq!(code, StatusCode::OK);
    until_view(&app, &id, |v| v["payment"]["confirmations"] == 1).await;

    let (code, _) = act(&app, &id, "PAY_IN_FULL").await;
    assert_eq!(code, StatusCode::OK);
    until_view(&app, &id, |v| {
        v["payment"]["amountRemaining"]
            .as_str()
            .is_some_and(|r| protocol::Amount::parse(r).is_ok_and(|r| r.is_zero()))
    })
    .await;
    for _ in 0..6 {
        act(&app, &id, "MINE_BLOCK").await;
    }
    until_view(&app, &id, |v| v["status"] == "SUCCESS").await;
    let (code, body) = act(&app, &id, "PAY_IN_FULL").await;
    assert_eq!(code, StatusCode::CONFLICT, "{body}");

    // Expire: the time runs out now, through the state machine (the merchant hears it).
    let other = app.fixed_checkout("10", "USD").await;
    let (code, view) = act(&app, &other, "EXPIRE").await;
    assert_eq!(
        (code, view["status"].as_str()),
        (StatusCode::OK, Some("EXPIRED")),
        "{view}"
    );
    let (_, events) = app
        .merchant_get(&format!("/api/v1/checkouts/{other}/events"))
        .await;
    assert_eq!(events["items"][0]["status"], "EXPIRED");
}
