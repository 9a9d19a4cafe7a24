use merchant_client::calls;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

const KEY: &str = "3f0c2a9e-1b7d-4e5f-8a6b-9c0d1e2f3a4b";

#[tokio::test]
async fn a_widget_key_opens_fresh_checkouts_and_lists_them_with_payments() {
    let app = spawn_app().await;
    let body = json!({
        "idempotencyKey": KEY, "externalId": "user-42", "description": "Top up",
        "type": "NO_PRICE", "amountCurrency": "USD", "minAmount": "5", "maxAmount": "500",
        "currencies": [{"code": "USDT", "network": "TRON"}, {"code": "BTC", "network": "BITCOIN"}],
        "returnUrl": "https://shop.example/back",
    });
    let (s, created) = app.send(calls::create_widget(&body)).await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    assert_eq!(created["key"], KEY);
    assert_eq!(created["externalId"], "user-42");
    // Idempotent on the key.
    let (s, again) = app.send(calls::create_widget(&body)).await;
    assert_eq!((s, again["key"].as_str()), (StatusCode::OK, Some(KEY)));

    let open = format!("/api/v1/public/widgets/{KEY}/checkouts");
    let (s, first) = app.public_post(&open, json!(null)).await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    let (_, second) = app.public_post(&open, json!(null)).await;
    assert_ne!(first["id"], second["id"]);
    assert_eq!(first["status"], "NEW");
    assert_eq!(first["type"], "NO_PRICE");
    assert_eq!(first["returnUrl"], "https://shop.example/back");
    assert!(first.get("externalId").is_none());
    let first_id = first["id"].as_str().unwrap();
    app.pick(first_id, "USDT", "TRON", Some("20")).await;

    let merchant = app.checkout(first_id).await;
    assert_eq!(merchant["externalId"], "user-42");
    assert_eq!(merchant["widgetKey"], KEY);

    let (s, widget) = app.send(calls::widget(KEY)).await;
    assert_eq!(s, StatusCode::OK);
    let checkouts = widget["checkouts"].as_array().unwrap();
    assert_eq!(checkouts.len(), 2);
    assert_eq!(checkouts[0]["id"], first["id"]);
    assert_eq!(checkouts[0]["payments"].as_array().unwrap().len(), 1);
    assert_eq!(checkouts[0]["payments"][0]["amount"], "20.000000");
}

#[tokio::test]
async fn widget_errors() {
    let app = spawn_app().await;
    let (s, err) = app
        .send(calls::create_widget(
            &json!({"idempotencyKey": "not-a-uuid", "amountCurrency": "USD"}),
        ))
        .await;
    assert_eq!(
        (s, error_of(&err).1.as_deref()),
        (StatusCode::BAD_REQUEST, Some("idempotencyKey"))
    );
    let (s, err) = app
        .send(calls::create_widget(&json!({"amountCurrency": "USD"})))
        .await;
    assert_eq!(
        (s, error_of(&err).1.as_deref()),
        (StatusCode::BAD_REQUEST, Some("idempotencyKey"))
    );
    for key in [KEY, "nope"] {
        let (s, _) = app
            .public_post(
                &format!("/api/v1/public/widgets/{key}/checkouts"),
                json!(null),
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = app.send(calls::widget(key)).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn demo_mode_seeds_the_two_demo_widgets() {
    let app = spawn_app_with(|c| c.demo = true).await;
    let (s, donation) = app
        .public_post(
            "/api/v1/public/widgets/5e1f0a3c-7d2b-4c8e-9a61-0d3b2f4e8c17/checkouts",
            json!(null),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(donation["type"], "NO_PRICE");
    assert_eq!(
        (
            donation["minAmount"].as_str(),
            donation["maxAmount"].as_str()
        ),
        (Some("1.00"), Some("10000.00"))
    );
    assert_eq!(donation["amountCurrency"], "USD");
    let (s, order) = app
        .public_post(
            "/api/v1/public/widgets/8b6d2f40-3c1e-4a57-b9d8-61f0e2a4c935/checkouts",
            json!(null),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(
        order["price"],
        json!({"amount": "25.00", "currency": "USD"})
    );
    // Seeding is idempotent across restarts.
    let mut app = app;
    app.restart().await;
    let (s, widget) = app
        .send(calls::widget("8b6d2f40-3c1e-4a57-b9d8-61f0e2a4c935"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(widget["checkouts"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_payment_link_visit_that_never_picks_expires_without_telling_the_merchant() {
    let app = spawn_app_with(|c| c.checkout_ttl = std::time::Duration::from_millis(400)).await;
    let body = json!({
        "idempotencyKey": KEY, "type": "NO_PRICE", "amountCurrency": "USD",
        "minAmount": "5", "maxAmount": "500",
        "currencies": [{"code": "BTC", "network": "BITCOIN"}],
    });
    let (s, created) = app.send(calls::create_widget(&body)).await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let open = format!("/api/v1/public/widgets/{KEY}/checkouts");
    let (_, looked) = app.public_post(&open, json!(null)).await;
    let (_, paying) = app.public_post(&open, json!(null)).await;
    let (looked, paying) = (
        looked["id"].as_str().unwrap(),
        paying["id"].as_str().unwrap(),
    );
    app.pick(paying, "BTC", "BITCOIN", Some("20")).await;
    app.wait_for_status(looked, "EXPIRED").await;
    app.wait_for_status(paying, "EXPIRED").await;

    let events = |id: &str| format!("/api/v1/checkouts/{id}/events");
    let (s, quiet) = app.merchant_get(&events(looked)).await;
    assert_eq!(s, StatusCode::OK, "{quiet}");
    assert_eq!(
        quiet["items"],
        json!([]),
        "a visit without a pick is not announced"
    );
    let (_, told) = app.merchant_get(&events(paying)).await;
    let statuses: Vec<&str> = told["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["EXPIRED", "WAITING_PAYMENT"], "newest first");
    // The quiet visit is still there for the merchant to see.
    let (_, widget) = app.send(calls::widget(KEY)).await;
    assert!(widget["checkouts"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["id"] == looked && c["status"] == "EXPIRED"));
}
