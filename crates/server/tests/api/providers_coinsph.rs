//! Coins.ph through the real server, against an emulator of its documented API that checks
//! every request's method, path and HMAC signature (nonce + URL + body), refuses a nonce not
//! above the last one seen for the key, and holds payment requests to the documented create
//! call: `payer_contact_info` required, the amount a decimal string in `PHP`, and (our rule) a
//! `message` naming the checkout.

use std::time::Duration;

use checkout_server::config::{CoinsphConfig, HttpSettings, ProviderKind, Secret};
use checkout_server::providers::coinsph::CoinsphProvider;
use checkout_server::providers::Provider;
use hmac::{Hmac, Mac};
use merchant_client::calls;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::Sha256;

use crate::emulator::{Emulator, Fault, Recorded};
use crate::helpers::*;

const API_KEY: &str = "coins-api-key";
const API_SECRET: &str = "coins-api-secret";
const TOKEN: &str = "coins-merchant-api-token";
const ACCOUNT: &str = "5411c4604c9b45b8b74837c84daa0f4c";
/// A payer Coins.ph does not know: its create call is refused (a 400 with a reason).
const UNKNOWN_PAYER: &str = "nobody@example.ph";
const PAYER: &str = "juan@example.ph";

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
    /// Each accepted create call's body.
    pub created: Vec<Value>,
    /// Answer with this payment_url instead of Coins.ph's https page.
    pub payment_url: Option<String>,
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

fn authenticate(s: &mut Coins, r: &Recorded, base: &str) -> Result<(), String> {
    if r.header("access-key") != Some(API_KEY) {
        return Err("Access-Key".into());
    }
    let nonce = r.header("access-nonce").ok_or("Access-Nonce")?;
    let n: u64 = nonce.parse().map_err(|_| "nonce must be a number")?;
    if s.nonces.last().is_some_and(|last| n <= *last) {
        return Err("nonce must be above the previous one".into());
    }
    s.nonces.push(n);
    let mut message = format!("{nonce}{base}{}", r.path).into_bytes();
    message.extend_from_slice(&r.body);
    if r.header("access-signature") != Some(hmac_hex(&message).as_str()) {
        return Err("Access-Signature is not HMAC-SHA256(nonce + url + body)".into());
    }
    Ok(())
}

/// A decimal string, as in the documented example (`"20.00000000"`).
fn is_decimal_string(v: &Value) -> bool {
    v.as_str().is_some_and(|t| {
        let (whole, frac) = t.split_once('.').unwrap_or((t, "0"));
        !whole.is_empty()
            && !frac.is_empty()
            && whole
                .chars()
                .chain(frac.chars())
                .all(|c| c.is_ascii_digit())
    })
}

fn text<'a>(body: &'a Value, field: &str) -> Result<&'a str, String> {
    body[field]
        .as_str()
        .filter(|v| !v.is_empty())
        .ok_or_else(|| format!("{field} is required"))
}

fn create(s: &mut Coins, r: &Recorded) -> Result<(u16, String), String> {
    let body: Value = serde_json::from_slice(&r.body).map_err(|e| e.to_string())?;
    if text(&body, "receiving_account")? != ACCOUNT {
        return Err("receiving_account".into());
    }
    let contact = text(&body, "payer_contact_info")?;
    if !is_decimal_string(&body["amount"]) {
        return Err("amount must be a decimal string".into());
    }
    if text(&body, "currency")? != "PHP" {
        return Err("currency must be PHP".into());
    }
    if !text(&body, "message")?.contains("CCO-") {
        return Err("message must name the checkout (CCO-…)".into());
    }
    if contact == UNKNOWN_PAYER {
        return Ok((
            400,
            r#"{"payer_contact_info":["No Coins.ph user has this email."]}"#.into(),
        ));
    }
    let n = s.invoices.len() + 1;
    let amount = body["amount"].as_str().unwrap().to_owned();
    s.invoices.push(Inv {
        id: format!("inv{n}"),
        amount: amount.clone(),
        received: "0".into(),
        currency: "PHP".into(),
    });
    s.created.push(body.clone());
    let url = s
        .payment_url
        .clone()
        .unwrap_or_else(|| format!("https://coins.ph/payment/request/pr{n}"));
    let answer = json!({"payment-request": {
        "id": format!("pr{n}"), "invoice": format!("inv{n}"), "payer_contact_info": contact,
        "payer_contact_info_type": "email", "amount": amount, "currency": "PHP",
        "message": body["message"], "message_scope": "private", "status": "pending",
        "receiving_account": ACCOUNT, "payment_url": url,
        "created_at": "2026-11-22T00:00:00Z", "updated_at": "2026-11-22T00:00:00Z",
        "expires_at": "2026-11-23T00:00:00Z"}});
    Ok((201, answer.to_string()))
}

fn logic(s: &mut Coins, r: &Recorded, base: &str) -> Result<(u16, String), String> {
    authenticate(s, r, base)?;
    match (r.method.as_str(), r.path.as_str()) {
        ("POST", "/api/v3/payment-requests/") => create(s, r),
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

/// A checkout priced in pesos; returns its id.
async fn peso_checkout(app: &TestApp, amount: &str) -> String {
    app.fixed_checkout(amount, "PHP").await
}

/// The payer picks the Coins.ph wallet, giving `contact`.
async fn pick_wallet(app: &TestApp, id: &str, contact: Option<&str>) -> (StatusCode, Value) {
    let mut body = json!({"currency": "PHP", "network": "COINSPH"});
    if let Some(c) = contact {
        body["payerContact"] = json!(c);
    }
    app.public_post(&protocol::api::payment(id), body).await
}

/// The payer was shown nothing to pay: the pick failed before any payment was stored.
async fn assert_no_payment_shown(app: &TestApp, id: &str) {
    let (_, view) = app.public_get(&protocol::api::checkout(id)).await;
    assert!(view["payment"].is_null(), "{view}");
}

async fn paid_from_wallet(app: &TestApp, id: &str) -> Value {
    let (code, view) = pick_wallet(app, id, Some(PAYER)).await;
    assert_eq!(code, StatusCode::OK, "{view}");
    view
}

#[tokio::test]
async fn coinsph_peso_checkout_is_paid_on_the_coins_ph_page() {
    let (emu, app) = setup().await;
    let id = peso_checkout(&app, "20").await;
    let (_, before) = app.public_get(&protocol::api::checkout(&id)).await;
    // One option, the payer's Coins.ph wallet, and the payer's contact is asked for.
    assert_eq!(before["payerContactRequired"], true, "{before}");
    let options = before["currencies"].as_array().unwrap();
    assert_eq!(options.len(), 1, "{before}");
    assert_eq!(
        (options[0]["code"].as_str(), options[0]["network"].as_str()),
        (Some("PHP"), Some("COINSPH"))
    );

    let (code, view) = pick_wallet(&app, &id, Some(" +63 917 123 4567 ")).await;
    assert_eq!(code, StatusCode::OK, "{view}");
    let payment = &view["payment"];
    // A page, not an address: no address, no QR code, the amount in pesos.
    assert_eq!(
        payment["paymentUrl"],
        "https://coins.ph/payment/request/pr1"
    );
    assert_eq!(payment["address"], "");
    assert!(payment["walletQr"].is_null() && payment["remainingWalletUri"].is_null());
    assert_eq!(
        (payment["amount"].as_str(), payment["currency"].as_str()),
        (Some("20.00"), Some("PHP"))
    );
    assert!(
        payment["rate"].is_null() && payment["fiat"].is_null(),
        "no conversion: {payment}"
    );
    // The documented create call: amount as a decimal string in PHP, the payer named, and
    // our checkout id in the message.
    let sent = emu.with(|s| s.created[0].clone());
    assert_eq!(
        (sent["amount"].as_str(), sent["currency"].as_str()),
        (Some("20.00000000"), Some("PHP"))
    );
    assert_eq!(sent["payer_contact_info"], "+639171234567");
    assert!(sent["message"].as_str().unwrap().contains(&id), "{sent}");
    // The payer's contact goes to Coins.ph only: not into the views the merchant reads.
    let merchant = app.send(calls::checkout(&id)).await.1;
    for shown in [&view, &merchant] {
        assert!(!shown.to_string().contains("9171234567"), "{shown}");
    }

    // A partial payment (invoice.updated) is an underpayment that more pesos can complete.
    let inv = emu.with(|s| s.invoices[0].clone());
    let partial = set(&emu, &inv.id, "5.5");
    assert_eq!(
        ok(&app, &callback("invoice.updated", &partial)).await,
        "applied"
    );
    let s = app.status(&id).await;
    assert_eq!(
        (
            s["status"].as_str(),
            s["exception"].as_str(),
            s["amountPaid"].as_str()
        ),
        (Some("CONFLICT"), Some("UNDERPAID"), Some("5.50"))
    );
    let full = set(&emu, &inv.id, "20.00000000");
    assert_eq!(
        ok(&app, &callback("invoice.fully_paid", &full)).await,
        "applied"
    );
    assert_eq!(app.status(&id).await["status"], "SUCCESS");
    emu.assert_clean();
}

#[tokio::test]
async fn coinsph_a_pick_needs_the_payers_contact_and_a_refusal_shows_nothing() {
    let (emu, app) = setup().await;
    let id = peso_checkout(&app, "20").await;
    for (contact, code) in [
        (None, "payer_contact_required"),
        (Some("  "), "payer_contact_required"),
        (Some("juan"), "invalid_payer_contact"),
        (Some("09171234567"), "invalid_payer_contact"),
    ] {
        let (status, body) = pick_wallet(&app, &id, contact).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{contact:?}: {body}");
        assert_eq!(
            error_of(&body),
            (code.to_owned(), Some("payerContact".to_owned()))
        );
    }
    assert!(emu.requests().is_empty(), "nothing reaches Coins.ph");
    // Coins.ph refuses the contact (a 4xx): a provider error for the pick, no payment shown,
    // and the refusal is not retried.
    let (status, body) = pick_wallet(&app, &id, Some(UNKNOWN_PAYER)).await;
    assert!(
        status.is_client_error() || status.is_server_error(),
        "{body}"
    );
    assert!(body["error"]["message"].is_string(), "{body}");
    assert_eq!(emu.requests_to("/api/v3/payment-requests/").len(), 1);
    assert_no_payment_shown(&app, &id).await;
    emu.assert_clean();
}

#[tokio::test]
async fn coinsph_a_payment_page_that_is_not_https_is_never_shown() {
    let (emu, app) = setup().await;
    let id = peso_checkout(&app, "20").await;
    emu.with(|s| s.payment_url = Some("http://coins.ph/payment/request/pr1".into()));
    let (status, body) = pick_wallet(&app, &id, Some(PAYER)).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{body}");
    assert_no_payment_shown(&app, &id).await;
    emu.assert_clean();
}

#[tokio::test]
async fn coinsph_twenty_concurrent_picks_all_succeed_with_growing_nonces() {
    let (emu, app) = setup().await;
    let mut ids = Vec::new();
    for _ in 0..20 {
        ids.push(peso_checkout(&app, "20").await);
    }
    // The first request to arrive is held up: a request signed after it but sent beside it
    // would overtake it with a higher nonce, and the held one be refused.
    emu.fault(Fault::Delay(Duration::from_millis(100)));
    let picks = ids.iter().map(|id| pick_wallet(&app, id, Some(PAYER)));
    for (code, view) in futures_util::future::join_all(picks).await {
        assert_eq!(code, StatusCode::OK, "{view}");
    }
    // The emulator refused any nonce not above the last one it saw: none was.
    assert_eq!(emu.with(|s| s.nonces.len()), 20);
    emu.assert_clean();
}

#[tokio::test]
async fn coinsph_callbacks_need_the_token_and_change_state_once() {
    let (emu, app) = setup().await;
    let id = peso_checkout(&app, "20").await;
    paid_from_wallet(&app, &id).await;
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
            received: "20.0".into(),
            ..inv.clone()
        },
    );
    assert_eq!(ok(&app, &forged).await, "applied");
    assert_eq!(app.status(&id).await["status"], "WAITING_PAYMENT");
    let (s, _) = deliver(&app, b"{\"event\":{}}", Some(&format!("Token {TOKEN}"))).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    // Out of order: fully_paid before updated; then duplicates and a late replay.
    let full = set(&emu, &inv.id, "20");
    let paid = callback("invoice.fully_paid", &full);
    let earlier = callback(
        "invoice.updated",
        &Inv {
            received: "5".into(),
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
async fn coinsph_takes_prices_in_pesos_only() {
    let (emu, app) = setup().await;
    // Coins.ph converts nothing and its requests are in pesos: another price is refused at
    // creation, naming the field, rather than failed upstream when a payer picks.
    for currency in ["USD", "BTC"] {
        let (code, body) = app
            .send(calls::create_checkout(
                &json!({"name": "Order", "type": "FIXED_PRICE",
                "fixedAmount": {"amount": "25", "currency": currency}}),
            ))
            .await;
        assert_eq!(code, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(
            error_of(&body),
            (
                "unsupported_currency".into(),
                Some("fixedAmount.currency".into())
            )
        );
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("coinsph") && message.contains("PHP"),
            "{body}"
        );
    }
    let tips_in = |currency: &str| {
        json!({"idempotencyKey": "0f8fad5b-d9cb-469f-a165-70867728950e",
            "name": "Tips", "type": "NO_PRICE", "amountCurrency": currency})
    };
    let (code, body) = app.send(calls::create_widget(&tips_in("EUR"))).await;
    assert_eq!(code, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["field"], "amountCurrency");
    let (code, body) = app.send(calls::create_widget(&tips_in("PHP"))).await;
    assert_eq!(code, StatusCode::CREATED, "{body}");
    // Coins the merchant lists cannot be paid through Coins.ph.
    let (code, body) = app
        .send(calls::create_checkout(
            &json!({"name": "Order", "type": "FIXED_PRICE",
            "fixedAmount": {"amount": "25", "currency": "PHP"},
            "currencies": [{"code": "BTC", "network": "BITCOIN"}]}),
        ))
        .await;
    assert_eq!(code, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["field"], "currencies");
    assert!(emu.requests().is_empty());
}

#[tokio::test]
async fn a_peso_price_is_refused_by_a_provider_that_takes_no_pesos() {
    let app = spawn_app().await;
    let (code, body) = app
        .send(calls::create_checkout(
            &json!({"name": "Order", "type": "FIXED_PRICE",
            "fixedAmount": {"amount": "25", "currency": "PHP"}}),
        ))
        .await;
    assert_eq!(code, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(
        error_of(&body),
        (
            "unsupported_currency".into(),
            Some("fixedAmount.currency".into())
        )
    );
    // Nor is the Coins.ph wallet offered for a price it could take.
    let id = app.fixed_checkout("25", "USD").await;
    let (_, view) = app.public_get(&protocol::api::checkout(&id)).await;
    assert_eq!(view["payerContactRequired"], false);
    assert!(
        view["currencies"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["network"] != "COINSPH"),
        "{view}"
    );
}

#[tokio::test]
async fn coinsph_client_retries_with_fresh_nonces_and_reads_amounts_exactly() {
    let (emu, app) = setup().await;
    let id = peso_checkout(&app, "20").await;
    emu.fault(Fault::Status(503));
    paid_from_wallet(&app, &id).await;
    // Retried with a fresh nonce and signature (the emulator refuses a reused nonce).
    assert_eq!(emu.requests_to("/api/v3/payment-requests/").len(), 2);
    let inv = emu.with(|s| s.invoices[0].clone());

    let provider = CoinsphProvider::new(config(&emu.base)).unwrap();
    emu.fault(Fault::Delay(Duration::from_millis(600)));
    emu.fault(Fault::Delay(Duration::from_millis(600)));
    emu.fault(Fault::Delay(Duration::from_millis(600)));
    assert!(provider.fetch_invoice(&inv.id, 2).await.is_err());
    emu.fault(Fault::Status(403));
    let before = emu.requests().len();
    assert!(provider.fetch_invoice(&inv.id, 2).await.is_err());
    assert_eq!(emu.requests().len(), before + 1);
    emu.fault(Fault::Body("<html>maintenance</html>"));
    assert!(provider.fetch_invoice(&inv.id, 2).await.is_err());
    set(&emu, &inv.id, "12.345");
    let snap = provider.fetch_invoice(&inv.id, 2).await.unwrap();
    assert_eq!(snap.funds.seen_units, 1_234);
    assert_eq!(snap.provider_state, "partially_paid");
    emu.assert_clean();
}

#[tokio::test]
async fn checkouts_from_before_the_switch_to_coinsph_are_refused_at_pick() {
    let emu = Emulator::start(Coins::default(), logic).await;
    let mut app = spawn_app().await;
    let fiat = app.fixed_checkout("25", "USD").await;
    let coin = app.fixed_checkout("0.005", "BTC").await;
    app.config.provider = ProviderKind::Coinsph;
    app.config.coinsph = Some(config(&emu.base));
    app.restart().await;
    for (id, named) in [(&fiat, "USD"), (&coin, "BTC")] {
        let (code, body) = app.pick_raw(id, "BTC", "BITCOIN", None).await;
        assert_eq!(code, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["error"]["code"], "unsupported_currency");
        assert!(
            body["error"]["message"].as_str().unwrap().contains(named),
            "{body}"
        );
    }
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
    let id = peso_checkout(&app, "20").await;
    paid_from_wallet(&app, &id).await;
    let inv = emu.with(|s| s.invoices[0].clone());
    set(&emu, &inv.id, "20");
    // Not one callback is delivered.
    app.wait_for_status(&id, "SUCCESS").await;
    emu.assert_clean();
}

#[tokio::test]
async fn coinsph_a_forged_copy_sent_first_cannot_make_the_genuine_callback_a_no_op() {
    let (emu, app) = setup().await;
    let id = peso_checkout(&app, "20").await;
    paid_from_wallet(&app, &id).await;
    let unpaid = emu.with(|s| s.invoices[0].clone());
    // Somebody holding the token predicts the callback Coins.ph will send and sends it first.
    let mut predicted = unpaid.clone();
    predicted.received = "20".into();
    let body = callback("invoice.fully_paid", &predicted);
    assert_eq!(ok(&app, &body).await, "applied");
    // The re-read found nothing paid.
    assert_eq!(app.status(&id).await["status"], "WAITING_PAYMENT");
    // Then the payer pays and Coins.ph sends exactly those bytes.
    set(&emu, &unpaid.id, "20");
    assert_eq!(ok(&app, &body).await, "duplicate");
    assert_eq!(app.status(&id).await["status"], "SUCCESS");
    emu.assert_clean();
}
