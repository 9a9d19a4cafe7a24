//! Typed merchant events (issue 13, point 5): what a merchant receives while a payer picks,
//! pays too little, pays too much, waits for confirmations and pays with another coin; and the
//! same events listed through `GET /api/v1/checkouts/{id}/events`.

use std::time::{Duration, SystemTime};

use protocol::Amount;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;
use crate::notify::{app_notifying, assert_genuine_for_both_secrets, snippet_accepts, NEW_SECRET};
use crate::receiver::{Received, Receiver};

/// The order of types within one version, as documented.
const RANK: [&str; 5] = [
    "checkout.payment_switched",
    "payment.funds_seen",
    "payment.confirmed",
    "checkout.exception_changed",
    "checkout.status_changed",
];

fn rank(event: &Value) -> usize {
    let t = event["type"].as_str().unwrap();
    RANK.iter()
        .position(|r| *r == t)
        .unwrap_or_else(|| panic!("unknown type {t}"))
}

/// Polls until the payer's status view shows `status` with `exception`.
async fn wait_for(app: &TestApp, id: &str, status: &str, exception: Value) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let s = app.status(id).await;
        if s["status"] == status && s["exception"] == exception {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {status}/{exception}; last seen {s}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

fn half_of(amount: &str) -> String {
    let a: Amount = amount.parse().unwrap();
    Amount::from_units(a.units() / 2, a.scale())
        .unwrap()
        .to_string()
}

/// A short description of an event, enough to recognise each step of the story.
fn step(e: &Value) -> String {
    let pay = e["payment"]["currency"].as_str().unwrap_or("-");
    match e["type"].as_str().unwrap() {
        "checkout.status_changed" => format!("status {}", e["status"].as_str().unwrap()),
        "checkout.payment_switched" => format!("switched to {pay}"),
        "payment.funds_seen" => format!("funds on {pay}"),
        "payment.confirmed" if e["confirmations"]["confirmed"] == true => {
            format!("{pay} confirmed")
        }
        "payment.confirmed" => format!("{pay} confirming"),
        "checkout.exception_changed" => format!("exception {}", e["exception"]),
        other => panic!("unknown type {other}"),
    }
}

/// Whether `wanted` appears in `seen` in this order (other steps may come between).
fn in_order(seen: &[String], wanted: &[&str]) -> bool {
    let mut rest = seen.iter();
    wanted.iter().all(|w| rest.any(|s| s == w))
}

/// Runs the story; returns the checkout id and the ids of the two payments (BTC, LTC).
async fn pay_too_little_then_too_much_then_switch(app: &TestApp) -> (String, String, String) {
    let id = app.fixed_checkout("25.00", "USD").await;
    let btc = app.pick(&id, "BTC", "BITCOIN", None).await;
    let ltc = app.pick(&id, "LTC", "LITECOIN", None).await;
    let ltc_amount = payment_amount(&ltc);
    app.pay(&payment_id(&ltc), &half_of(&ltc_amount)).await;
    wait_for(app, &id, "CONFLICT", json!("UNDERPAID")).await;
    app.pay(&payment_id(&ltc), &ltc_amount).await;
    wait_for(app, &id, "CONFLICT", json!("OVERPAID")).await;
    app.pay(&payment_id(&btc), &payment_amount(&btc)).await;
    wait_for(app, &id, "SUCCESS", Value::Null).await;
    (id, payment_id(&btc), payment_id(&ltc))
}

/// Every event of checkout `id` through the merchant API, pages of 3, oldest first.
async fn listed(app: &TestApp, id: &str) -> Vec<Value> {
    let mut all = Vec::new();
    let mut path = format!("/api/v1/checkouts/{id}/events?limit=3");
    loop {
        let (s, page) = app.merchant_get(&path).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        all.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["nextCursor"].as_str() {
            Some(c) => path = format!("/api/v1/checkouts/{id}/events?limit=3&cursor={c}"),
            None => break,
        }
    }
    all.reverse();
    all
}

fn ordered(mut events: Vec<Value>) -> Vec<Value> {
    events.sort_by_key(|e| (e["version"].as_u64().unwrap(), rank(e)));
    events
}

#[tokio::test]
async fn a_merchant_hears_every_step_the_payer_sees_in_order() {
    let receiver = Receiver::start().await;
    let app = app_notifying(&receiver).await;
    let (id, btc, ltc) = pay_too_little_then_too_much_then_switch(&app).await;
    let listed = listed(&app, &id).await;
    let received = receiver.wait_until(10, |g| g.len() >= listed.len()).await;
    let got = ordered(received.iter().map(Received::json).collect());
    assert_eq!(got, ordered(listed.clone()), "the listing is what was sent");
    assert_eq!(
        listed,
        ordered(listed.clone()),
        "listed in the documented order"
    );

    let steps: Vec<String> = got.iter().map(step).collect();
    let story = [
        "status WAITING_PAYMENT",
        "switched to LTC",
        "funds on LTC",
        "status PENDING_PAYMENT",
        "LTC confirmed",
        "exception \"UNDERPAID\"",
        "status CONFLICT",
        "funds on LTC",
        "exception null",
        "status PENDING_PAYMENT",
        "LTC confirmed",
        "exception \"OVERPAID\"",
        "status CONFLICT",
        "switched to BTC",
        "funds on BTC",
        "exception null",
        "BTC confirmed",
        "status SUCCESS",
    ];
    assert!(in_order(&steps, &story), "{steps:#?}");

    // Exactly one event per fact and version; the details say what each change was.
    let mut keys: Vec<(u64, usize)> = got
        .iter()
        .map(|e| (e["version"].as_u64().unwrap(), rank(e)))
        .collect();
    keys.dedup();
    assert_eq!(keys.len(), got.len(), "one event per fact per version");
    let of = |t: &'static str| got.iter().filter(move |e| e["type"] == t);
    let switches: Vec<(&Value, &Value)> = of("checkout.payment_switched")
        .map(|e| (&e["previousPaymentId"], &e["payment"]["id"]))
        .collect();
    assert_eq!(
        switches,
        [(&json!(btc), &json!(ltc)), (&json!(ltc), &json!(btc))]
    );
    for e in of("payment.funds_seen") {
        let before: Amount = e["previousAmountPaid"].as_str().unwrap().parse().unwrap();
        let now: Amount = e["payment"]["amountPaid"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(now > before, "{e}");
    }
    for e in of("payment.confirmed") {
        let c = &e["confirmations"];
        assert_ne!(c["previous"], c["count"], "{e}");
        assert_eq!(c["confirmed"], c["count"] == c["required"], "{e}");
    }
    let exceptions: Vec<(&Value, &Value)> = of("checkout.exception_changed")
        .map(|e| (&e["previousException"], &e["exception"]))
        .collect();
    assert!(exceptions.contains(&(&Value::Null, &json!("UNDERPAID"))));
    assert!(exceptions.contains(&(&Value::Null, &json!("OVERPAID"))));
    for e in &got {
        assert_eq!(e["checkoutId"], id.as_str());
        assert!(e["id"].as_str().unwrap().starts_with("evt_"));
        // previousStatus is the version's: it differs from status only in a version whose
        // status changed, which then has its status_changed event.
        if e["previousStatus"] != e["status"] {
            assert!(
                got.iter().any(|s| s["version"] == e["version"]
                    && s["type"] == "checkout.status_changed"),
                "{e}"
            );
        }
    }
}

#[tokio::test]
async fn every_type_is_signed_and_verifies_with_the_rust_node_and_python_snippets() {
    let receiver = Receiver::start().await;
    let app = app_notifying(&receiver).await;
    let (id, _, _) = pay_too_little_then_too_much_then_switch(&app).await;
    let count = listed(&app, &id).await.len();
    let received = receiver.wait_until(10, |g| g.len() >= count).await;
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    for wanted in RANK {
        let r = received
            .iter()
            .find(|r| r.json()["type"] == wanted)
            .unwrap_or_else(|| panic!("no {wanted} received"));
        assert_genuine_for_both_secrets(r);
        for (program, file) in [("node", "verify.js"), ("python3", "verify.py")] {
            assert!(
                snippet_accepts(program, file, &r.body, &r.signature, NEW_SECRET, now),
                "{program} refused a genuine {wanted}"
            );
        }
    }
}

#[tokio::test]
async fn the_events_of_a_checkout_are_listed_for_its_merchant_only() {
    let app = spawn_app().await;
    let id = app.fixed_checkout("10.00", "USD").await;
    let (s, page) = app
        .merchant_get(&format!("/api/v1/checkouts/{id}/events"))
        .await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert_eq!(page, json!({"items": [], "nextCursor": null}));

    // Without a notification URL the events are still kept, and listed newest first.
    app.pick(&id, "BTC", "BITCOIN", None).await;
    app.pick(&id, "LTC", "LITECOIN", None).await;
    let (_, page) = app
        .merchant_get(&format!("/api/v1/checkouts/{id}/events"))
        .await;
    let types: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        ["checkout.payment_switched", "checkout.status_changed"]
    );

    let (s, body) = app.merchant_get("/api/v1/checkouts/CCO-nope/events").await;
    assert_eq!(
        (s, error_of(&body).0.as_str()),
        (StatusCode::NOT_FOUND, "not_found")
    );
    let path = format!("/api/v1/checkouts/{id}/events");
    let (s, _) = app.request(reqwest::Method::GET, &path, false, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    for bad in ["limit=0", "limit=101", "cursor=x", "colour=blue"] {
        let (s, body) = app.merchant_get(&format!("{path}?{bad}")).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}: {body}");
    }
}

#[test]
fn the_openapi_document_shows_every_type_with_an_example_the_server_could_send() {
    use checkout_server::domain::merchant_event::{MerchantEvent, EVENT_TYPES};
    use checkout_server::routes::openapi::DOCUMENT;
    let doc: Value = serde_json::from_str(DOCUMENT).unwrap();
    let schema = &doc["components"]["schemas"]["MerchantEvent"];
    assert_eq!(schema["properties"]["type"]["enum"], json!(EVENT_TYPES));
    let examples = schema["examples"].as_array().unwrap();
    let mut shown: Vec<String> = Vec::new();
    for example in examples {
        // The server's own type refuses unknown fields: each example is a body it could send.
        let event: MerchantEvent =
            serde_json::from_value(example.clone()).unwrap_or_else(|e| panic!("{e}: {example}"));
        assert_eq!(&serde_json::to_value(&event).unwrap(), example);
        shown.push(event.event_type);
    }
    assert_eq!(shown, EVENT_TYPES);
    let webhook = &doc["webhooks"]["checkoutEvent"]["post"]["requestBody"]["content"]
        ["application/json"]["examples"];
    assert_eq!(webhook.as_object().unwrap().len(), EVENT_TYPES.len());
}
