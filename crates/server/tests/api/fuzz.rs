//! Property-based fuzzing of every input the server parses: each request body type, each
//! provider's webhook parser and signature check, the notification signature header, and every
//! POST route end to end (in-process). The promise: no input makes the server panic or answer
//! 5xx; every refusal is a 4xx in the one error envelope.
//!
//! `PROPTEST_CASES` sets the number of cases (the test run uses the defaults below; `cargo
//! xtask fuzz` runs thousands). Test names start with `fuzz_` so the xtask can select them.

use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use checkout_server::config::{Config, Overrides, Secret};
use checkout_server::notify::signature::{header_value, parse_header, DEFAULT_TOLERANCE};
use checkout_server::notify::verify;
use checkout_server::providers::sandbox::{sign, SIGNATURE_HEADER};
use checkout_server::routes::extract::parse_json;
use checkout_server::routes::merchant::{
    CreateCheckoutRequest, CreateWidgetRequest, ResolveRequest, SandboxPayRequest,
};
use checkout_server::Server;
use proptest::prelude::*;
use protocol::PickCurrencyRequest;
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::helpers::{test_config, TestDatabase, MERCHANT_KEY, WEBHOOK_SECRET};

/// `PROPTEST_CASES` when set, else `default`.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn config(default: u32) -> ProptestConfig {
    ProptestConfig {
        cases: cases(default),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Field names the server knows, so generated objects reach deep validation paths.
const FIELDS: &[&str] = &[
    "name",
    "type",
    "fixedAmount",
    "amount",
    "currency",
    "network",
    "amountCurrency",
    "minAmount",
    "maxAmount",
    "suggestedAmounts",
    "currencies",
    "code",
    "clientOrderId",
    "expiresAt",
    "returnUrl",
    "supportUrl",
    "logoUrl",
    "description",
    "idempotencyKey",
    "externalId",
    "action",
    "id",
    "invoiceRef",
    "createdAt",
];

const WORDS: &[&str] = &[
    "FIXED_PRICE",
    "NO_PRICE",
    "SUGGESTED_FIXED_PRICE",
    "USD",
    "EUR",
    "BTC",
    "BITCOIN",
    "USDT",
    "TRON",
    "ETHEREUM",
    "MARK_PAID",
    "CLOSE",
    "25.00",
    "0",
    "-1",
    "1e9",
    "0.000000001",
    "99999999999999999999999999999999",
    "2026-01-01T00:00:00Z",
    "https://shop.example",
    "javascript:alert(1)",
    "",
    "\u{0}",
    "3f0c2a9e-1b7d-4e5f-8a6b-9c0d1e2f3a4b",
];

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|n| json!(n)),
        prop::sample::select(WORDS).prop_map(|w| json!(w)),
        ".{0,40}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(FIELDS), inner), 0..10).prop_map(|pairs| {
                Value::Object(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
            }),
        ]
    })
}

/// Arbitrary bytes, JSON-looking text, and structured JSON.
fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..300),
        ".{0,200}".prop_map(String::into_bytes),
        json_value().prop_map(|v| serde_json::to_vec(&v).unwrap()),
    ]
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn fuzz_request_body_types_refuse_with_a_4xx(bytes in body()) {
        for err in [
            parse_json::<CreateCheckoutRequest>(&bytes).err(),
            parse_json::<CreateWidgetRequest>(&bytes).err(),
            parse_json::<PickCurrencyRequest>(&bytes).err(),
            parse_json::<ResolveRequest>(&bytes).err(),
            parse_json::<SandboxPayRequest>(&bytes).err(),
        ].into_iter().flatten() {
            prop_assert!(err.status().is_client_error(), "{err}");
        }
    }

    #[test]
    fn fuzz_notification_signatures_parse_anything_and_round_trip(
        header in ".{0,120}",
        body in prop::collection::vec(any::<u8>(), 0..200),
        secret in "[ -~]{1,40}",
        t in 0i64..4_000_000_000,
    ) {
        let _ = parse_header(&header);
        let _ = verify(&body, &header, &[&secret], DEFAULT_TOLERANCE, SystemTime::now());
        let signed = header_value(&[&secret], t, &body);
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs(t as u64);
        prop_assert_eq!(verify(&body, &signed, &[&secret], DEFAULT_TOLERANCE, at), Ok(()));
    }
}

/// One server for the route-level targets, with every provider configured (unreachable: the
/// parsers and signature checks are what is exercised), on a runtime that outlives the cases.
/// Being static, it is never dropped: on PostgreSQL its database stays until the test server
/// goes (`cargo xtask test` removes the whole cluster).
struct Fixture {
    runtime: tokio::runtime::Runtime,
    server: Server,
    _dir: tempfile::TempDir,
    _database: TestDatabase,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let env = |k: &str| -> Option<String> {
            Some(match k {
                "CHECKOUT_CALYPSO_BASE_URL"
                | "CHECKOUT_INQUD_BASE_URL"
                | "CHECKOUT_COINSPH_BASE_URL" => "http://127.0.0.1:9".into(),
                "CHECKOUT_CALYPSO_ACCOUNT" => "acc".into(),
                "CHECKOUT_INQUD_PROJECT_ID" => "CAP-1".into(),
                "CHECKOUT_COINSPH_RECEIVING_ACCOUNT" => "acct".into(),
                k if [
                    "API_KEY",
                    "API_SECRET",
                    "WEBHOOK_SECRET",
                    "WEBHOOK_KEY",
                    "MERCHANT_API_TOKEN",
                ]
                .iter()
                .any(|suffix| k.ends_with(suffix)) =>
                {
                    "fuzz-secret".into()
                }
                _ => return None,
            })
        };
        let providers = Config::load(None, &env, Overrides::default()).unwrap();
        let database = runtime.block_on(TestDatabase::new());
        let mut config = Config {
            calypso: providers.calypso,
            inqud: providers.inqud,
            coinsph: providers.coinsph,
            ..test_config(dir.path())
        };
        database.apply(&mut config);
        let server = runtime.block_on(checkout_server::start(config)).unwrap();
        Fixture {
            runtime,
            server,
            _dir: dir,
            _database: database,
        }
    })
}

fn send(request: Request<Body>) -> (StatusCode, Vec<u8>) {
    let f = fixture();
    let app = checkout_server::app(f.server.state.clone());
    f.runtime.block_on(async move {
        let response = app.oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        (status, bytes.to_vec())
    })
}

/// A checkout to aim the id routes at.
fn known_checkout() -> &'static str {
    static ID: OnceLock<String> = OnceLock::new();
    ID.get_or_init(|| {
        let (status, body) = send(
            Request::post("/api/v1/checkouts")
                .header("authorization", format!("Bearer {MERCHANT_KEY}"))
                .header("content-type", "application/json")
                .body(Body::from(
                    r#"{"name":"fuzz","type":"NO_PRICE","amountCurrency":"USD"}"#,
                ))
                .unwrap(),
        );
        assert_eq!(status, StatusCode::CREATED);
        serde_json::from_slice::<Value>(&body).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    })
}

fn assert_not_5xx(route: &str, status: StatusCode, body: &[u8]) -> Result<(), TestCaseError> {
    prop_assert!(
        !status.is_server_error(),
        "{route}: {status} {}",
        String::from_utf8_lossy(body)
    );
    if status.is_client_error() {
        let v: Value = serde_json::from_slice(body)
            .map_err(|e| TestCaseError::fail(format!("{route}: {e}")))?;
        prop_assert!(v["error"]["code"].is_string(), "{route}: {v}");
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn fuzz_every_post_route_answers_any_body_without_a_server_error(bytes in body(), merchant: bool) {
        let id = known_checkout();
        let routes = [
            "/api/v1/checkouts".to_owned(),
            "/api/v1/widgets".to_owned(),
            format!("/api/v1/checkouts/{id}/resolve"),
            format!("/api/v1/checkouts/{id}/cancel"),
            format!("/api/v1/public/checkouts/{id}/payment"),
            "/api/v1/sandbox/payments/PAY-00000000-0000-4000-8000-000000000000/pay".to_owned(),
            "/api/v1/deliveries/evt_x/redeliver".to_owned(),
        ];
        for route in routes {
            let mut req = Request::post(route.as_str()).header("content-type", "application/json");
            if merchant {
                req = req.header("authorization", format!("Bearer {MERCHANT_KEY}"));
            }
            let (status, body) = send(req.body(Body::from(bytes.clone())).unwrap());
            assert_not_5xx(&route, status, &body)?;
        }
    }

    #[test]
    fn fuzz_webhook_endpoints_answer_any_request_without_a_server_error(
        bytes in body(),
        header in ".{0,80}",
        signed: bool,
    ) {
        for route in ["/webhooks/sandbox", "/webhooks/calypso", "/webhooks/inqud", "/webhooks/coinsph"] {
            let signature = if signed && route == "/webhooks/sandbox" {
                sign(&Secret::new(WEBHOOK_SECRET), &bytes)
            } else {
                header.clone()
            };
            let mut req = Request::post(route).header("content-type", "application/json");
            for name in [SIGNATURE_HEADER, "authorization", "key", "sign", "x-signature", "signature"] {
                if let Ok(v) = axum::http::HeaderValue::from_str(&signature) {
                    req = req.header(name, v);
                }
            }
            let (status, body) = send(req.body(Body::from(bytes.clone())).unwrap());
            assert_not_5xx(route, status, &body)?;
        }
    }

    #[test]
    fn fuzz_every_provider_webhook_parser_and_signature_check_refuse_cleanly(
        bytes in body(),
        header in ".{0,80}",
    ) {
        let f = fixture();
        let state = &f.server.state;
        for name in ["sandbox", "calypso", "inqud", "coinsph"] {
            let provider = state.provider_named(name).unwrap();
            let _ = provider.parse_webhook(&bytes);
            let mut headers = axum::http::HeaderMap::new();
            if let Ok(v) = axum::http::HeaderValue::from_str(&header) {
                for h in [SIGNATURE_HEADER, "authorization", "key", "sign"] {
                    headers.insert(axum::http::HeaderName::from_static(h), v.clone());
                }
            }
            let verified = f.runtime.block_on(provider.verify_webhook(&headers, &bytes));
            prop_assert!(verified.is_err(), "{name} accepted a forgery");
        }
    }
}
