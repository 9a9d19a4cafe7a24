//! Calypso through the real server, against an emulator of Calypso's documented API that
//! checks every request's method, path, headers, envelope and signature.

use std::collections::HashMap;
use std::time::Duration;

use checkout_server::config::{CalypsoConfig, HttpSettings, ProviderKind, Secret};
use checkout_server::domain::currency::{AddressFormat, Catalogue};
use checkout_server::domain::state_machine::ProviderSignal;
use checkout_server::providers::calypso::CalypsoProvider;
use checkout_server::providers::sandbox::address::derive_address;
use checkout_server::providers::{NewInvoice, Provider};
use hmac::{Hmac, Mac};
use merchant_client::{calls, requests::Resolution};
use reqwest::StatusCode;
use serde_json::value::RawValue;
use serde_json::{json, Value};
use sha2::Sha512;

use crate::emulator::{is_json_number, Emulator, Fault, Recorded};
use crate::helpers::*;

const ACCOUNT: &str = "acc-7";
const API_KEY: &str = "calypso-public-key";
const API_SECRET: &str = "calypso-secret-key";
pub(crate) const HOOK_KEY: &str = "subscription-public-key";
pub(crate) const HOOK_SECRET: &str = "subscription-secret-key";

#[derive(Debug, Clone, Default)]
pub struct Inv {
    pub id: u64,
    pub key: String,
    pub amount: String,
    pub total: String,
    pub currency: String,
    pub state: String,
    pub intervention: Option<String>,
    pub resolved: bool,
    pub external_id: String,
    pub kind: String,
    /// Valid for the invoice's network unless a fault says otherwise.
    pub address: String,
    /// SINGLE_FIAT: the fiat price, as the create request gave it.
    pub fiat_amount: Option<String>,
    pub fiat_currency: Option<String>,
    /// Returned to paid: its intervention may be closed only once it is COMPLETED.
    pub returned: bool,
}

#[derive(Default)]
pub struct Calypso {
    pub invoices: Vec<Inv>,
    /// What a SINGLE_FIAT invoice asks in the coin (Calypso converts).
    pub fiat_amount: String,
    pub calls: Vec<String>,
    /// Fault: the next SINGLE_FIAT invoices carry this fiat price and currency instead.
    pub fiat_answer: Option<(String, String)>,
    /// Fault: the next invoices carry this address instead of one of their network.
    pub address_answer: Option<String>,
    /// Webhook subscriptions created: (url, public key, secret key).
    pub subscriptions: Vec<(String, String, String)>,
    /// A call to this path takes effect but its answer is lost (a 503 instead).
    pub lose_answer_to: Option<&'static str>,
    /// A call to this path takes effect, then the server process with this pid is killed
    /// before it hears the answer.
    pub crash_after: Option<(&'static str, u32)>,
    /// A call to this path is refused (400) and takes no effect.
    pub refuse: Option<&'static str>,
}

impl Calypso {
    pub fn inv(&mut self, key: &str) -> &mut Inv {
        self.invoices.iter_mut().find(|i| i.key == key).unwrap()
    }
}

fn render(i: &Inv) -> String {
    // Built by hand: amounts must be JSON numbers with their exact digits, and the id a number.
    let fiat = match (&i.fiat_amount, &i.fiat_currency) {
        (Some(amount), Some(currency)) => {
            format!(r#","fiatAmount":{amount},"fiatCurrency":"{currency}""#)
        }
        _ => String::new(),
    };
    format!(
        r#"{{"id":{},"idempotencyKey":"{}","invoiceAddress":"{}","amount":{},"totalDebitAmount":{},"currency":"{}","state":"{}","interventionType":{},"isInterventionResolved":{},"externalId":"{}","type":"{}","expiration":1790000000000{fiat}}}"#,
        i.id,
        i.key,
        i.address,
        i.amount,
        i.total,
        i.currency,
        i.state,
        i.intervention
            .as_ref()
            .map(|t| format!("\"{t}\""))
            .unwrap_or_else(|| "null".into()),
        i.resolved,
        i.external_id,
        i.kind,
    )
}

/// The currency codes this Calypso knows, each on one network (so a token's code names its
/// network), with the address format of that network.
fn network_of(code: &str) -> Option<AddressFormat> {
    Some(match code {
        "BTC" => AddressFormat::Bech32P2wpkh { hrp: "bc" },
        "LTC" => AddressFormat::Bech32P2wpkh { hrp: "ltc" },
        "ETH" | "USDT_ERC20" | "USDC_ERC20" => AddressFormat::Eip55,
        "TRX" | "USDT_TRC20" => AddressFormat::TronBase58,
        _ => return None,
    })
}

/// The network-qualified codes the tests configure, as an operator would from Calypso's list.
pub fn currency_codes() -> std::collections::BTreeMap<String, String> {
    [
        ("USDT/TRON", "USDT_TRC20"),
        ("USDT/ETHEREUM", "USDT_ERC20"),
        ("USDC/ETHEREUM", "USDC_ERC20"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// A create call's amounts: SINGLE has the crypto `amount` only, SINGLE_FIAT the fiat price in
/// `fiatAmount` + `fiatCurrency` and no `amount` (the invoice's own field names). Returns
/// (amount, fiat price) as sent.
fn create_amounts(p: &Fields, fiat: bool) -> Result<(Option<String>, Option<String>), String> {
    let number = |key: &str| -> Result<Option<String>, String> {
        match p.get(key) {
            Some(raw) if is_json_number(raw.get()) => Ok(Some(raw.get().to_owned())),
            Some(_) => Err(format!("{key} must be a JSON number")),
            None => Ok(None),
        }
    };
    let (amount, fiat_amount) = (number("amount")?, number("fiatAmount")?);
    if fiat {
        text(p, "fiatCurrency")?;
        if amount.is_some() {
            return Err("SINGLE_FIAT takes the fiat price in fiatAmount, not amount".into());
        }
        if fiat_amount.is_none() {
            return Err("SINGLE_FIAT needs fiatAmount".into());
        }
    } else if amount.is_none() || fiat_amount.is_some() || p.contains_key("fiatCurrency") {
        return Err("SINGLE takes the crypto amount only".into());
    }
    Ok((amount, fiat_amount))
}

pub(crate) fn mac(key: &str, body: &[u8]) -> String {
    let mut m = Hmac::<Sha512>::new_from_slice(key.as_bytes()).unwrap();
    m.update(body);
    hex::encode(m.finalize().into_bytes())
}

type Fields = HashMap<String, Box<RawValue>>;

fn text(fields: &Fields, key: &str) -> Result<String, String> {
    let raw = fields.get(key).ok_or(format!("{key} missing"))?;
    serde_json::from_str::<String>(raw.get()).map_err(|_| format!("{key} is not a string"))
}

/// Calypso's rules for every call, then the call itself.
fn logic(s: &mut Calypso, r: &Recorded, _base: &str) -> Result<(u16, String), String> {
    if r.method != reqwest::Method::POST {
        return Err("every call is a POST".into());
    }
    if r.header("content-type") != Some("application/json") {
        return Err("content-type must be application/json".into());
    }
    if r.header("key") != Some(API_KEY) {
        return Err("Key header must be the public API key".into());
    }
    if r.header("sign") != Some(mac(API_SECRET, &r.body).as_str()) {
        return Err("Sign is not the HMAC-SHA512 of the exact body".into());
    }
    let envelope: Fields = serde_json::from_slice(&r.body).map_err(|e| e.to_string())?;
    let mut keys: Vec<&str> = envelope.keys().map(String::as_str).collect();
    keys.sort();
    if keys != ["account", "payload", "timestamp"] {
        return Err(format!(
            "body keys must be timestamp, account, payload: {keys:?}"
        ));
    }
    let ts: i64 = envelope["timestamp"]
        .get()
        .parse()
        .map_err(|_| "timestamp")?;
    let now = checkout_server::domain::now_ms();
    if (now - ts).abs() > 180_000 {
        return Err("timestamp outside 3 minutes".into());
    }
    if text(&envelope, "account")? != ACCOUNT {
        return Err("wrong account".into());
    }
    let p: Fields = serde_json::from_str(envelope["payload"].get()).map_err(|e| e.to_string())?;
    let path = r.path.as_str();
    s.calls.push(path.to_owned());
    match path {
        "/api/v1/invoice/single/create" | "/api/v1/invoice/single-fiat/create" => {
            let key = text(&p, "idempotencyKey")?;
            uuid::Uuid::parse_str(&key).map_err(|_| "idempotencyKey must be a UUID")?;
            let fiat = path.ends_with("single-fiat/create");
            let (amount, fiat_amount) = create_amounts(&p, fiat)?;
            let currency = text(&p, "currency")?;
            let format = network_of(&currency).ok_or(format!(
                "unknown currency code {currency}: a token's code names its network"
            ))?;
            text(&p, "description")?;
            if let Some(existing) = s.invoices.iter().find(|i| i.key == key) {
                return Ok((200, render(existing)));
            }
            let (fiat_amount, fiat_currency) = match (fiat, s.fiat_answer.clone()) {
                (false, _) => (None, None),
                (true, Some((a, c))) => (Some(a), Some(c)),
                (true, None) => (fiat_amount, Some(text(&p, "fiatCurrency")?)),
            };
            let address = s
                .address_answer
                .clone()
                .unwrap_or_else(|| derive_address("calypso-emulator", &currency, &key, format));
            let inv = Inv {
                id: 1000 + s.invoices.len() as u64,
                key,
                amount: amount.unwrap_or_else(|| s.fiat_amount.clone()),
                total: "0".into(),
                currency,
                state: "PENDING_PAYMENT".into(),
                external_id: text(&p, "externalId")?,
                kind: if fiat { "SINGLE_FIAT" } else { "SINGLE" }.into(),
                address,
                fiat_amount,
                fiat_currency,
                ..Inv::default()
            };
            s.invoices.push(inv.clone());
            Ok((200, render(&inv)))
        }
        "/api/v1/invoice" => {
            let key = text(&p, "idempotencyKey")?;
            match s.invoices.iter().find(|i| i.key == key) {
                Some(i) => Ok((200, render(i))),
                None => Ok((404, r#"{"error":"not found"}"#.into())),
            }
        }
        "/api/v1/invoice/return-to-paid" | "/api/v1/invoice/close-intervention" => {
            let id: u64 = p
                .get("id")
                .ok_or("id missing")?
                .get()
                .trim_matches('"')
                .parse()
                .map_err(|_| "id")?;
            let inv = s
                .invoices
                .iter_mut()
                .find(|i| i.id == id)
                .ok_or("unknown invoice id")?;
            if s.refuse == Some(path) {
                return Ok((400, r#"{"error":"refused"}"#.into()));
            }
            intervention_in_order(inv, path)?;
            if path.ends_with("return-to-paid") {
                inv.state = "PAID".into();
                inv.returned = true;
            } else {
                inv.resolved = true;
            }
            let answer = render(inv);
            if let Some((_, pid)) = s.crash_after.filter(|(p, _)| *p == path) {
                std::process::Command::new("kill")
                    .args(["-KILL", &pid.to_string()])
                    .status()
                    .unwrap();
            }
            if s.lose_answer_to == Some(path) {
                return Ok((503, r#"{"error":"gateway timeout"}"#.into()));
            }
            Ok((200, answer))
        }
        "/api/v1/payment-widget/unlimited-linked/create" => {
            let key = text(&p, "idempotencyKey")?;
            text(&p, "externalId")?;
            if !p
                .get("cryptoCurrencies")
                .is_some_and(|c| c.get().starts_with('['))
            {
                return Err("cryptoCurrencies must be a list".into());
            }
            Ok((
                200,
                format!(r#"{{"idempotencyKey":"{key}","state":"IN_PROGRESS","invoices":[]}}"#),
            ))
        }
        "/api/v1/payment-widget/unlimited-linked/find" => {
            let key = text(&p, "idempotencyKey")?;
            let invoices: Vec<String> = s.invoices.iter().map(render).collect();
            Ok((
                200,
                format!(
                    r#"{{"data":{{"idempotencyKey":"{key}","state":"IN_PROGRESS","invoices":[{}]}}}}"#,
                    invoices.join(",")
                ),
            ))
        }
        "/api/v1/subscription/webhook/create" => subscribe(s, &p),
        other => Err(format!("no such endpoint {other}")),
    }
}

/// A webhook subscription: `url` and the events (`notificationServiceTypes: ["INVOICE"]` or a
/// list of `notificationEventTypes`); answers with the subscription's own key pair. Calypso
/// documents no de-duplication: every call creates another subscription.
fn subscribe(s: &mut Calypso, p: &Fields) -> Result<(u16, String), String> {
    let url = text(p, "url")?;
    if !url.starts_with("https://") {
        return Err("url must be an https address".into());
    }
    let list = |key: &str| -> Result<Option<Vec<String>>, String> {
        p.get(key)
            .map(|raw| serde_json::from_str(raw.get()).map_err(|_| format!("{key} is a list")))
            .transpose()
    };
    let services = list("notificationServiceTypes")?.unwrap_or_default();
    let events = list("notificationEventTypes")?.unwrap_or_default();
    let invoices =
        services.iter().any(|t| t == "INVOICE") || events.iter().any(|t| t.starts_with("INVOICE_"));
    if !invoices {
        return Err("subscribe to the INVOICE service or its events".into());
    }
    let n = s.subscriptions.len() + 1;
    let (public, secret) = (
        format!("sub-pk-{n}"),
        format!("sub-sk-{n}-{}", uuid::Uuid::new_v4()),
    );
    s.subscriptions
        .push((url.clone(), public.clone(), secret.clone()));
    Ok((
        200,
        format!(r#"{{"id":{n},"url":"{url}","publicKey":"{public}","secretKey":"{secret}"}}"#),
    ))
}

/// The documented order of an intervention's calls: return-to-paid only on an open
/// intervention still PENDING_INTERVENTION; close-intervention once, on an open intervention,
/// and after a return-to-paid only once the invoice is COMPLETED. Calypso does not say a call
/// may be repeated, so a repeat is refused too.
fn intervention_in_order(inv: &Inv, path: &str) -> Result<(), String> {
    if inv.intervention.is_none() {
        return Err(format!("{path} on an invoice without an intervention"));
    }
    if inv.resolved {
        return Err(format!("{path} on an intervention already closed"));
    }
    if path.ends_with("return-to-paid") {
        if inv.state != "PENDING_INTERVENTION" {
            return Err(format!("return-to-paid on a {} invoice", inv.state));
        }
    } else if inv.returned && inv.state != "COMPLETED" {
        return Err(format!(
            "close-intervention before COMPLETED (the invoice is {})",
            inv.state
        ));
    } else if !inv.returned && inv.state != "PENDING_INTERVENTION" {
        return Err(format!("close-intervention on a {} invoice", inv.state));
    }
    Ok(())
}

pub(crate) async fn emulator() -> Emulator<Calypso> {
    Emulator::start(
        Calypso {
            fiat_amount: "0.00041667".into(),
            ..Calypso::default()
        },
        logic,
    )
    .await
}

pub(crate) fn config(base: &str) -> CalypsoConfig {
    CalypsoConfig {
        base_url: base.to_owned(),
        account: ACCOUNT.into(),
        api_key: Secret::new(API_KEY),
        secret_key: Secret::new(API_SECRET),
        webhook_secret: Some(Secret::new(HOOK_SECRET)),
        webhook_key: Some(Secret::new(HOOK_KEY)),
        subscribe_on_start: false,
        http: HttpSettings {
            timeout: Duration::from_millis(300),
            retries: 2,
            backoff: Duration::from_millis(5),
        },
        currencies: currency_codes(),
    }
}

pub(crate) async fn app(emu: &Emulator<Calypso>) -> TestApp {
    let cfg = config(&emu.base);
    spawn_app_with(move |c| {
        c.provider = ProviderKind::Calypso;
        c.calypso = Some(cfg);
    })
    .await
}

/// A webhook body as Calypso sends it; `parent` is written as given (number or string).
pub(crate) fn event(id: &str, event_type: &str, key: &str, parent: &str) -> Vec<u8> {
    format!(
        r#"{{"requestId":"r-{id}","id":{id},"createdDate":"2026-11-22T00:00:00Z","level":"INFO","service":"INVOICE","eventType":"{event_type}","data":{{"parentExternalId":{parent},"idempotencyKey":"{key}","amount":0.00041667,"currency":"BTC","message":"m","type":"SINGLE"}}}}"#
    )
    .into_bytes()
}

async fn deliver(
    app: &TestApp,
    body: &[u8],
    sign: Option<String>,
    key: Option<&str>,
) -> (StatusCode, Value) {
    let mut req = app
        .client
        .post(app.url("/webhooks/calypso"))
        .header("content-type", "application/json")
        .body(body.to_vec());
    if let Some(s) = sign {
        req = req.header("Sign", s);
    }
    if let Some(k) = key {
        req = req.header("Key", k);
    }
    let resp = req.send().await.unwrap();
    (resp.status(), resp.json().await.unwrap_or(Value::Null))
}

pub(crate) async fn signed(app: &TestApp, body: &[u8]) -> Value {
    let (status, answer) = deliver(app, body, Some(mac(HOOK_SECRET, body)), Some(HOOK_KEY)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer
}

/// The idempotency key the server gave Calypso for the checkout's active payment.
pub(crate) fn key_of(view: &Value) -> String {
    payment_id(view).trim_start_matches("PAY-").to_owned()
}

#[tokio::test]
async fn calypso_fiat_checkout_runs_to_success_through_webhooks() {
    let emu = emulator().await;
    let app = app(&emu).await;
    let id = app.fixed_checkout("25.00", "USD").await;
    let view = app.pick(&id, "BTC", "BITCOIN", None).await;
    // Calypso converted: its amount (a JSON number) is what the payer is asked.
    assert_eq!(payment_amount(&view), "0.00041667");
    let key = key_of(&view);
    let address = emu.with(|s| s.inv(&key).address.clone());
    assert!(address.starts_with("bc1q"), "{address}");
    assert_eq!(view["payment"]["address"], address.as_str());
    let created = emu.requests_to("/api/v1/invoice/single-fiat/create");
    assert_eq!(created.len(), 1);
    let body: Value = serde_json::from_slice(&created[0].body).unwrap();
    assert_eq!(body["payload"]["fiatCurrency"], "USD");
    assert_eq!(body["payload"]["externalId"], id.as_str());
    assert_eq!(body["payload"]["currency"], "BTC");

    emu.with(|s| s.inv(&key).state = "MEM_POOL_FOUND".into());
    let ok = signed(&app, &event("1", "INVOICE_MEMPOOL_FOUND", &key, "12345")).await;
    assert_eq!(ok["status"], "applied");
    assert_eq!(app.status(&id).await["status"], "PENDING_PAYMENT");

    emu.with(|s| {
        let inv = s.inv(&key);
        inv.state = "PAID".into();
        inv.total = "0.00041667".into();
    });
    signed(
        &app,
        &event(
            "2",
            "INVOICE_PAID",
            &key,
            "\"6f0c1f7e-0000-4000-8000-000000000001\"",
        ),
    )
    .await;
    let status = app.status(&id).await;
    assert_eq!(status["status"], "SUCCESS", "{status}");
    let merchant = app.checkout(&id).await;
    assert_eq!(
        merchant["payments"][0]["providerState"], "PAID",
        "{merchant}"
    );
    // Every webhook made the server re-read the invoice.
    assert_eq!(emu.requests_to("/api/v1/invoice").len(), 2);
    emu.assert_clean();
}

#[tokio::test]
async fn calypso_intervention_is_resolved_through_the_merchant_api() {
    let emu = emulator().await;
    let app = app(&emu).await;

    // OVERPAY on a SINGLE invoice (priced in the coin) -> CONFLICT/OVERPAID -> MARK_PAID.
    let id = app.fixed_checkout("0.001", "BTC").await;
    let view = app.pick(&id, "BTC", "BITCOIN", None).await;
    let key = key_of(&view);
    assert_eq!(emu.requests_to("/api/v1/invoice/single/create").len(), 1);
    emu.with(|s| {
        let inv = s.inv(&key);
        inv.state = "PENDING_INTERVENTION".into();
        inv.intervention = Some("OVERPAY".into());
        // Within our own 0.5 % tolerance: only Calypso's verdict makes this a conflict.
        inv.total = "0.001002".into();
    });
    signed(
        &app,
        &event("10", "INVOICE_PENDING_INTERVENTION", &key, "1"),
    )
    .await;
    let status = app.status(&id).await;
    assert_eq!(
        (status["status"].as_str(), status["exception"].as_str()),
        (Some("CONFLICT"), Some("OVERPAID")),
        "{status}"
    );
    // The payer's widget is listening: it must see the outcome live.
    let mut stream = app
        .client
        .get(app.url(&format!("/api/v1/public/checkouts/{id}/events")))
        .send()
        .await
        .unwrap();
    let (code, resolved) = app.send(calls::resolve(&id, Resolution::MarkPaid)).await;
    let mut seen = String::new();
    while !seen.contains("\"status\":\"SUCCESS\"") {
        let chunk = tokio::time::timeout(Duration::from_secs(5), stream.chunk())
            .await
            .expect("the live stream went quiet")
            .unwrap()
            .expect("the live stream ended before SUCCESS");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert_eq!(code, StatusCode::OK, "{resolved}");
    assert_eq!(resolved["status"], "SUCCESS");
    let calls = emu.with(|s| s.calls.clone());
    let tail: Vec<&str> = calls
        .iter()
        .rev()
        .take(2)
        .rev()
        .map(String::as_str)
        .collect();
    // close-intervention waits for COMPLETED (providers_calypso_interventions.rs).
    assert_eq!(tail, ["/api/v1/invoice", "/api/v1/invoice/return-to-paid"]);
    emu.with(|s| assert!(!s.inv(&key).resolved && s.inv(&key).state == "PAID"));

    // UNDERPAY -> CONFLICT/UNDERPAID -> CLOSE: only close-intervention, checkout CANCELLED.
    let id = app.fixed_checkout("0.002", "BTC").await;
    let view = app.pick(&id, "BTC", "BITCOIN", None).await;
    let key = key_of(&view);
    emu.with(|s| {
        let inv = s.inv(&key);
        inv.state = "PENDING_INTERVENTION".into();
        inv.intervention = Some("UNDERPAY".into());
        inv.total = "0.001".into();
    });
    signed(
        &app,
        &event("11", "INVOICE_PENDING_INTERVENTION", &key, "2"),
    )
    .await;
    assert_eq!(app.status(&id).await["exception"], "UNDERPAID");
    let before = emu.requests_to("/api/v1/invoice/return-to-paid").len();
    let (code, closed) = app.send(calls::resolve(&id, Resolution::Close)).await;
    assert_eq!(
        (code, closed["status"].as_str()),
        (StatusCode::OK, Some("CANCELLED"))
    );
    assert_eq!(
        emu.requests_to("/api/v1/invoice/return-to-paid").len(),
        before
    );
    emu.with(|s| assert!(s.inv(&key).resolved));
    emu.assert_clean();
}

#[tokio::test]
async fn calypso_webhooks_are_verified_before_parsing() {
    let emu = emulator().await;
    let app = app(&emu).await;
    let id = app.fixed_checkout("0.001", "BTC").await;
    let view = app.pick(&id, "BTC", "BITCOIN", None).await;
    let body = event("20", "INVOICE_MEMPOOL_FOUND", &key_of(&view), "7");
    let good = mac(HOOK_SECRET, &body);

    let (s, e) = deliver(&app, &body, None, Some(HOOK_KEY)).await;
    assert_eq!(
        (s, error_of(&e).0.as_str()),
        (StatusCode::UNAUTHORIZED, "missing_signature")
    );
    let mut tampered = body.clone();
    let at = tampered.len() - 5;
    tampered[at] ^= 1;
    let (s, e) = deliver(&app, &tampered, Some(good.clone()), Some(HOOK_KEY)).await;
    assert_eq!(
        (s, error_of(&e).0.as_str()),
        (StatusCode::UNAUTHORIZED, "invalid_signature")
    );
    let (s, _) = deliver(
        &app,
        &body,
        Some(mac("wrong secret", &body)),
        Some(HOOK_KEY),
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = deliver(
        &app,
        &body,
        Some(good.clone()),
        Some("another subscription"),
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = deliver(&app, &body, Some(good.clone()), None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = deliver(&app, &body, Some("not hex".into()), Some(HOOK_KEY)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // Nothing unverified reached the provider or the checkout.
    assert!(emu.requests_to("/api/v1/invoice").is_empty());
    assert_eq!(app.status(&id).await["status"], "WAITING_PAYMENT");

    // Signed garbage is a 400, never a 500; a signed event without an id too.
    let garbage = b"{\"id\": [1]}".to_vec();
    let (s, e) = deliver(
        &app,
        &garbage,
        Some(mac(HOOK_SECRET, &garbage)),
        Some(HOOK_KEY),
    )
    .await;
    assert_eq!(
        (s, error_of(&e).0.as_str()),
        (StatusCode::BAD_REQUEST, "invalid_payload")
    );

    let (s, ok) = deliver(&app, &body, Some(good), Some(HOOK_KEY)).await;
    assert_eq!(
        (s, ok["status"].as_str()),
        (StatusCode::OK, Some("applied"))
    );
    emu.assert_clean();
}

#[tokio::test]
async fn calypso_duplicates_replays_and_out_of_order_deliveries_change_state_once() {
    let emu = emulator().await;
    let app = app(&emu).await;
    let id = app.fixed_checkout("0.001", "BTC").await;
    let view = app.pick(&id, "BTC", "BITCOIN", None).await;
    let key = key_of(&view);
    let version = |s: &Value| s["version"].as_u64().unwrap();
    let start = version(&app.status(&id).await);

    // The PAID event arrives before the mempool one it follows.
    emu.with(|s| {
        let inv = s.inv(&key);
        inv.state = "PAID".into();
        inv.total = "0.001".into();
    });
    let paid = event("31", "INVOICE_PAID", &key, "3");
    let mempool = event("30", "INVOICE_MEMPOOL_FOUND", &key, "3");
    assert_eq!(signed(&app, &paid).await["status"], "applied");
    let after_paid = app.status(&id).await;
    assert_eq!(after_paid["status"], "SUCCESS");
    assert_eq!(version(&after_paid), start + 1);
    // The late, older event re-reads PAID: no second transition.
    assert_eq!(signed(&app, &mempool).await["status"], "applied");
    // The same deliveries again (duplicates, and a replay of an old one later on).
    assert_eq!(signed(&app, &paid).await["status"], "duplicate");
    assert_eq!(signed(&app, &mempool).await["status"], "duplicate");
    assert_eq!(version(&app.status(&id).await), start + 1);
    // Duplicates are answered without even asking Calypso again.
    assert_eq!(emu.requests_to("/api/v1/invoice").len(), 2);
    emu.assert_clean();
}

pub(crate) fn new_invoice(amount: Option<&str>) -> NewInvoice {
    let catalogue = Catalogue::new(&Default::default());
    NewInvoice {
        payment_id: format!("PAY-{}", uuid::Uuid::new_v4()),
        checkout_id: "CCO-test".into(),
        coin: catalogue.coin("BTC", "BITCOIN").unwrap().clone(),
        amount: amount.map(|a| protocol::Amount::parse(a).unwrap()),
        fiat: amount.is_none().then(|| protocol::Money {
            amount: protocol::Amount::parse("25").unwrap(),
            currency: "USD".into(),
        }),
        expires_at_ms: checkout_server::domain::now_ms() + 3_600_000,
        title: "Mug".into(),
        return_url: None,
        reserved_ref: None,
        payer_contact: None,
    }
}

#[tokio::test]
async fn calypso_client_retries_5xx_and_timeouts_only_and_reads_awkward_answers() {
    let emu = emulator().await;
    let provider = CalypsoProvider::new(config(&emu.base)).unwrap();

    // 5xx then a timeout, then success: three attempts, one invoice (same idempotency key).
    emu.fault(Fault::Status(503));
    emu.fault(Fault::Delay(Duration::from_millis(600)));
    let request = new_invoice(Some("0.00100000"));
    let snap = provider.create_invoice(&request).await.unwrap();
    assert_eq!(emu.requests_to("/api/v1/invoice/single/create").len(), 3);
    assert_eq!(emu.with(|s| s.invoices.len()), 1);
    assert_eq!(snap.provider_state, "PENDING_PAYMENT");

    // A 4xx is never retried.
    emu.fault(Fault::Status(400));
    let before = emu.requests().len();
    assert!(provider.fetch_invoice(&snap.provider_ref, 8).await.is_err());
    assert_eq!(emu.requests().len(), before + 1);

    // 5xx every time: three attempts, then an error that names no secret.
    for _ in 0..3 {
        emu.fault(Fault::Status(500));
    }
    let err = provider
        .fetch_invoice(&snap.provider_ref, 8)
        .await
        .unwrap_err();
    let text = format!("{err:#}");
    assert!(
        text.contains("500") && !text.contains(API_SECRET) && !text.contains(API_KEY),
        "{text}"
    );

    // Malformed JSON is an error, not a panic.
    emu.fault(Fault::Body("{\"id\": 1000, \"amount\": "));
    assert!(provider.fetch_invoice(&snap.provider_ref, 8).await.is_err());

    // Amounts beyond f64's precision, and an unknown state kept raw (never a success).
    emu.with(|s| {
        let inv = s.inv(&snap.provider_ref);
        inv.amount = "0.00100000".into();
        inv.total = "0.000999999999999999999".into();
        inv.state = "QUANTUM_SUPERPOSITION".into();
    });
    let read = provider.fetch_invoice(&snap.provider_ref, 8).await.unwrap();
    assert_eq!(read.provider_state, "QUANTUM_SUPERPOSITION");
    assert_eq!(read.funds.seen_units, 99_999);
    assert_eq!(read.funds.confirmed_units, 0);
    assert_eq!(read.funds.signal, None::<ProviderSignal>);

    // The linked widget: created, then found (answer wrapped in `data`) with its invoices.
    let widget = checkout_server::providers::calypso::NewLinkedWidget {
        crypto_currencies: vec!["BTC".into(), "ETH".into()],
        description: "Donations".into(),
        idempotency_key: uuid::Uuid::new_v4().to_string(),
        external_id: "W-1".into(),
        return_url: None,
        support_url: None,
        logo_url: None,
    };
    let created = provider.create_linked_widget(&widget).await.unwrap();
    assert_eq!(created.state.as_deref(), Some("IN_PROGRESS"));
    let found = provider
        .find_linked_widget(&widget.idempotency_key)
        .await
        .unwrap();
    assert_eq!(found.invoices.len(), 1);
    assert_eq!(found.invoices[0].id.as_deref(), Some("1000"));
    emu.assert_clean();
}

#[tokio::test]
async fn calypso_parent_external_id_may_be_a_number_or_a_string() {
    let emu = emulator().await;
    let provider = CalypsoProvider::new(config(&emu.base)).unwrap();
    for parent in [
        "123456789012345678901",
        "\"6f0c1f7e-0000-4000-8000-000000000001\"",
        "null",
    ] {
        let notice = provider
            .parse_webhook(&event("99", "INVOICE_PAID", "k-1", parent))
            .unwrap();
        assert_eq!(
            (notice.event_id.as_str(), notice.provider_ref.as_deref()),
            ("99", Some("k-1"))
        );
    }
    // A string event id works too.
    let body = br#"{"id":"evt-a","eventType":"INVOICE_PAID","data":{"idempotencyKey":"k-2"}}"#;
    assert_eq!(provider.parse_webhook(body).unwrap().event_id, "evt-a");
}

/// The environment that points a server process at the emulator (later entries override).
pub(crate) fn process_env(emu: &Emulator<Calypso>) -> Vec<(&'static str, String)> {
    vec![
        ("CHECKOUT_MERCHANT_API_KEY", MERCHANT_KEY.to_owned()),
        ("CHECKOUT_PROVIDER", "calypso".to_owned()),
        ("CHECKOUT_CALYPSO_BASE_URL", emu.base.clone()),
        ("CHECKOUT_CALYPSO_ACCOUNT", ACCOUNT.to_owned()),
        ("CHECKOUT_CALYPSO_API_KEY", API_KEY.to_owned()),
        ("CHECKOUT_CALYPSO_API_SECRET", API_SECRET.to_owned()),
        ("CHECKOUT_CALYPSO_WEBHOOK_SECRET", HOOK_SECRET.to_owned()),
        ("CHECKOUT_CALYPSO_WEBHOOK_KEY", HOOK_KEY.to_owned()),
    ]
}

#[tokio::test]
async fn calypso_keys_never_reach_a_log_line_or_a_response() {
    let emu = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let db = TestDatabase::new().await;
    let mut env = process_env(&emu);
    env.extend(db.env());
    env.extend([
        ("RUST_LOG", "debug".to_owned()),
        ("CHECKOUT_CALYPSO_TIMEOUT", "300ms".to_owned()),
        ("CHECKOUT_CALYPSO_BACKOFF", "5ms".to_owned()),
    ]);
    let server = crate::process::ServerProcess::start(dir.path(), &env).await;
    let client = reqwest::Client::new();
    let mut answers = String::new();
    let created: Value = client
        .post(format!("{}/api/v1/checkouts", server.base))
        .bearer_auth(MERCHANT_KEY)
        .json(&json!({"name": "Mug", "type": "FIXED_PRICE", "fixedAmount": {"amount": "25", "currency": "USD"}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    // A provider failure on the way, so its error path is logged too.
    emu.fault(Fault::Status(503));
    let picked = client
        .post(format!(
            "{}/api/v1/public/checkouts/{id}/payment",
            server.base
        ))
        .json(&json!({"currency": "BTC", "network": "BITCOIN"}))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    answers.push_str(&picked);
    let view: Value = serde_json::from_str(&picked).unwrap();
    let key = key_of(&view);
    emu.with(|s| s.inv(&key).state = "SOMETHING_NEW".into());
    let body = event("77", "INVOICE_MEMPOOL_FOUND", &key, "5");
    let hook = client
        .post(format!("{}/webhooks/calypso", server.base))
        .header("Sign", mac(HOOK_SECRET, &body))
        .header("Key", HOOK_KEY)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(hook.status(), StatusCode::OK);
    let bad = client
        .post(format!("{}/webhooks/calypso", server.base))
        .header("Sign", "00")
        .header("Key", HOOK_KEY)
        .body("{}")
        .send()
        .await
        .unwrap();
    answers.push_str(&bad.text().await.unwrap());
    for path in [
        format!("/api/v1/checkouts/{id}"),
        "/api/openapi.json".to_owned(),
    ] {
        let text = client
            .get(format!("{}{path}", server.base))
            .bearer_auth(MERCHANT_KEY)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        answers.push_str(&text);
    }
    let logs = server.terminate();
    assert!(
        logs.contains("SOMETHING_NEW"),
        "the unknown state is logged: {logs}"
    );
    for secret in [API_KEY, API_SECRET, HOOK_KEY, HOOK_SECRET] {
        assert!(!logs.contains(secret), "{secret} in the logs");
        assert!(!answers.contains(secret), "{secret} in a response");
    }
    emu.assert_clean();
}

/// The app on the emulator, re-reading open payments every 100 ms.
async fn reconciling_app(emu: &Emulator<Calypso>) -> TestApp {
    let cfg = config(&emu.base);
    spawn_app_with(move |c| {
        c.provider = ProviderKind::Calypso;
        c.calypso = Some(cfg);
        reconcile_quickly(c);
    })
    .await
}

fn pay_in_full(emu: &Emulator<Calypso>, key: &str) {
    emu.with(|s| {
        let inv = s.inv(key);
        inv.state = "PAID".into();
        inv.total = "0.001".into();
    });
}

#[tokio::test]
async fn calypso_payment_whose_webhooks_never_arrive_reaches_success_by_reconciliation() {
    let emu = emulator().await;
    let app = reconciling_app(&emu).await;
    let id = app.fixed_checkout("0.001", "BTC").await;
    let view = app.pick(&id, "BTC", "BITCOIN", None).await;
    pay_in_full(&emu, &key_of(&view));
    // Not one webhook is delivered.
    app.wait_for_status(&id, "SUCCESS").await;
    let report = app
        .wait_for_reconciliation("no open payment", |r| r["openPayments"] == 0)
        .await;
    assert_eq!(report["providers"]["calypso"]["failing"], false);
    emu.assert_clean();
}

#[tokio::test]
async fn calypso_answering_5xx_for_a_while_is_reported_failing_then_recovers() {
    let emu = emulator().await;
    let app = reconciling_app(&emu).await;
    let id = app.fixed_checkout("0.001", "BTC").await;
    let view = app.pick(&id, "BTC", "BITCOIN", None).await;
    pay_in_full(&emu, &key_of(&view));
    // Three re-reads' worth of 503s (each re-read is tried three times by the client).
    for _ in 0..9 {
        emu.fault(Fault::Status(503));
    }
    let report = app
        .wait_for_reconciliation("calypso reported failing", |r| {
            r["providers"]["calypso"]["failing"] == true
        })
        .await;
    assert!(report["providers"]["calypso"]["consecutiveFailures"].as_u64() >= Some(2));
    app.wait_for_status(&id, "SUCCESS").await;
    let report = app
        .wait_for_reconciliation("calypso healthy again", |r| {
            r["providers"]["calypso"]["failing"] == false
        })
        .await;
    assert_eq!(report["providers"]["calypso"]["consecutiveFailures"], 0);
    emu.assert_clean();
}

#[tokio::test]
async fn calypso_checkout_paid_without_a_webhook_is_never_expired_with_the_funds_ignored() {
    let emu = emulator().await;
    // No reconciliation passes: the expiry itself must ask Calypso first.
    let app = app(&emu).await;
    let id = app.expiring_checkout("0.001", "BTC", 1_500).await;
    let view = app.pick(&id, "BTC", "BITCOIN", None).await;
    pay_in_full(&emu, &key_of(&view));
    tokio::time::sleep(Duration::from_millis(1_800)).await;
    let status = app.status(&id).await;
    assert_ne!(status["status"], "EXPIRED", "{status}");
    let paid = status["status"] == "SUCCESS"
        || (status["status"] == "CONFLICT" && status["exception"] == "PAID_LATE");
    assert!(paid, "{status}");
    emu.assert_clean();
}

#[tokio::test]
async fn calypso_payments_paid_while_the_server_was_down_are_reconciled_at_start_up() {
    let emu = emulator().await;
    let mut app = app(&emu).await;
    let id = app.fixed_checkout("0.001", "BTC").await;
    let view = app.pick(&id, "BTC", "BITCOIN", None).await;
    app.restart().await;
    pay_in_full(&emu, &key_of(&view));
    app.restart().await;
    // Restarted with no webhook delivered: the start-up pass re-reads the open payment.
    app.wait_for_status(&id, "SUCCESS").await;
    emu.assert_clean();
}

#[tokio::test]
async fn with_a_real_provider_the_sandbox_has_no_routes() {
    let emu = emulator().await;
    let app = app(&emu).await;
    let (status, body) = app
        .raw_post("/webhooks/sandbox", false, b"{}".to_vec())
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    // Nor is any checkout a test.
    let id = app.fixed_checkout("0.001", "BTC").await;
    let (_, view) = app
        .public_get(&format!("/api/v1/public/checkouts/{id}"))
        .await;
    assert_eq!(view["test"], false, "{view}");
    let (status, body) = app
        .merchant_post("/api/v1/sandbox/payments/PAY-x/pay", json!({"amount": "1"}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
}

#[tokio::test]
async fn calypso_event_fields_the_server_ignores_cannot_make_a_valid_delivery_fail() {
    let emu = emulator().await;
    let app = app(&emu).await;
    let id = app.fixed_checkout("0.001", "BTC").await;
    let view = app.pick(&id, "BTC", "BITCOIN", None).await;
    let key = key_of(&view);
    emu.with(|s| {
        let inv = s.inv(&key);
        inv.state = "PAID".into();
        inv.total = "0.001".into();
    });
    // An absurd amount, an unknown currency and an extra field: none of them is used (the
    // invoice is re-read), so the delivery is applied, not refused for the provider to retry.
    let body = format!(
        r#"{{"requestId":"r-77","id":77,"createdDate":"2026-11-22T00:00:00Z","level":"INFO","service":"INVOICE","eventType":"INVOICE_PAID","data":{{"parentExternalId":1,"idempotencyKey":"{key}","amount":1e999,"currency":{{"odd":true}},"somethingNew":[1]}}}}"#
    )
    .into_bytes();
    assert_eq!(signed(&app, &body).await["status"], "applied");
    assert_eq!(app.status(&id).await["status"], "SUCCESS");
    emu.assert_clean();
}

#[tokio::test]
async fn calypso_archived_unpaid_invoice_is_never_shown_again_and_a_new_pick_opens_a_new_one() {
    let emu = emulator().await;
    let app = app(&emu).await;
    let id = app.fixed_checkout("0.001", "BTC").await;
    let first = app.pick(&id, "BTC", "BITCOIN", None).await;
    let key = key_of(&first);
    // Nobody paid in time: Calypso archives the invoice and says so.
    emu.with(|s| s.inv(&key).state = "ARCHIVED".into());
    let archived = event("90", "INVOICE_EXPIRED", &key, "3");
    assert_eq!(signed(&app, &archived).await["status"], "applied");
    let (code, view) = app
        .public_get(&format!("/api/v1/public/checkouts/{id}"))
        .await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(view["status"], "NEW", "{view}");
    assert!(
        view["payment"].is_null(),
        "the dead address is gone: {view}"
    );
    // The same coin again: a new invoice, not the archived one.
    let second = app.pick(&id, "BTC", "BITCOIN", None).await;
    assert_ne!(key_of(&second), key);
    assert_eq!(emu.with(|s| s.invoices.len()), 2);
    emu.assert_clean();
}

/// A pick that must be refused: the payer gets the provider error, no address is shown, and
/// the checkout offers its coins again.
async fn assert_pick_refused(app: &TestApp, id: &str, currency: &str, network: &str) {
    let (code, answer) = app.pick_raw(id, currency, network, None).await;
    assert_eq!(
        (code, error_of(&answer).0.as_str()),
        (StatusCode::BAD_GATEWAY, "provider_refused"),
        "retrying cannot help: {answer}"
    );
    assert!(answer["payment"].is_null(), "{answer}");
    let (_, view) = app
        .public_get(&format!("/api/v1/public/checkouts/{id}"))
        .await;
    assert!(view["payment"].is_null(), "no address is shown: {view}");
    assert_eq!(view["status"], "NEW", "{view}");
}

#[tokio::test]
async fn calypso_fiat_price_goes_in_the_fiat_fields_and_the_answer_must_carry_it() {
    let emu = emulator().await;
    let app = app(&emu).await;
    let id = app.fixed_checkout("25.00", "USD").await;
    let view = app.pick(&id, "BTC", "BITCOIN", None).await;
    assert_eq!(payment_amount(&view), "0.00041667");
    let created = emu.requests_to("/api/v1/invoice/single-fiat/create");
    let body: Value = serde_json::from_slice(&created[0].body).unwrap();
    let raw = String::from_utf8_lossy(&created[0].body).into_owned();
    assert!(
        raw.contains(r#""fiatAmount":25.00"#),
        "a JSON number: {raw}"
    );
    assert_eq!(body["payload"]["fiatCurrency"], "USD");
    assert!(body["payload"].get("amount").is_none(), "{body}");

    // Calypso answers with another price, then another currency: refused, nothing shown.
    for (amount, currency) in [("24.99", "USD"), ("25.00", "EUR")] {
        emu.with(|s| s.fiat_answer = Some((amount.into(), currency.into())));
        let id = app.fixed_checkout("25.00", "USD").await;
        assert_pick_refused(&app, &id, "BTC", "BITCOIN").await;
    }
    // The same price written with other digits is the same price.
    emu.with(|s| s.fiat_answer = Some(("25.0".into(), "USD".into())));
    let id = app.fixed_checkout("25.00", "USD").await;
    app.pick(&id, "BTC", "BITCOIN", None).await;

    // The merchant's log names the reason (the provider's error says it).
    let provider = CalypsoProvider::new(config(&emu.base)).unwrap();
    emu.with(|s| s.fiat_answer = Some(("2500".into(), "USD".into())));
    let err = provider
        .create_invoice(&new_invoice(None))
        .await
        .unwrap_err();
    let text = format!("{err:#}");
    assert!(
        text.contains("refused") && text.contains("2500 USD") && text.contains("25 USD"),
        "{text}"
    );
    emu.assert_clean();
}

#[tokio::test]
async fn calypso_tokens_are_sent_by_their_network_code_and_addresses_checked_per_network() {
    let emu = emulator().await;
    let app = app(&emu).await;
    let mut codes = Vec::new();
    for (network, prefix) in [("TRON", "T"), ("ETHEREUM", "0x")] {
        let id = app.fixed_checkout("10", "USDT").await;
        let view = app.pick(&id, "USDT", network, None).await;
        let address = view["payment"]["address"].as_str().unwrap().to_owned();
        assert!(address.starts_with(prefix), "{network}: {address}");
        let created = emu.requests_to("/api/v1/invoice/single/create");
        let body: Value = serde_json::from_slice(&created.last().unwrap().body).unwrap();
        codes.push(body["payload"]["currency"].as_str().unwrap().to_owned());
    }
    assert_eq!(codes, ["USDT_TRC20", "USDT_ERC20"]);

    // A TRON invoice answered with an Ethereum address is never shown.
    emu.with(|s| s.address_answer = Some("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed".into()));
    let id = app.fixed_checkout("10", "USDT").await;
    assert_pick_refused(&app, &id, "USDT", "TRON").await;
    // Nor a Bitcoin invoice answered with a Litecoin address.
    emu.with(|s| {
        s.address_answer = Some(derive_address(
            "x",
            "LITECOIN",
            "PAY-1",
            AddressFormat::Bech32P2wpkh { hrp: "ltc" },
        ))
    });
    let id = app.fixed_checkout("0.001", "BTC").await;
    assert_pick_refused(&app, &id, "BTC", "BITCOIN").await;
    emu.assert_clean();
}

#[tokio::test]
async fn calypso_token_without_a_network_code_is_refused_before_calypso_is_asked() {
    let emu = emulator().await;
    let mut cfg = config(&emu.base);
    // A bare `USDT` names no network: not enough for a token.
    cfg.currencies = [("USDT".to_owned(), "USDT".to_owned())].into();
    let app = spawn_app_with(move |c| {
        c.provider = ProviderKind::Calypso;
        c.calypso = Some(cfg);
    })
    .await;
    let id = app.fixed_checkout("10", "USDT").await;
    assert_pick_refused(&app, &id, "USDT", "TRON").await;
    assert!(emu.requests_to("/api/v1/invoice/single/create").is_empty());
    // A network's own coin needs no mapping.
    let id = app.fixed_checkout("1", "TRX").await;
    let view = app.pick(&id, "TRX", "TRON", None).await;
    assert!(view["payment"]["address"]
        .as_str()
        .unwrap()
        .starts_with('T'));
    emu.assert_clean();
}

const PUBLIC_URL: &str = "https://shop.example";

/// The app on the emulator with no webhook keys configured: only a subscription gives them.
async fn unsubscribed_app(emu: &Emulator<Calypso>, on_start: bool) -> TestApp {
    let mut cfg = config(&emu.base);
    cfg.webhook_secret = None;
    cfg.webhook_key = None;
    cfg.subscribe_on_start = on_start;
    spawn_app_with(move |c| {
        c.provider = ProviderKind::Calypso;
        c.calypso = Some(cfg);
        c.public_url = Some(PUBLIC_URL.into());
    })
    .await
}

/// `body` as Calypso sends it to the subscription for our URL: signed with its secret key,
/// its public key in `Key`.
async fn from_subscription(
    emu: &Emulator<Calypso>,
    app: &TestApp,
    body: &[u8],
) -> (StatusCode, Value) {
    let url = format!("{PUBLIC_URL}/webhooks/calypso");
    let (_, public, secret) = emu.with(|s| {
        s.subscriptions
            .iter()
            .find(|(u, _, _)| *u == url)
            .cloned()
            .expect("a subscription for our URL")
    });
    deliver(app, body, Some(mac(&secret, body)), Some(&public)).await
}

/// `checkout-server calypso subscribe`, configured by the environment to share `app`'s data.
async fn subscribe_command(emu: &Emulator<Calypso>, app: &TestApp) -> Value {
    let env = [
        (
            "CHECKOUT_DATA_DIR",
            app.config.data_dir.display().to_string(),
        ),
        ("CHECKOUT_PUBLIC_URL", PUBLIC_URL.to_owned()),
        ("CHECKOUT_CALYPSO_BASE_URL", emu.base.clone()),
        ("CHECKOUT_CALYPSO_ACCOUNT", ACCOUNT.to_owned()),
        ("CHECKOUT_CALYPSO_API_KEY", API_KEY.to_owned()),
        ("CHECKOUT_CALYPSO_API_SECRET", API_SECRET.to_owned()),
    ]
    .into_iter()
    // On PostgreSQL the keys are kept in the database, beside the checkouts.
    .chain(
        app.config
            .database_url
            .as_ref()
            .map(|url| ("CHECKOUT_DATABASE_URL", url.expose().to_owned())),
    )
    .collect::<Vec<_>>();
    // Off the test's runtime, which serves the emulator meanwhile.
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_checkout-server"))
            .args(["calypso", "subscribe"])
            .env_remove("CHECKOUT_CONFIG")
            .envs(env)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains(API_SECRET), "{stderr}");
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test]
async fn calypso_subscribe_command_stores_the_keys_webhooks_are_verified_with_once() {
    let emu = emulator().await;
    let app = unsubscribed_app(&emu, false).await;
    let id = app.fixed_checkout("0.001", "BTC").await;
    let key = key_of(&app.pick(&id, "BTC", "BITCOIN", None).await);
    let body = event("50", "INVOICE_MEMPOOL_FOUND", &key, "1");
    // No keys yet: nothing verifies, whatever it is signed with.
    let (code, _) = deliver(&app, &body, Some(mac(HOOK_SECRET, &body)), Some(HOOK_KEY)).await;
    assert_eq!(code, StatusCode::UNAUTHORIZED);

    let done = subscribe_command(&emu, &app).await;
    let url = format!("{PUBLIC_URL}/webhooks/calypso");
    assert_eq!(done, json!({"url": url, "created": true}));
    assert_eq!(emu.with(|s| s.subscriptions.len()), 1);
    let created = emu.requests_to("/api/v1/subscription/webhook/create");
    let sent: Value = serde_json::from_slice(&created[0].body).unwrap();
    assert_eq!(
        sent["payload"],
        json!({"url": url, "notificationServiceTypes": ["INVOICE"]})
    );

    // The running server verifies with the stored keys, and only with them.
    emu.with(|s| s.inv(&key).state = "MEM_POOL_FOUND".into());
    let (code, answer) = from_subscription(&emu, &app, &body).await;
    assert_eq!(
        (code, answer["status"].as_str()),
        (StatusCode::OK, Some("applied"))
    );
    let other = event("51", "INVOICE_PAID", &key, "1");
    let (code, _) = deliver(
        &app,
        &other,
        Some(mac(HOOK_SECRET, &other)),
        Some("sub-pk-1"),
    )
    .await;
    assert_eq!(code, StatusCode::UNAUTHORIZED);

    // A second run finds the stored subscription and asks Calypso nothing.
    let again = subscribe_command(&emu, &app).await;
    assert_eq!(again["created"], false);
    assert_eq!(
        emu.requests_to("/api/v1/subscription/webhook/create").len(),
        1
    );
    assert_eq!(emu.with(|s| s.subscriptions.len()), 1);
    emu.assert_clean();
}

#[tokio::test]
async fn calypso_subscribes_at_start_up_when_configured_and_only_once() {
    let emu = emulator().await;
    let mut app = unsubscribed_app(&emu, true).await;
    assert_eq!(emu.with(|s| s.subscriptions.len()), 1);
    let id = app.fixed_checkout("0.001", "BTC").await;
    let key = key_of(&app.pick(&id, "BTC", "BITCOIN", None).await);
    pay_in_full(&emu, &key);
    let (code, _) = from_subscription(&emu, &app, &event("60", "INVOICE_PAID", &key, "1")).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(app.status(&id).await["status"], "SUCCESS");
    app.restart().await;
    assert_eq!(
        emu.requests_to("/api/v1/subscription/webhook/create").len(),
        1
    );
    // A configured webhook_secret overrides the stored keys.
    let mut cfg = config(&emu.base);
    cfg.webhook_key = None;
    let configured = spawn_app_with(move |c| {
        c.provider = ProviderKind::Calypso;
        c.calypso = Some(cfg);
        c.public_url = Some(PUBLIC_URL.into());
        c.data_dir = app.config.data_dir.clone();
    })
    .await;
    let body = event("61", "INVOICE_PAID", &key, "1");
    let (code, _) = from_subscription(&emu, &configured, &body).await;
    assert_eq!(code, StatusCode::UNAUTHORIZED);
    emu.assert_clean();
}

/// On PostgreSQL the subscription's keys are in the database: an instance that did not
/// subscribe verifies the webhooks too, and does not subscribe again at its start.
#[tokio::test]
async fn calypso_instances_on_one_database_share_one_subscription() {
    if !on_postgres() {
        eprintln!("several instances need PostgreSQL: this test runs in the PostgreSQL run");
        return;
    }
    let emu = emulator().await;
    let first = unsubscribed_app(&emu, true).await;
    let second = first.second_instance().await;
    assert_eq!(emu.with(|s| s.subscriptions.len()), 1);
    let id = first.fixed_checkout("0.001", "BTC").await;
    let key = key_of(&first.pick(&id, "BTC", "BITCOIN", None).await);
    pay_in_full(&emu, &key);
    let (code, _) = from_subscription(&emu, &second, &event("70", "INVOICE_PAID", &key, "1")).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(second.status(&id).await["status"], "SUCCESS");
    emu.assert_clean();
}

#[tokio::test]
async fn calypso_reusable_widgets_are_not_mirrored_to_a_linked_widget() {
    let emu = emulator().await;
    let app = app(&emu).await;
    let key = uuid::Uuid::new_v4().to_string();
    let body = json!({
        "idempotencyKey": key, "externalId": "user-42", "description": "Top up",
        "type": "NO_PRICE", "amountCurrency": "USD", "minAmount": "5", "maxAmount": "500",
        "currencies": [{"code": "BTC", "network": "BITCOIN"}],
        "returnUrl": "https://shop.example/back",
    });
    let (code, widget) = app.send(calls::create_widget(&body)).await;
    assert_eq!(code, StatusCode::CREATED, "{widget}");
    // Creating the widget asks Calypso for nothing: no hosted page we would not follow.
    assert!(emu.requests().is_empty());
    // A visit opens a checkout of ours; the payer's pick opens one invoice we broker.
    let open = format!("/api/v1/public/widgets/{key}/checkouts");
    let (_, visit) = app.public_post(&open, json!(null)).await;
    let id = visit["id"].as_str().unwrap();
    app.pick(id, "BTC", "BITCOIN", Some("20")).await;
    let calls = emu.with(|s| s.calls.clone());
    assert_eq!(calls, ["/api/v1/invoice/single-fiat/create"]);
    emu.assert_clean();
}
