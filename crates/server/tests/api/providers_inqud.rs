//! Inqud through the real server, against an emulator of Inqud's documented API that checks
//! every request's method, path, authentication (the token headers or the HMAC variant, as it
//! is configured) and body shape, and counts the checkouts made for each `clientOrderId`.

use std::time::Duration;

use checkout_server::config::{HttpSettings, InqudAuth, InqudConfig, ProviderKind, Secret};
use checkout_server::providers::inqud::InqudProvider;
use checkout_server::providers::Provider;
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha1::Sha1;
use sha2::Sha256;

use crate::emulator::{is_json_number, Emulator, Fault, Recorded};
use crate::helpers::*;

const PROJECT: &str = "CAP-7d1e";
const API_ID: &str = "inqud-api-id";
const API_SECRET: &str = "inqud-api-secret";
const HOOK_SECRET: &str = "inqud-webhook-secret";

#[derive(Debug, Clone, Default)]
pub struct Co {
    pub id: String,
    pub client_order_id: String,
    pub return_url: Option<String>,
    pub status: String,
    pub request: Option<Req>,
}

#[derive(Debug, Clone, Default)]
pub struct Req {
    pub currency: String,
    pub blockchain: String,
    pub status: String,
    pub pay: String,
    pub paid: String,
}

#[derive(Default)]
pub struct Inqud {
    pub checkouts: Vec<Co>,
    /// What a request asks for (Inqud converts the fixed amount; its worked example).
    pub pay_amount: String,
    /// The scheme requests must be signed with; the other one is refused.
    pub auth: InqudAuth,
    /// Every `X-Salt` seen: a salt is never to be used twice.
    pub salts: Vec<String>,
    /// The `returnUrl` a checkout must carry (absent when `None`).
    pub return_url: Option<String>,
    /// How many of the next request openings are refused (a 422 from Inqud).
    pub refuse_requests: u32,
}

impl Inqud {
    pub fn co(&mut self, id: &str) -> &mut Co {
        self.checkouts.iter_mut().find(|c| c.id == id).unwrap()
    }

    /// Inqud checkouts made with this `clientOrderId`.
    pub fn made_for(&self, client_order_id: &str) -> usize {
        self.checkouts
            .iter()
            .filter(|c| c.client_order_id == client_order_id)
            .count()
    }
}

/// Codes `fixedAmount.currency` may be: fiat ISO codes and plain coin codes (a price is fiat
/// or crypto); a request's network-qualified code is not a price currency.
const PRICE_CURRENCIES: &[&str] = &[
    "USD", "EUR", "GBP", "CHF", "PLN", "UAH", "PHP", "JPY", "BTC", "ETH", "USDT", "USDC", "TRX",
    "LTC", "BNB", "DAI",
];

fn hmac_hex(key: &str, parts: &[&[u8]]) -> String {
    let mut m = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
    for part in parts {
        m.update(part);
    }
    hex::encode(m.finalize().into_bytes())
}

/// The documented authentication, for the scheme this emulator is configured with.
fn authenticate(s: &mut Inqud, r: &Recorded) -> Result<(), String> {
    if r.header("x-token-api-id") != Some(API_ID) {
        return Err("X-Token-API-Id missing or wrong".into());
    }
    match s.auth {
        InqudAuth::Token => {
            if r.header("x-token-api-secret") != Some(API_SECRET) {
                return Err("token auth: X-Token-API-Secret missing or wrong".into());
            }
        }
        InqudAuth::Hmac => {
            if r.header("x-token-api-secret").is_some() {
                return Err("hmac auth: the API secret must not be sent".into());
            }
            let salt = r.header("x-salt").filter(|s| !s.is_empty());
            let salt = salt.ok_or("hmac auth: X-Salt missing")?.to_owned();
            let expected = hmac_hex(API_SECRET, &[&r.body, salt.as_bytes()]);
            if r.header("x-hmac-sha256-signature") != Some(expected.as_str()) {
                return Err("hmac auth: X-HMAC-SHA256-Signature is not HMAC(body + salt)".into());
            }
            if s.salts.contains(&salt) {
                return Err("hmac auth: X-Salt used before".into());
            }
            s.salts.push(salt);
        }
    }
    Ok(())
}

/// The checkout as Inqud answers (and as its webhooks carry it): amounts are JSON numbers.
pub fn render(c: &Co) -> String {
    let request = match &c.request {
        None => "null".to_owned(),
        Some(r) => format!(
            r#"{{"address":"{}","currency":"{}","blockchain":"{}","status":"{}","payAmount":{},"paidAmount":{},"overpaid":false,"expiresAt":"2030-01-01T00:00:00Z","txHash":null,"payment":{{"status":"{}"}}}}"#,
            address(&r.blockchain),
            r.currency,
            r.blockchain,
            r.status,
            r.pay,
            r.paid,
            if r.status == "SUCCESS" {
                "SUCCESS"
            } else {
                "PENDING"
            }
        ),
    };
    let return_url = json!(c.return_url);
    format!(
        r#"{{"id":"{}","projectId":"{PROJECT}","projectName":"Shop","merchantDomain":"shop.example","clientOrderId":"{}","status":"{}","name":"Mug","type":"FIXED_PRICE","returnUrl":{return_url},"acquiringUrl":"https://inqud.example/c/{}","createdAt":"2026-11-22T00:00:00Z","expiresAt":"2030-01-01T00:00:00Z","request":{request}}}"#,
        c.id, c.client_order_id, c.status, c.id
    )
}

/// A deposit address in the network's own format.
fn address(blockchain: &str) -> &'static str {
    match blockchain {
        "TRON" => "TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7",
        _ => "0x52908400098527886E0F7030069857D2E4169EE7",
    }
}

fn logic(s: &mut Inqud, r: &Recorded, _base: &str) -> Result<(u16, String), String> {
    authenticate(s, r)?;
    let base = format!("/v1/user/crypto-acquiring/{PROJECT}/checkouts");
    let rest = r.path.strip_prefix(&base).ok_or("unknown path")?;
    let body: Value = if r.body.is_empty() {
        Value::Null
    } else {
        if r.header("content-type") != Some("application/json") {
            return Err("a body must be JSON".into());
        }
        serde_json::from_slice(&r.body).map_err(|e| e.to_string())?
    };
    match (r.method.as_str(), rest) {
        ("POST", "") => {
            for key in ["clientOrderId", "name"] {
                body[key]
                    .as_str()
                    .ok_or(format!("{key} must be a string"))?;
            }
            let expires = body["expiresAt"].as_str().ok_or("expiresAt")?;
            if !expires.ends_with('Z') || checkout_server::domain::parse_rfc3339(expires).is_none()
            {
                return Err("expiresAt must be ISO 8601 UTC".into());
            }
            if body["type"] != "FIXED_PRICE" {
                return Err("type".into());
            }
            check_fixed_amount(&body)?;
            if body["returnUrl"].as_str() != s.return_url.as_deref() {
                return Err(format!(
                    "returnUrl {} is not the checkout's {:?}",
                    body["returnUrl"], s.return_url
                ));
            }
            let co = Co {
                id: format!("CCO-{}", uuid::Uuid::new_v4()),
                client_order_id: body["clientOrderId"].as_str().unwrap().to_owned(),
                return_url: s.return_url.clone(),
                status: "NEW".into(),
                request: None,
            };
            s.checkouts.push(co.clone());
            Ok((201, render(&co)))
        }
        ("POST", path) if path.ends_with("/request") => {
            let id = path.trim_start_matches('/').trim_end_matches("/request");
            if s.refuse_requests > 0 {
                s.refuse_requests -= 1;
                return Ok((422, r#"{"error":"currency is not available"}"#.into()));
            }
            let pay = s.pay_amount.clone();
            let co = s
                .checkouts
                .iter_mut()
                .find(|c| c.id == id)
                .ok_or("unknown checkout")?;
            if co.request.is_some() {
                return Err("a checkout has at most one request".into());
            }
            co.request = Some(Req {
                currency: body["currency"].as_str().ok_or("currency")?.to_owned(),
                blockchain: body["blockchain"].as_str().ok_or("blockchain")?.to_owned(),
                status: "WAITING_PAYMENT".into(),
                pay,
                paid: "0".into(),
            });
            co.status = "WAITING_PAYMENT".into();
            Ok((200, render(co)))
        }
        ("GET", path) => {
            let id = path.trim_start_matches('/');
            match s.checkouts.iter().find(|c| c.id == id) {
                Some(c) => Ok((200, render(c))),
                None => Ok((404, r#"{"error":"not found"}"#.into())),
            }
        }
        _ => Err("no such endpoint".into()),
    }
}

/// `fixedAmount {amount: number, currency}`, the currency a fiat or plain coin code.
fn check_fixed_amount(body: &Value) -> Result<(), String> {
    let fixed: std::collections::HashMap<String, Box<serde_json::value::RawValue>> =
        serde_json::from_value(body["fixedAmount"].clone()).map_err(|_| "fixedAmount")?;
    if !fixed.get("amount").is_some_and(|a| is_json_number(a.get())) {
        return Err("fixedAmount.amount must be a JSON number".into());
    }
    let currency = body["fixedAmount"]["currency"].as_str().unwrap_or_default();
    if !PRICE_CURRENCIES.contains(&currency) {
        return Err(format!(
            "fixedAmount.currency {currency:?} is neither a fiat nor a coin code"
        ));
    }
    Ok(())
}

async fn emulator() -> Emulator<Inqud> {
    Emulator::start(
        Inqud {
            pay_amount: "99.46291".into(),
            ..Inqud::default()
        },
        logic,
    )
    .await
}

fn config(base: &str) -> InqudConfig {
    InqudConfig {
        base_url: base.to_owned(),
        project_id: PROJECT.into(),
        api_id: Secret::new(API_ID),
        api_secret: Secret::new(API_SECRET),
        webhook_secret: Secret::new(HOOK_SECRET),
        auth: InqudAuth::Token,
        http: HttpSettings {
            timeout: Duration::from_millis(300),
            retries: 2,
            backoff: Duration::from_millis(5),
        },
        currencies: Default::default(),
    }
}

async fn app(emu: &Emulator<Inqud>) -> TestApp {
    app_with(emu, |_| {}).await
}

async fn app_with(emu: &Emulator<Inqud>, adjust: impl FnOnce(&mut InqudConfig)) -> TestApp {
    let mut cfg = config(&emu.base);
    adjust(&mut cfg);
    spawn_app_with(move |c| {
        c.provider = ProviderKind::Inqud;
        c.inqud = Some(cfg);
    })
    .await
}

/// The JSON body of the `n`th checkout creation.
fn created(emu: &Emulator<Inqud>, n: usize) -> Value {
    let path = format!("/v1/user/crypto-acquiring/{PROJECT}/checkouts");
    serde_json::from_slice(&emu.requests_to(&path)[n].body).unwrap()
}

/// Requests that opened (or tried to open) a payer's request.
fn request_openings(emu: &Emulator<Inqud>) -> usize {
    let requests = emu.requests();
    requests
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/request"))
        .count()
}

fn digest(key: &str, body: &[u8]) -> String {
    let mut m = Hmac::<Sha1>::new_from_slice(key.as_bytes()).unwrap();
    m.update(body);
    hex::encode(m.finalize().into_bytes())
}

async fn deliver(app: &TestApp, body: &[u8], sig: Option<String>) -> (StatusCode, Value) {
    let mut req = app
        .client
        .post(app.url("/webhooks/inqud"))
        .header("content-type", "application/json")
        .body(body.to_vec());
    if let Some(s) = sig {
        req = req.header("X-Payload-Digest", s);
    }
    let resp = req.send().await.unwrap();
    (resp.status(), resp.json().await.unwrap_or(Value::Null))
}

async fn signed(app: &TestApp, body: &[u8]) -> Value {
    let (s, v) = deliver(app, body, Some(digest(HOOK_SECRET, body))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

/// Our payment's Inqud checkout (the emulator's only or last one).
fn last(emu: &Emulator<Inqud>) -> Co {
    emu.with(|s| s.checkouts.last().unwrap().clone())
}

fn set(emu: &Emulator<Inqud>, id: &str, status: &str, paid: &str) -> Vec<u8> {
    emu.with(|s| {
        let co = s.co(id);
        co.status = status.into();
        let r = co.request.as_mut().unwrap();
        r.status = status.into();
        r.paid = paid.into();
        render(co).into_bytes()
    })
}

#[tokio::test]
async fn inqud_fiat_checkout_runs_to_success_through_webhooks() {
    runs_to_success(InqudAuth::Token).await;
}

#[tokio::test]
async fn inqud_hmac_signed_checkout_runs_to_success_and_never_sends_the_secret() {
    runs_to_success(InqudAuth::Hmac).await;
}

/// Create, pick, webhooks and re-reads with every call signed by `auth` (the emulator refuses
/// the other scheme, a wrong signature and a reused salt).
async fn runs_to_success(auth: InqudAuth) {
    let emu = emulator().await;
    emu.with(|s| s.auth = auth);
    let app = app_with(&emu, |c| c.auth = auth).await;
    let id = app.fixed_checkout("100", "USD").await;
    // A retried attempt is signed afresh (a new salt, which the emulator checks).
    emu.fault(Fault::Status(502));
    let view = app.pick(&id, "USDT", "ETHEREUM", None).await;
    // Inqud's worked example: 100 USD at 1.0054 asks for 99.46291 USDT.
    assert_eq!(payment_amount(&view), "99.462910");
    let co = last(&emu);
    let created: Value = serde_json::from_slice(
        &emu.requests_to(&format!("/v1/user/crypto-acquiring/{PROJECT}/checkouts"))[0].body,
    )
    .unwrap();
    assert_eq!(created["fixedAmount"]["currency"], "USD");
    assert_eq!(created["clientOrderId"], payment_id(&view).as_str());
    assert_eq!(co.request.as_ref().unwrap().blockchain, "ETHEREUM");

    let pending = set(&emu, &co.id, "PENDING_PAYMENT", "99.46291");
    assert_eq!(signed(&app, &pending).await["status"], "applied");
    assert_eq!(app.status(&id).await["status"], "PENDING_PAYMENT");
    let success = set(&emu, &co.id, "SUCCESS", "99.46291");
    signed(&app, &success).await;
    assert_eq!(app.status(&id).await["status"], "SUCCESS");
    let requests = emu.requests();
    let secrets_sent = requests
        .iter()
        .filter(|r| r.header("x-token-api-secret").is_some())
        .count();
    let signed_requests = requests
        .iter()
        .filter(|r| r.header("x-hmac-sha256-signature").is_some())
        .count();
    match auth {
        InqudAuth::Token => assert_eq!((secrets_sent, signed_requests), (requests.len(), 0)),
        InqudAuth::Hmac => assert_eq!((secrets_sent, signed_requests), (0, requests.len())),
    }
    emu.assert_clean();
}

#[tokio::test]
async fn inqud_refuses_calls_signed_with_the_scheme_it_is_not_configured_for() {
    for (ours, theirs) in [
        (InqudAuth::Token, InqudAuth::Hmac),
        (InqudAuth::Hmac, InqudAuth::Token),
    ] {
        let emu = emulator().await;
        emu.with(|s| s.auth = theirs);
        let mut cfg = config(&emu.base);
        cfg.auth = ours;
        let provider = InqudProvider::new(cfg).unwrap();
        assert!(provider.fetch_invoice("CCO-1", 6).await.is_err());
        assert_eq!(emu.requests().len(), 1, "a refusal is not retried");
    }
}

#[tokio::test]
async fn inqud_webhooks_are_verified_deduplicated_and_order_proof() {
    let emu = emulator().await;
    let app = app(&emu).await;
    let id = app.fixed_checkout("100", "USD").await;
    app.pick(&id, "USDT", "ETHEREUM", None).await;
    let co = last(&emu);
    let pending = set(&emu, &co.id, "PENDING_PAYMENT", "99.46291");

    let (s, e) = deliver(&app, &pending, None).await;
    assert_eq!(
        (s, error_of(&e).0.as_str()),
        (StatusCode::UNAUTHORIZED, "missing_signature")
    );
    let mut tampered = pending.clone();
    tampered[20] ^= 1;
    let (s, _) = deliver(&app, &tampered, Some(digest(HOOK_SECRET, &pending))).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = deliver(&app, &pending, Some(digest("wrong", &pending))).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let garbage = b"[1,2]".to_vec();
    let (s, _) = deliver(&app, &garbage, Some(digest(HOOK_SECRET, &garbage))).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(app.status(&id).await["status"], "WAITING_PAYMENT");

    // Out of order: SUCCESS first, then the older PENDING_PAYMENT delivery.
    let success = set(&emu, &co.id, "SUCCESS", "99.46291");
    let v0 = app.status(&id).await["version"].as_u64().unwrap();
    assert_eq!(signed(&app, &success).await["status"], "applied");
    assert_eq!(signed(&app, &pending).await["status"], "applied");
    let after = app.status(&id).await;
    assert_eq!(
        (after["status"].as_str(), after["version"].as_u64()),
        (Some("SUCCESS"), Some(v0 + 1))
    );
    // Duplicates and a replay of the old delivery: no-ops.
    assert_eq!(signed(&app, &success).await["status"], "duplicate");
    assert_eq!(signed(&app, &pending).await["status"], "duplicate");
    assert_eq!(app.status(&id).await["version"].as_u64(), Some(v0 + 1));
    emu.assert_clean();
}

#[tokio::test]
async fn inqud_conflicts_unknown_statuses_and_faults() {
    let emu = emulator().await;
    let app = app(&emu).await;
    let id = app.fixed_checkout("100", "USD").await;
    app.pick(&id, "USDT", "ETHEREUM", None).await;
    let co = last(&emu);
    // A status the public list does not have: kept raw, nothing decided.
    let odd = set(&emu, &co.id, "AWAITING_MOONRISE", "0");
    signed(&app, &odd).await;
    let merchant = app.checkout(&id).await;
    assert_eq!(merchant["status"], "WAITING_PAYMENT");
    assert_eq!(
        merchant["payments"][0]["providerState"],
        "AWAITING_MOONRISE"
    );
    // Inqud's CONFLICT with too little paid is our CONFLICT / UNDERPAID.
    let conflict = set(&emu, &co.id, "CONFLICT", "50");
    signed(&app, &conflict).await;
    let s = app.status(&id).await;
    assert_eq!(
        (s["status"].as_str(), s["exception"].as_str()),
        (Some("CONFLICT"), Some("UNDERPAID"))
    );

    // The client: 5xx and timeouts retried, 4xx not, malformed JSON an error.
    let provider = InqudProvider::new(config(&emu.base)).unwrap();
    emu.fault(Fault::Status(502));
    emu.fault(Fault::Delay(Duration::from_millis(600)));
    let before = emu.requests().len();
    let snap = provider.fetch_invoice(&co.id, 6).await.unwrap();
    assert_eq!(emu.requests().len(), before + 3);
    assert_eq!(snap.funds.seen_units, 50_000_000);
    emu.fault(Fault::Status(401));
    let before = emu.requests().len();
    assert!(provider.fetch_invoice(&co.id, 6).await.is_err());
    assert_eq!(emu.requests().len(), before + 1);
    emu.fault(Fault::Body(
        "{\"id\": \"CCO-1\", \"request\": {\"paidAmount\": 1.5.5}}",
    ));
    assert!(provider.fetch_invoice(&co.id, 6).await.is_err());

    // A failed create is a 502 to the payer, with nothing internal in it.
    for _ in 0..3 {
        emu.fault(Fault::Status(500));
    }
    let other = app.fixed_checkout("10", "USD").await;
    let (code, body) = app.pick_raw(&other, "USDT", "ETHEREUM", None).await;
    assert_eq!(
        (code, error_of(&body).0.as_str()),
        (StatusCode::BAD_GATEWAY, "provider_unavailable")
    );
    assert!(!body.to_string().contains(API_SECRET));
    emu.assert_clean();
}

#[tokio::test]
async fn an_unconfigured_provider_has_no_webhook_endpoint() {
    let app = spawn_app().await;
    for provider in ["calypso", "inqud", "coinsph"] {
        let body = b"{\"id\":\"CCO-1\"}".to_vec();
        let (status, answer) = app
            .raw_post(&format!("/webhooks/{provider}"), false, body)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{provider}: {answer}");
    }
}

#[tokio::test]
async fn inqud_payment_whose_webhooks_never_arrive_reaches_success_by_reconciliation() {
    let emu = emulator().await;
    let cfg = config(&emu.base);
    let app = spawn_app_with(move |c| {
        c.provider = ProviderKind::Inqud;
        c.inqud = Some(cfg);
        reconcile_quickly(c);
    })
    .await;
    let id = app.fixed_checkout("100", "USD").await;
    app.pick(&id, "USDT", "ETHEREUM", None).await;
    let co = last(&emu);
    set(&emu, &co.id, "SUCCESS", "99.46291");
    // Not one webhook is delivered.
    app.wait_for_status(&id, "SUCCESS").await;
    emu.assert_clean();
}

#[tokio::test]
async fn a_provider_refusal_is_told_to_the_payer_once_and_explained_in_the_log() {
    let emu = emulator().await;
    let app = app(&emu).await;
    let refusal =
        r#"{"error":{"code":"VALIDATION","message":"fixedAmount below the project minimum"}}"#;

    // The payer: one attempt (a 4xx is never retried), a 502 that says retrying will not help,
    // and nothing of the provider's words or our secrets.
    emu.fault(Fault::Refuse(422, refusal));
    let id = app.fixed_checkout("10", "USD").await;
    let (code, body) = app.pick_raw(&id, "USDT", "ETHEREUM", None).await;
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert_eq!(
        (code, error_of(&body).0.as_str()),
        (StatusCode::BAD_GATEWAY, "provider_refused")
    );
    assert!(message.contains("declined"), "{message}");
    assert!(!body.to_string().contains("minimum"), "{body}");
    assert!(!body.to_string().contains(API_SECRET));
    assert_eq!(emu.requests().len(), 1, "a refusal is not retried");

    // An outage still reads as one: three attempts, then `provider_unavailable`.
    for _ in 0..3 {
        emu.fault(Fault::Status(503));
    }
    let (code, body) = app.pick_raw(&id, "USDT", "ETHEREUM", None).await;
    assert_eq!(
        (code, error_of(&body).0.as_str()),
        (StatusCode::BAD_GATEWAY, "provider_unavailable")
    );
    assert_eq!(emu.requests().len(), 4);

    // The merchant's log gets the error's cause: the call, the status and the provider's reason.
    let provider = InqudProvider::new(config(&emu.base)).unwrap();
    emu.fault(Fault::Refuse(400, refusal));
    let err = provider.fetch_invoice("CCO-unknown", 6).await.unwrap_err();
    let logged = format!("{err:#}");
    assert!(
        logged.contains("HTTP 400") && logged.contains("fixedAmount below the project minimum"),
        "{logged}"
    );
    assert!(
        !logged.contains(API_SECRET) && !logged.contains(API_ID),
        "{logged}"
    );
    emu.assert_clean();
}

#[tokio::test]
async fn inqud_a_refused_request_retried_leaves_one_inqud_checkout_even_across_a_restart() {
    let emu = emulator().await;
    let mut app = app(&emu).await;
    let id = app.fixed_checkout("100", "USD").await;
    // Inqud refuses the request twice: three picks of the same coin.
    emu.with(|s| s.refuse_requests = 2);
    let (code, body) = app.pick_raw(&id, "USDT", "ETHEREUM", None).await;
    assert_eq!(
        (code, error_of(&body).0.as_str()),
        (StatusCode::BAD_GATEWAY, "provider_refused"),
        "{body}"
    );
    assert!(body["payment"].is_null(), "nothing is shown: {body}");
    // The server stops between attempts: what was made is remembered in its database.
    app.restart().await;
    let (code, body) = app.pick_raw(&id, "USDT", "ETHEREUM", None).await;
    assert_eq!(
        (code, error_of(&body).0.as_str()),
        (StatusCode::BAD_GATEWAY, "provider_refused"),
        "{body}"
    );
    let view = app.pick(&id, "USDT", "ETHEREUM", None).await;

    let pay = payment_id(&view);
    let (total, made_for_pay) = emu.with(|s| (s.checkouts.len(), s.made_for(&pay)));
    assert_eq!(
        (total, made_for_pay),
        (1, 1),
        "one Inqud checkout per payment"
    );
    assert_eq!(request_openings(&emu), 3);
    let co = last(&emu);
    assert_eq!(co.client_order_id, pay);
    assert_eq!(view["payment"]["address"], address("ETHEREUM"));
    let merchant = app.checkout(&id).await;
    assert_eq!(merchant["payments"].as_array().unwrap().len(), 1);

    // Picked again while its quote holds: the same payment, nothing new at Inqud.
    app.pick(&id, "USDT", "ETHEREUM", None).await;
    assert_eq!(emu.with(|s| s.checkouts.len()), 1);
    emu.assert_clean();
}

#[tokio::test]
async fn inqud_another_coin_is_another_inqud_checkout_and_switching_back_reuses_the_first() {
    let emu = emulator().await;
    let app = app(&emu).await;
    let id = app.fixed_checkout("100", "USD").await;
    let first = app.pick(&id, "USDT", "ETHEREUM", None).await;
    // A checkout holds one request, for one coin and network: another coin needs another.
    let second = app.pick(&id, "USDT", "TRON", None).await;
    assert_ne!(payment_id(&first), payment_id(&second));
    assert_eq!(emu.with(|s| s.checkouts.len()), 2);
    let back = app.pick(&id, "USDT", "ETHEREUM", None).await;
    assert_eq!(payment_id(&back), payment_id(&first));
    assert_eq!(emu.with(|s| s.checkouts.len()), 2);
    assert_eq!(request_openings(&emu), 2);
    emu.assert_clean();
}

#[tokio::test]
async fn inqud_a_mapped_code_names_the_request_only_and_the_return_url_is_passed_on() {
    let emu = emulator().await;
    let app = app_with(&emu, |c| {
        c.currencies.insert("USDT/TRON".into(), "TRON_USDT".into());
    })
    .await;
    let thanks = "https://shop.example/thanks";
    emu.with(|s| s.return_url = Some(thanks.into()));
    let view = app
        .create_checkout(json!({
            "name": "Mug",
            "type": "FIXED_PRICE",
            "fixedAmount": {"amount": "100", "currency": "USD"},
            "returnUrl": thanks,
        }))
        .await;
    let id = view["id"].as_str().unwrap();
    let picked = app.pick(id, "USDT", "TRON", None).await;
    assert_eq!(picked["payment"]["address"], address("TRON"));
    let body = created(&emu, 0);
    assert_eq!(
        (&body["fixedAmount"]["currency"], &body["returnUrl"]),
        (&json!("USD"), &json!(thanks))
    );
    let request = last(&emu).request.unwrap();
    assert_eq!(
        (request.currency.as_str(), request.blockchain.as_str()),
        ("TRON_USDT", "TRON")
    );

    // Priced in the coin itself: its plain code is the price's currency, not the mapped one.
    emu.with(|s| s.return_url = None);
    let in_usdt = app.fixed_checkout("25", "USDT").await;
    app.pick(&in_usdt, "USDT", "TRON", None).await;
    let body = created(&emu, 1);
    assert_eq!(body["fixedAmount"]["currency"], "USDT");
    assert!(body.get("returnUrl").is_none(), "{body}");
    assert_eq!(last(&emu).request.unwrap().currency, "TRON_USDT");
    emu.assert_clean();
}
