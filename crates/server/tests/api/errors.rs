//! Every bad input is a 4xx in the one envelope, naming the field; never a 500.

use merchant_client::{calls, requests::Resolution};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

const UNKNOWN_ID: &str = "CCO-00000000-0000-4000-8000-000000000000";

#[tokio::test]
async fn bad_create_bodies_name_the_field() {
    let app = spawn_app().await;
    let cases = [
        (
            json!({"name": "x", "type": "FIXED_PRICE", "fixedAmout": {"amount": "1", "currency": "USD"}}),
            "fixedAmout",
        ),
        (
            json!({"name": 5, "type": "FIXED_PRICE", "fixedAmount": {"amount": "1", "currency": "USD"}}),
            "name",
        ),
        (
            json!({"type": "FIXED_PRICE", "fixedAmount": {"amount": "1", "currency": "USD"}}),
            "name",
        ),
        (
            json!({"name": "x", "type": "CHEAP", "fixedAmount": {"amount": "1", "currency": "USD"}}),
            "type",
        ),
        (
            json!({"name": "x", "type": "FIXED_PRICE", "fixedAmount": {"amount": "-1", "currency": "USD"}}),
            "fixedAmount.amount",
        ),
        (
            json!({"name": "x", "type": "FIXED_PRICE", "fixedAmount": {"amount": "0", "currency": "USD"}}),
            "fixedAmount.amount",
        ),
        (
            json!({"name": "x", "type": "FIXED_PRICE", "fixedAmount": {"amount": "1.001", "currency": "USD"}}),
            "fixedAmount.amount",
        ),
        (
            json!({"name": "x", "type": "FIXED_PRICE", "fixedAmount": {"amount": "2000000000", "currency": "USD"}}),
            "fixedAmount.amount",
        ),
        (
            json!({"name": "x", "type": "FIXED_PRICE", "fixedAmount": {"amount": 2.5, "currency": "USD"}}),
            "fixedAmount.amount",
        ),
        (
            json!({"name": "x", "type": "FIXED_PRICE", "fixedAmount": {"amount": "1e3", "currency": "USD"}}),
            "fixedAmount.amount",
        ),
        (
            json!({"name": "x", "type": "FIXED_PRICE", "fixedAmount": {"amount": "1", "currency": "XYZ"}}),
            "fixedAmount.currency",
        ),
        (json!({"name": "x", "type": "FIXED_PRICE"}), "fixedAmount"),
        (
            json!({"name": "x", "type": "FIXED_PRICE", "fixedAmount": {"amount": "1", "currency": "USD"}, "minAmount": "1"}),
            "minAmount",
        ),
        (json!({"name": "x", "type": "NO_PRICE"}), "amountCurrency"),
        (
            json!({"name": "x", "type": "NO_PRICE", "amountCurrency": "USD", "minAmount": "10", "maxAmount": "5"}),
            "maxAmount",
        ),
        (
            json!({"name": "x", "type": "NO_PRICE", "amountCurrency": "USD", "suggestedAmounts": ["1"]}),
            "suggestedAmounts",
        ),
        (
            json!({"name": "x", "type": "SUGGESTED_FIXED_PRICE", "amountCurrency": "USD", "maxAmount": "5", "suggestedAmounts": ["1", "9"]}),
            "suggestedAmounts[1]",
        ),
        (
            json!({"name": "x", "type": "FIXED_PRICE", "fixedAmount": {"amount": "1", "currency": "USD"}, "currencies": [{"code": "DOGE", "network": "DOGECOIN"}]}),
            "currencies[0]",
        ),
        (
            json!({"name": "x", "type": "FIXED_PRICE", "fixedAmount": {"amount": "1", "currency": "USD"}, "expiresAt": "tomorrow"}),
            "expiresAt",
        ),
        (
            json!({"name": "x", "type": "FIXED_PRICE", "fixedAmount": {"amount": "1", "currency": "USD"}, "expiresAt": "2001-01-01T00:00:00Z"}),
            "expiresAt",
        ),
        (
            json!({"name": "x", "type": "FIXED_PRICE", "fixedAmount": {"amount": "1", "currency": "USD"}, "returnUrl": "javascript:alert(1)"}),
            "returnUrl",
        ),
        (
            json!({"name": " ", "type": "FIXED_PRICE", "fixedAmount": {"amount": "1", "currency": "USD"}}),
            "name",
        ),
        (
            json!({"name": "x", "type": "FIXED_PRICE", "fixedAmount": {"amount": "1", "currency": "USD"}, "clientOrderId": ""}),
            "clientOrderId",
        ),
    ];
    for (body, field) in cases {
        let (status, err) = app.send(calls::create_checkout(&body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body} -> {err}");
        let (_, named) = error_of(&err);
        let message = err["error"]["message"].as_str().unwrap();
        assert!(
            named.as_deref() == Some(field) || message.contains(field),
            "{body}: expected {field} named in {err}"
        );
    }
}

#[tokio::test]
async fn malformed_json_wrong_shapes_and_size_limits() {
    let app = spawn_app().await;
    for body in ["{", "not json", "", "[1,2]", "{\"name\":\"x\"} trailing"] {
        let (status, err) = app
            .raw_post("/api/v1/checkouts", true, body.to_owned())
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body:?}");
        error_of(&err);
    }
    let huge = format!("{{\"name\":\"{}\"}}", "x".repeat(200_000));
    let (status, err) = app.raw_post("/api/v1/checkouts", true, huge.clone()).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_of(&err).0, "payload_too_large");
    let id = app.fixed_checkout("1", "USD").await;
    let (status, err) = app
        .raw_post(
            &format!("/api/v1/public/checkouts/{id}/payment"),
            false,
            huge,
        )
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    error_of(&err);
}

#[tokio::test]
async fn bad_picks_name_the_field() {
    let app = spawn_app().await;
    let id = app.fixed_checkout("10", "USD").await;
    let path = format!("/api/v1/public/checkouts/{id}/payment");
    let cases = [
        (
            json!({"currency": "DOGE", "network": "DOGECOIN"}),
            "unknown_currency",
            "currency",
        ),
        (
            json!({"currency": "BTC", "network": "ETHEREUM"}),
            "unknown_network",
            "network",
        ),
        (json!({"currency": "BTC"}), "invalid_field", "network"),
        (
            json!({"currency": "BTC", "network": "BITCOIN", "amout": "1"}),
            "invalid_field",
            "amout",
        ),
        (
            json!({"currency": ["BTC"], "network": "BITCOIN"}),
            "invalid_field",
            "currency",
        ),
    ];
    for (body, code, field) in cases {
        let (status, err) = app.public_post(&path, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let (got_code, got_field) = error_of(&err);
        assert_eq!(got_code, code, "{body}: {err}");
        let message = err["error"]["message"].as_str().unwrap();
        assert!(
            got_field.as_deref() == Some(field) || message.contains(field),
            "{body}: {err}"
        );
    }
    let (status, err) = app.raw_post(&path, false, "{\"currency\":").await;
    assert_eq!(
        (status, error_of(&err).0.as_str()),
        (StatusCode::BAD_REQUEST, "malformed_json")
    );
}

#[tokio::test]
async fn unknown_checkouts_are_404_everywhere() {
    let app = spawn_app().await;
    for path in [
        format!("/api/v1/public/checkouts/{UNKNOWN_ID}"),
        format!("/api/v1/public/checkouts/{UNKNOWN_ID}/status"),
        format!("/api/v1/public/checkouts/{UNKNOWN_ID}/events"),
        "/api/v1/public/checkouts/..%2F..%2Fhealthz".to_owned(),
    ] {
        let (status, err) = app.public_get(&path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(error_of(&err).0, "not_found");
    }
    let (status, _) = app.pick_raw(UNKNOWN_ID, "BTC", "BITCOIN", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.send(calls::checkout(UNKNOWN_ID)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .send(calls::resolve(UNKNOWN_ID, Resolution::Close))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_expired_checkout_is_shown_but_takes_no_pick() {
    let app = spawn_app_with(|c| c.expiry_sweep = std::time::Duration::from_secs(3600)).await;
    let created = app
        .create_checkout(
            json!({"name": "x", "type": "FIXED_PRICE", "expiresAt": in_ms(300),
            "fixedAmount": {"amount": "10", "currency": "USD"}}),
        )
        .await;
    let id = created["id"].as_str().unwrap();
    // The sweep is slow here: reading the checkout expires it on the spot.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let (status, view) = app
            .public_get(&format!("/api/v1/public/checkouts/{id}"))
            .await;
        assert_eq!(status, StatusCode::OK);
        if view["status"] == "EXPIRED" {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline);
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let (status, err) = app.pick_raw(id, "BTC", "BITCOIN", None).await;
    assert_eq!(
        (status, error_of(&err).0.as_str()),
        (StatusCode::GONE, "checkout_expired")
    );
    // A request that is wrong in itself is told so first, whatever the checkout's state.
    let (status, err) = app.pick_raw(id, "NOPE", "BITCOIN", None).await;
    assert_eq!(
        (status, error_of(&err).0.as_str()),
        (StatusCode::BAD_REQUEST, "unknown_currency")
    );
    let path = format!("/api/v1/public/checkouts/{id}/payment");
    let long = "a".repeat(255);
    let body = serde_json::json!({"currency": "BTC", "network": "BITCOIN", "payerContact": long});
    let (status, err) = app.public_post(&path, body).await;
    assert_eq!(
        (status, error_of(&err).1.as_deref()),
        (StatusCode::BAD_REQUEST, Some("payerContact"))
    );
}
