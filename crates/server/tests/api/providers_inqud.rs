//! Inqud through the real server, against an emulator of Inqud's documented API that checks
//! every request's method, path, token headers and body shape.

use std::time::Duration;

use checkout_server::config::{HttpSettings, InqudConfig, ProviderKind, Secret};
use checkout_server::providers::inqud::InqudProvider;
use checkout_server::providers::Provider;
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::Value;
use sha1::Sha1;

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
}

impl Inqud {
    pub fn co(&mut self, id: &str) -> &mut Co {
        self.checkouts.iter_mut().find(|c| c.id == id).unwrap()
    }
}

/// The checkout as Inqud answers (and as its webhooks carry it): amounts are JSON numbers.
pub fn render(c: &Co) -> String {
    let request = match &c.request {
        None => "null".to_owned(),
        Some(r) => format!(
            r#"{{"address":"0x52908400098527886E0F7030069857D2E4169EE7","currency":"{}","blockchain":"{}","status":"{}","payAmount":{},"paidAmount":{},"overpaid":false,"expiresAt":"2030-01-01T00:00:00Z","txHash":null,"payment":{{"status":"{}"}}}}"#,
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
    format!(
        r#"{{"id":"{}","projectId":"{PROJECT}","projectName":"Shop","merchantDomain":"shop.example","clientOrderId":"{}","status":"{}","name":"Mug","type":"FIXED_PRICE","returnUrl":null,"acquiringUrl":"https://inqud.example/c/{}","createdAt":"2026-11-22T00:00:00Z","expiresAt":"2030-01-01T00:00:00Z","request":{request}}}"#,
        c.id, c.client_order_id, c.status, c.id
    )
}

fn logic(s: &mut Inqud, r: &Recorded, _base: &str) -> Result<(u16, String), String> {
    if r.header("x-token-api-id") != Some(API_ID)
        || r.header("x-token-api-secret") != Some(API_SECRET)
    {
        return Err("X-Token-API-Id / X-Token-API-Secret missing or wrong".into());
    }
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
            let fixed: std::collections::HashMap<String, Box<serde_json::value::RawValue>> =
                serde_json::from_value(body["fixedAmount"].clone()).map_err(|_| "fixedAmount")?;
            if !fixed.get("amount").is_some_and(|a| is_json_number(a.get()))
                || !fixed.contains_key("currency")
            {
                return Err("fixedAmount {amount: number, currency}".into());
            }
            let co = Co {
                id: format!("CCO-{}", uuid::Uuid::new_v4()),
                client_order_id: body["clientOrderId"].as_str().unwrap().to_owned(),
                status: "NEW".into(),
                request: None,
            };
            s.checkouts.push(co.clone());
            Ok((201, render(&co)))
        }
        ("POST", path) if path.ends_with("/request") => {
            let id = path.trim_start_matches('/').trim_end_matches("/request");
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
        http: HttpSettings {
            timeout: Duration::from_millis(300),
            retries: 2,
            backoff: Duration::from_millis(5),
        },
        currencies: Default::default(),
    }
}

async fn app(emu: &Emulator<Inqud>) -> TestApp {
    let cfg = config(&emu.base);
    spawn_app_with(move |c| {
        c.provider = ProviderKind::Inqud;
        c.inqud = Some(cfg);
    })
    .await
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
    let emu = emulator().await;
    let app = app(&emu).await;
    let id = app.fixed_checkout("100", "USD").await;
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
    emu.assert_clean();
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
