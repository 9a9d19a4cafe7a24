use merchant_client::{calls, requests::CheckoutFilter};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn create_with_inqud_fields_and_read_back_both_views() {
    let app = spawn_app().await;
    let expires = in_ms(3_600_000);
    let created = app
        .create_checkout(json!({
            "clientOrderId": "order-1",
            "expiresAt": expires,
            "name": "Blue mug",
            "description": "One blue mug",
            "returnUrl": "https://shop.example/thanks",
            "supportUrl": "https://shop.example/help",
            "logoUrl": "https://shop.example/logo.png",
            "type": "FIXED_PRICE",
            "fixedAmount": {"amount": "25", "currency": "USD"},
            "currencies": [{"code": "BTC", "network": "BITCOIN"}, {"code": "usdt", "network": "tron"}],
        }))
        .await;
    let id = created["id"].as_str().unwrap();
    assert!(id.starts_with("CCO-") && id.len() == 40, "{id}");
    assert_eq!(created["status"], "NEW");
    assert_eq!(created["clientOrderId"], "order-1");
    assert_eq!(
        created["price"],
        json!({"amount": "25.00", "currency": "USD"})
    );
    assert_eq!(created["version"], 1);
    assert!(created["createdAt"].is_string());
    assert_eq!(created["payments"], json!([]));
    let codes: Vec<_> = created["currencies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{}/{}",
                c["code"].as_str().unwrap(),
                c["network"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(codes, ["BTC/BITCOIN", "USDT/TRON"]);
    assert_eq!(created["currencies"][1]["networkName"], "Tron (TRC-20)");

    let (status, public) = app
        .public_get(&format!("/api/v1/public/checkouts/{id}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(public["name"], "Blue mug");
    assert_eq!(public["returnUrl"], "https://shop.example/thanks");
    for merchant_only in [
        "clientOrderId",
        "externalId",
        "payments",
        "createdAt",
        "widgetKey",
    ] {
        assert!(
            public.get(merchant_only).is_none(),
            "{merchant_only} leaked: {public}"
        );
    }
    let merchant = app.checkout(id).await;
    assert_eq!(merchant["id"], id);
    assert_eq!(merchant["clientOrderId"], "order-1");
}

#[tokio::test]
async fn same_client_order_id_returns_the_same_checkout() {
    let app = spawn_app().await;
    let body = json!({
        "clientOrderId": "order-7", "name": "A", "type": "FIXED_PRICE",
        "fixedAmount": {"amount": "5.00", "currency": "EUR"},
    });
    let (first, a) = app.send(calls::create_checkout(&body)).await;
    let (second, b) = app.send(calls::create_checkout(&body)).await;
    assert_eq!((first, second), (StatusCode::CREATED, StatusCode::OK));
    assert_eq!(a["id"], b["id"]);
    let (_, list) = app.send(calls::checkouts(&CheckoutFilter::default())).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn default_expiry_is_one_hour() {
    let app = spawn_app().await;
    let before = time::OffsetDateTime::now_utc();
    let id = app.fixed_checkout("1", "USD").await;
    let view = app.checkout(&id).await;
    let expires = time::OffsetDateTime::parse(
        view["expiresAt"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let ttl = expires - before;
    assert!(
        ttl > time::Duration::minutes(59) && ttl < time::Duration::minutes(61),
        "{ttl}"
    );
}

#[tokio::test]
async fn list_is_newest_first_with_cursor_and_status_filter() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(app.fixed_checkout("1", "USD").await);
    }
    let (s, _) = app.send(calls::cancel(&ids[0])).await;
    assert_eq!(s, StatusCode::OK);

    let (status, page1) = app.merchant_get("/api/v1/checkouts?limit=2").await;
    assert_eq!(status, StatusCode::OK);
    let got: Vec<_> = page1["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].clone())
        .collect();
    assert_eq!(got, [json!(ids[2]), json!(ids[1])]);
    let cursor = page1["nextCursor"].as_str().unwrap();
    let (_, page2) = app
        .merchant_get(&format!("/api/v1/checkouts?limit=2&cursor={cursor}"))
        .await;
    let got: Vec<_> = page2["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].clone())
        .collect();
    assert_eq!(got, [json!(ids[0])]);
    assert!(page2["nextCursor"].is_null());

    let (_, cancelled) = app.merchant_get("/api/v1/checkouts?status=CANCELLED").await;
    assert_eq!(cancelled["items"].as_array().unwrap().len(), 1);
    assert_eq!(cancelled["items"][0]["id"], json!(ids[0]));

    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=x", "limit"),
        ("status=PAID", "status"),
        ("cursor=zzz", "cursor"),
    ] {
        let (status, body) = app
            .merchant_get(&format!("/api/v1/checkouts?{query}"))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(error_of(&body).1.as_deref(), Some(field), "{query}");
    }
}

#[tokio::test]
async fn merchant_api_requires_the_key() {
    let app = spawn_app().await;
    for auth in [
        None,
        Some("Bearer wrong"),
        Some("Basic c2s6"),
        Some(&*format!("Bearer {MERCHANT_KEY}x")),
    ] {
        let mut req = app.client.get(app.url("/api/v1/checkouts"));
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "{auth:?}");
        assert_eq!(resp.headers()["www-authenticate"], "Bearer");
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(error_of(&body).0, "unauthorized");
        assert!(!body.to_string().contains(MERCHANT_KEY));
    }
    let (status, _) = app
        .request(Method::GET, "/api/v1/checkouts", true, None)
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn cancel_rules() {
    let app = spawn_app().await;
    // NEW -> CANCELLED, and again is a no-op.
    let id = app.fixed_checkout("25", "USD").await;
    let (s, v) = app.send(calls::cancel(&id)).await;
    assert_eq!(
        (s, v["status"].as_str()),
        (StatusCode::OK, Some("CANCELLED"))
    );
    let version = v["version"].clone();
    let (s, v) = app.send(calls::cancel(&id)).await;
    assert_eq!((s, v["version"].clone()), (StatusCode::OK, version));
    let (s, body) = app.pick_raw(&id, "BTC", "BITCOIN", None).await;
    assert_eq!(
        (s, error_of(&body).0.as_str()),
        (StatusCode::CONFLICT, "checkout_cancelled")
    );

    // WAITING_PAYMENT -> CANCELLED.
    let id = app.fixed_checkout("25", "USD").await;
    app.pick(&id, "BTC", "BITCOIN", None).await;
    let (s, v) = app.send(calls::cancel(&id)).await;
    assert_eq!(
        (s, v["status"].as_str()),
        (StatusCode::OK, Some("CANCELLED"))
    );

    // With funds (PENDING_PAYMENT) or after SUCCESS: refused.
    let id = app.fixed_checkout("25", "USD").await;
    let view = app.pick(&id, "BTC", "BITCOIN", None).await;
    app.pay(&payment_id(&view), &payment_amount(&view)).await;
    app.wait_for_status(&id, "SUCCESS").await;
    let (s, body) = app.send(calls::cancel(&id)).await;
    assert_eq!(
        (s, error_of(&body).0.as_str()),
        (StatusCode::CONFLICT, "invalid_state")
    );

    let (s, body) = app
        .send(calls::cancel("CCO-00000000-0000-4000-8000-000000000000"))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    error_of(&body);
}
