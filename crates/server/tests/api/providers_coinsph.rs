//! Coins.ph through the real server, against an emulator of its documented API that checks
//! every request's method, path and HMAC signature (nonce + URL + body).

use std::time::Duration;

use checkout_server::config::{CoinsphConfig, HttpSettings, ProviderKind, Secret};
use checkout_server::providers::coinsph::CoinsphProvider;
use checkout_server::providers::Provider;
use hmac::{Hmac, Mac};
use merchant_client::calls;
use reqwest::StatusCode;
use serde_json::Value;
use sha2::Sha256;

use crate::emulator::{is_json_number, Emulator, Fault, Recorded};
use crate::helpers::*;

const API_KEY: &str = "coins-api-key";
const API_SECRET: &str = "coins-api-secret";
const TOKEN: &str = "coins-merchant-api-token";
const ACCOUNT: &str = "5411c4604c9b45b8b74837c84daa0f4c";

#[derive(Debug, Clone, Default)]
pub struct Inv {
    pub id: String,
    pub amount: String,
    pub received: String,
    pub currency: String,
}

#[derive(Default)]
pub struct Coins {
    pub invoices: Vec<Inv>,
    pub nonces: Vec<u64>,
}

impl Coins {
    pub fn inv(&mut self, id: &str) -> &mut Inv {
        self.invoices.iter_mut().find(|i| i.id == id).unwrap()
    }
}

fn hmac_hex(body: &[u8]) -> String {
    let mut m = Hmac::<Sha256>::new_from_slice(API_SECRET.as_bytes()).unwrap();
    m.update(body);
    hex::encode(m.finalize().into_bytes())
}

fn render(i: &Inv) -> String {
    // Amounts as numbers here (the awkward case); the payment request uses strings.
    format!(
        r#"{{"invoice":{{"id":"{}","currency":"{}","amount":{},"amount_received":{},"external_transaction_id":null}}}}"#,
        i.id, i.currency, i.amount, i.received
    )
}

fn logic(s: &mut Coins, r: &Recorded, base: &str) -> Result<(u16, String), String> {
    if r.header("access-key") != Some(API_KEY) {
        return Err("Access-Key".into());
    }
    let nonce = r.header("access-nonce").ok_or("Access-Nonce")?;
    let n: u64 = nonce.parse().map_err(|_| "nonce must be a number")?;
    if s.nonces.last().is_some_and(|last| n <= *last) {
        return Err("nonces must grow".into());
    }
    s.nonces.push(n);
    let mut message = format!("{nonce}{base}{}", r.path).into_bytes();
    message.extend_from_slice(&r.body);
    if r.header("access-signature") != Some(hmac_hex(&message).as_str()) {
        return Err("Access-Signature is not HMAC-SHA256(nonce + url + body)".into());
    }
    match (r.method.as_str(), r.path.as_str()) {
        ("POST", "/api/v3/payment-requests/") => {
            let body: std::collections::HashMap<String, Box<serde_json::value::RawValue>> =
                serde_json::from_slice(&r.body).map_err(|e| e.to_string())?;
            if body.get("receiving_account").map(|v| v.get()) != Some(&format!("\"{ACCOUNT}\"")) {
                return Err("receiving_account".into());
            }
            let amount = body.get("amount").ok_or("amount")?.get().to_owned();
            if !is_json_number(&amount) {
                return Err("amount must be a number".into());
            }
            let currency: String =
                serde_json::from_str(body.get("currency").ok_or("currency")?.get()).unwrap();
            body.get("message").ok_or("message")?;
            let inv = Inv {
                id: format!("inv{}", s.invoices.len() + 1),
                amount: amount.clone(),
                received: "0".into(),
                currency: currency.clone(),
            };
            s.invoices.push(inv.clone());
            Ok((
                201,
                format!(
                    r#"{{"payment-request":{{"id":"pr{}","invoice":"{}","amount":"{amount}","currency":"{currency}","message":"m","status":"pending","payment_url":"https://coins.ph/payment/request/pr{}","created_at":"2026-11-22T00:00:00Z","expires_at":"2026-11-23T00:00:00Z"}}}}"#,
                    s.invoices.len(),
                    inv.id,
                    s.invoices.len()
                ),
            ))
        }
        ("GET", path) => {
            if !r.body.is_empty() {
                return Err("a GET has no body".into());
            }
            let id = path
                .strip_prefix("/api/v3/invoices/")
                .and_then(|p| p.strip_suffix('/'))
                .ok_or("unknown path")?;
            match s.invoices.iter().find(|i| i.id == id) {
                Some(i) => Ok((200, render(i))),
                None => Ok((404, "{}".into())),
            }
        }
        _ => Err("no such endpoint".into()),
    }
}

fn config(base: &str) -> CoinsphConfig {
    CoinsphConfig {
        base_url: base.to_owned(),
        api_key: Secret::new(API_KEY),
        api_secret: Secret::new(API_SECRET),
        merchant_api_token: Secret::new(TOKEN),
        receiving_account: ACCOUNT.into(),
        http: HttpSettings {
            timeout: Duration::from_millis(300),
            retries: 2,
            backoff: Duration::from_millis(5),
        },
        currencies: Default::default(),
    }
}

async fn setup() -> (Emulator<Coins>, TestApp) {
    let emu = Emulator::start(Coins::default(), logic).await;
    let cfg = config(&emu.base);
    let app = spawn_app_with(move |c| {
        c.provider = ProviderKind::Coinsph;
        c.coinsph = Some(cfg);
    })
    .await;
    (emu, app)
}

fn callback(name: &str, inv: &Inv) -> Vec<u8> {
    format!(
        r#"{{"event":{{"name":"{name}","data":{{"id":"{}","currency":"{}","amount":"{}","amount_received":"{}","external_transaction_id":null}}}}}}"#,
        inv.id, inv.currency, inv.amount, inv.received
    )
    .into_bytes()
}

async fn deliver(app: &TestApp, body: &[u8], auth: Option<&str>) -> (StatusCode, Value) {
    let mut req = app
        .client
        .post(app.url("/webhooks/coinsph"))
        .header("content-type", "application/json")
        .body(body.to_vec());
    if let Some(a) = auth {
        req = req.header("authorization", a);
    }
    let resp = req.send().await.unwrap();
    (resp.status(), resp.json().await.unwrap_or(Value::Null))
}

async fn ok(app: &TestApp, body: &[u8]) -> String {
    let (s, v) = deliver(app, body, Some(&format!("Token {TOKEN}"))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["status"].as_str().unwrap().to_owned()
}

fn set(emu: &Emulator<Coins>, id: &str, received: &str) -> Inv {
    emu.with(|s| {
        s.inv(id).received = received.into();
        s.inv(id).clone()
    })
}

#[tokio::test]
async fn coinsph_checkout_runs_to_success_through_callbacks() {
    let (emu, app) = setup().await;
    let id = app.fixed_checkout("0.005", "BTC").await;
    let view = app.pick(&id, "BTC", "BITCOIN", None).await;
    assert_eq!(
        view["payment"]["address"],
        "https://coins.ph/payment/request/pr1"
    );
    // The QR code opens the payment page.
    assert_eq!(view["payment"]["walletUri"], view["payment"]["address"]);
    let inv = emu.with(|s| s.invoices[0].clone());
    assert_eq!(inv.amount, "0.00500000");

    // A partial payment (invoice.updated) is an underpayment that more funds can complete.
    let partial = set(&emu, &inv.id, "0.002");
    assert_eq!(
        ok(&app, &callback("invoice.updated", &partial)).await,
        "applied"
    );
    let s = app.status(&id).await;
    assert_eq!(
        (s["status"].as_str(), s["exception"].as_str()),
        (Some("CONFLICT"), Some("UNDERPAID"))
    );
    let full = set(&emu, &inv.id, "0.005");
    assert_eq!(
        ok(&app, &callback("invoice.fully_paid", &full)).await,
        "applied"
    );
    assert_eq!(app.status(&id).await["status"], "SUCCESS");
    emu.assert_clean();
}

#[tokio::test]
async fn coinsph_callbacks_need_the_token_and_change_state_once() {
    let (emu, app) = setup().await;
    let id = app.fixed_checkout("0.005", "BTC").await;
    app.pick(&id, "BTC", "BITCOIN", None).await;
    let inv = emu.with(|s| s.invoices[0].clone());
    let created = callback("invoice.created", &inv);

    let (s, e) = deliver(&app, &created, None).await;
    assert_eq!(
        (s, error_of(&e).0.as_str()),
        (StatusCode::UNAUTHORIZED, "missing_signature")
    );
    let (s, _) = deliver(&app, &created, Some("Token wrong-token")).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = deliver(&app, &created, Some(&format!("Bearer {TOKEN}"))).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // No body signature exists: a "tampered" body with the right token is only a hint, and
    // the re-read invoice says nothing was paid.
    // (Other bytes than the real callback below: identical bytes are one event, see README.)
    let forged = callback(
        "invoice.fully_paid",
        &Inv {
            received: "0.00500".into(),
            ..inv.clone()
        },
    );
    assert_eq!(ok(&app, &forged).await, "applied");
    assert_eq!(app.status(&id).await["status"], "WAITING_PAYMENT");
    let (s, _) = deliver(&app, b"{\"event\":{}}", Some(&format!("Token {TOKEN}"))).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    // Out of order: fully_paid before updated; then duplicates and a late replay.
    let full = set(&emu, &inv.id, "0.005");
    let paid = callback("invoice.fully_paid", &full);
    let earlier = callback(
        "invoice.updated",
        &Inv {
            received: "0.002".into(),
            ..inv.clone()
        },
    );
    let v0 = app.status(&id).await["version"].as_u64().unwrap();
    assert_eq!(ok(&app, &paid).await, "applied");
    assert_eq!(ok(&app, &earlier).await, "applied");
    assert_eq!(ok(&app, &paid).await, "duplicate");
    assert_eq!(ok(&app, &created).await, "applied");
    assert_eq!(ok(&app, &created).await, "duplicate");
    let s = app.status(&id).await;
    assert_eq!(
        (s["status"].as_str(), s["version"].as_u64()),
        (Some("SUCCESS"), Some(v0 + 1))
    );
    emu.assert_clean();
}

#[tokio::test]
async fn coinsph_client_faults_and_fiat_prices() {
    let (emu, app) = setup().await;
    // Coins.ph converts nothing: a fiat price is refused at creation, naming the field, rather
    // than guessed at or failed upstream when a payer picks a coin.
    let (code, body) = app
        .send(calls::create_checkout(
            &serde_json::json!({"name": "Order", "type": "FIXED_PRICE",
                "fixedAmount": {"amount": "25", "currency": "USD"}}),
        ))
        .await;
    assert_eq!(code, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "unsupported_currency");
    assert_eq!(body["error"]["field"], "fixedAmount.currency");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("coinsph"),
        "{body}"
    );
    let tips_in = |currency: &str| {
        serde_json::json!({"idempotencyKey": "0f8fad5b-d9cb-469f-a165-70867728950e",
            "name": "Tips", "type": "NO_PRICE", "amountCurrency": currency})
    };
    let (code, body) = app.send(calls::create_widget(&tips_in("EUR"))).await;
    assert_eq!(code, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["field"], "amountCurrency");
    // A price in the coin is fine.
    let (code, body) = app.send(calls::create_widget(&tips_in("USDT"))).await;
    assert_eq!(code, StatusCode::CREATED, "{body}");
    assert!(emu.requests().is_empty());

    let id = app.fixed_checkout("0.005", "BTC").await;
    emu.fault(Fault::Status(503));
    app.pick(&id, "BTC", "BITCOIN", None).await;
    // Retried with a fresh nonce and signature (the emulator refuses a reused nonce).
    assert_eq!(emu.requests_to("/api/v3/payment-requests/").len(), 2);
    let inv = emu.with(|s| s.invoices[0].clone());

    let provider = CoinsphProvider::new(config(&emu.base)).unwrap();
    emu.fault(Fault::Delay(Duration::from_millis(600)));
    emu.fault(Fault::Delay(Duration::from_millis(600)));
    emu.fault(Fault::Delay(Duration::from_millis(600)));
    assert!(provider.fetch_invoice(&inv.id, 8).await.is_err());
    emu.fault(Fault::Status(403));
    let before = emu.requests().len();
    assert!(provider.fetch_invoice(&inv.id, 8).await.is_err());
    assert_eq!(emu.requests().len(), before + 1);
    emu.fault(Fault::Body("<html>maintenance</html>"));
    assert!(provider.fetch_invoice(&inv.id, 8).await.is_err());
    set(&emu, &inv.id, "0.00123456789");
    let snap = provider.fetch_invoice(&inv.id, 8).await.unwrap();
    assert_eq!(snap.funds.seen_units, 123_456);
    assert_eq!(snap.provider_state, "partially_paid");
    emu.assert_clean();
}

#[tokio::test]
async fn a_fiat_checkout_from_before_the_switch_to_coinsph_is_refused_at_pick() {
    let emu = Emulator::start(Coins::default(), logic).await;
    let mut app = spawn_app().await;
    let fiat = app.fixed_checkout("25", "USD").await;
    app.config.provider = ProviderKind::Coinsph;
    app.config.coinsph = Some(config(&emu.base));
    app.restart().await;
    let (code, body) = app.pick_raw(&fiat, "BTC", "BITCOIN", None).await;
    assert_eq!(code, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "unsupported_currency");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("USD"),
        "{body}"
    );
    assert!(emu.requests().is_empty());
}

#[tokio::test]
async fn coinsph_payment_whose_callbacks_never_arrive_reaches_success_by_reconciliation() {
    let emu = Emulator::start(Coins::default(), logic).await;
    let cfg = config(&emu.base);
    let app = spawn_app_with(move |c| {
        c.provider = ProviderKind::Coinsph;
        c.coinsph = Some(cfg);
        reconcile_quickly(c);
    })
    .await;
    let id = app.fixed_checkout("0.005", "BTC").await;
    app.pick(&id, "BTC", "BITCOIN", None).await;
    let inv = emu.with(|s| s.invoices[0].clone());
    set(&emu, &inv.id, "0.005");
    // Not one callback is delivered.
    app.wait_for_status(&id, "SUCCESS").await;
    emu.assert_clean();
}

#[tokio::test]
async fn coinsph_a_forged_copy_sent_first_cannot_make_the_genuine_callback_a_no_op() {
    let (emu, app) = setup().await;
    let id = app.fixed_checkout("0.005", "BTC").await;
    app.pick(&id, "BTC", "BITCOIN", None).await;
    let unpaid = emu.with(|s| s.invoices[0].clone());
    // Somebody holding the token predicts the callback Coins.ph will send and sends it first.
    let mut predicted = unpaid.clone();
    predicted.received = "0.005".into();
    let body = callback("invoice.fully_paid", &predicted);
    assert_eq!(ok(&app, &body).await, "applied");
    // The re-read found nothing paid.
    assert_eq!(app.status(&id).await["status"], "WAITING_PAYMENT");
    // Then the payer pays and Coins.ph sends exactly those bytes.
    set(&emu, &unpaid.id, "0.005");
    assert_eq!(ok(&app, &body).await, "duplicate");
    assert_eq!(app.status(&id).await["status"], "SUCCESS");
    emu.assert_clean();
}
