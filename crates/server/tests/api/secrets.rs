//! No configured secret ever leaves the server: not in any response (public or merchant), not
//! in any log line at the default level, not in the widget's built files.

use std::path::{Path, PathBuf};
use std::time::Duration;

use checkout_server::config::{Config, Overrides};
use checkout_server::providers::sandbox::{sign, SIGNATURE_HEADER};
use serde_json::{json, Value};

use crate::helpers::{TestDatabase, DATABASE_PASSWORD};
use crate::process::ServerProcess;
use crate::receiver::Receiver;

const MERCHANT: &str = "sk_live_SECRET_merchant_5f2a9c";
const SANDBOX_WEBHOOK: &str = "whsec_SECRET_sandbox_77d1e0";
const SANDBOX_SEED: &str = "SECRET_seed_a91b3c";
const NOTIFY_NEW: &str = "whsec_SECRET_notify_new_1c2d";
const NOTIFY_OLD: &str = "whsec_SECRET_notify_old_3e4f";
/// The real providers' credentials (configured, though the sandbox opens the payments).
const PROVIDER_SECRETS: [(&str, &str); 11] = [
    ("CHECKOUT_CALYPSO_API_KEY", "SECRET_calypso_key_11aa"),
    ("CHECKOUT_CALYPSO_API_SECRET", "SECRET_calypso_secret_22bb"),
    (
        "CHECKOUT_CALYPSO_WEBHOOK_SECRET",
        "SECRET_calypso_hook_33cc",
    ),
    (
        "CHECKOUT_CALYPSO_WEBHOOK_KEY",
        "SECRET_calypso_hookkey_44dd",
    ),
    ("CHECKOUT_INQUD_API_KEY", "SECRET_inqud_id_55ee"),
    ("CHECKOUT_INQUD_API_SECRET", "SECRET_inqud_secret_66ff"),
    ("CHECKOUT_INQUD_WEBHOOK_SECRET", "SECRET_inqud_hook_77aa"),
    ("CHECKOUT_COINSPH_API_KEY", "SECRET_coins_key_88bb"),
    ("CHECKOUT_COINSPH_API_SECRET", "SECRET_coins_secret_99cc"),
    (
        "CHECKOUT_COINSPH_MERCHANT_API_TOKEN",
        "SECRET_coins_token_00dd",
    ),
    ("CHECKOUT_SANDBOX_SEED", SANDBOX_SEED),
];
const SECRETS: [&str; 6] = [
    DATABASE_PASSWORD,
    MERCHANT,
    SANDBOX_WEBHOOK,
    SANDBOX_SEED,
    NOTIFY_NEW,
    NOTIFY_OLD,
];

/// Status line, headers and body of one exchange, as text to search.
async fn record(resp: reqwest::Response, seen: &mut String) -> Value {
    seen.push_str(&format!("{} {:?}\n", resp.status(), resp.headers()));
    let text = resp.text().await.unwrap_or_default();
    seen.push_str(&text);
    seen.push('\n');
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

#[tokio::test]
async fn no_secret_appears_in_any_response_or_any_default_log_line() {
    let receiver = Receiver::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut env: Vec<(&str, String)> = vec![
        ("CHECKOUT_MERCHANT_API_KEY", MERCHANT.into()),
        ("CHECKOUT_SANDBOX_WEBHOOK_SECRET", SANDBOX_WEBHOOK.into()),
        ("CHECKOUT_SANDBOX_BLOCK_INTERVAL", "50ms".into()),
        ("CHECKOUT_NOTIFY_URL", receiver.url.clone()),
        (
            "CHECKOUT_NOTIFY_SECRETS",
            format!("{NOTIFY_NEW},{NOTIFY_OLD}"),
        ),
        ("CHECKOUT_NOTIFY_POLL_INTERVAL", "20ms".into()),
        // Unreachable on purpose: only the secrets matter here.
        ("CHECKOUT_CALYPSO_BASE_URL", "http://127.0.0.1:9".into()),
        ("CHECKOUT_CALYPSO_ACCOUNT", "acc_1".into()),
        ("CHECKOUT_INQUD_BASE_URL", "http://127.0.0.1:9".into()),
        ("CHECKOUT_INQUD_PROJECT_ID", "CAP-1".into()),
        ("CHECKOUT_COINSPH_BASE_URL", "http://127.0.0.1:9".into()),
        ("CHECKOUT_COINSPH_RECEIVING_ACCOUNT", "acct-1".into()),
    ];
    env.extend(PROVIDER_SECRETS.iter().map(|(k, v)| (*k, v.to_string())));
    let db = TestDatabase::new().await;
    env.extend(db.env());
    let server = ServerProcess::start(&dir.path().join("data"), &env).await;
    let base = server.base.clone();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let mut seen = String::new();
    let merchant = |req: reqwest::RequestBuilder| req.bearer_auth(MERCHANT);

    record(
        http.get(format!("{base}/healthz")).send().await.unwrap(),
        &mut seen,
    )
    .await;
    record(
        http.get(format!("{base}/api/openapi.json"))
            .send()
            .await
            .unwrap(),
        &mut seen,
    )
    .await;
    let created = record(
        merchant(http.post(format!("{base}/api/v1/checkouts")))
            .json(
                &json!({"clientOrderId": "s-1", "name": "x", "type": "FIXED_PRICE",
                          "fixedAmount": {"amount": "10", "currency": "USD"}}),
            )
            .send()
            .await
            .unwrap(),
        &mut seen,
    )
    .await;
    let id = created["id"].as_str().unwrap().to_owned();
    let widget = "9a7c1e52-4b3d-4f68-a0e1-2c3d4e5f6a7b";
    record(
        merchant(http.post(format!("{base}/api/v1/widgets")))
            .json(&json!({"idempotencyKey": widget, "amountCurrency": "USD"}))
            .send()
            .await
            .unwrap(),
        &mut seen,
    )
    .await;
    let picked = record(
        http.post(format!("{base}/api/v1/public/checkouts/{id}/payment"))
            .json(&json!({"currency": "BTC", "network": "BITCOIN"}))
            .send()
            .await
            .unwrap(),
        &mut seen,
    )
    .await;
    let payment = picked["payment"]["id"].as_str().unwrap().to_owned();
    record(
        merchant(http.post(format!("{base}/api/v1/sandbox/payments/{payment}/pay")))
            .json(&json!({"amount": picked["payment"]["amount"]}))
            .send()
            .await
            .unwrap(),
        &mut seen,
    )
    .await;
    // Wrong keys, the merchant key sent to a public route, bad bodies, forged webhooks.
    for path in [
        format!("/api/v1/public/checkouts/{id}"),
        format!("/api/v1/public/checkouts/{id}/status"),
        "/api/v1/public/checkouts/CCO-nope".to_owned(),
        format!("/api/v1/checkouts/{id}"),
        "/api/v1/checkouts".to_owned(),
        format!("/api/v1/widgets/{widget}"),
        "/api/v1/deliveries".to_owned(),
        "/no/such/route".to_owned(),
    ] {
        for auth in [MERCHANT, "sk_wrong"] {
            let resp = http
                .get(format!("{base}{path}"))
                .bearer_auth(auth)
                .send()
                .await
                .unwrap();
            record(resp, &mut seen).await;
        }
    }
    record(
        http.post(format!("{base}/api/v1/public/widgets/{widget}/checkouts"))
            .send()
            .await
            .unwrap(),
        &mut seen,
    )
    .await;
    record(
        merchant(http.post(format!("{base}/api/v1/checkouts")))
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap(),
        &mut seen,
    )
    .await;
    let forged = br#"{"id":"e1","type":"invoice.updated","invoiceRef":"x","createdAt":"2026-01-01T00:00:00Z"}"#;
    for signature in [
        "sha256=00".to_owned(),
        sign(
            &checkout_server::config::Secret::new(SANDBOX_WEBHOOK),
            forged,
        ),
    ] {
        let resp = http
            .post(format!("{base}/webhooks/sandbox"))
            .header(SIGNATURE_HEADER, signature)
            .body(forged.to_vec())
            .send()
            .await
            .unwrap();
        record(resp, &mut seen).await;
    }
    for provider in ["calypso", "inqud", "coinsph"] {
        for auth in [MERCHANT, "Token nope"] {
            let resp = http
                .post(format!("{base}/webhooks/{provider}"))
                .header("authorization", auth)
                .header("key", "nope")
                .header("sign", "00")
                .header("content-type", "application/json")
                .body(r#"{"id":"x","status":"PAID"}"#)
                .send()
                .await
                .unwrap();
            record(resp, &mut seen).await;
        }
    }
    let events = http
        .get(format!("{base}/api/v1/public/checkouts/{id}/events"))
        .send()
        .await
        .unwrap();
    let mut events = events;
    seen.push_str(&format!("{:?}", events.headers()));
    if let Ok(Ok(Some(chunk))) = tokio::time::timeout(Duration::from_secs(2), events.chunk()).await
    {
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    // The notifications went out, so the signing code ran too.
    receiver
        .wait_until(10, |got| {
            got.iter().any(|r| r.json()["status"] == "SUCCESS")
        })
        .await;
    record(
        merchant(http.get(format!("{base}/api/v1/deliveries")))
            .send()
            .await
            .unwrap(),
        &mut seen,
    )
    .await;

    let logs = server.terminate();
    assert!(
        logs.lines().count() > 20,
        "the default level logs requests:\n{logs}"
    );
    let provider_secrets = PROVIDER_SECRETS.iter().map(|(_, v)| *v);
    for secret in SECRETS.into_iter().chain(provider_secrets) {
        assert!(!seen.contains(secret), "a response contains {secret}");
        assert!(!logs.contains(secret), "the logs contain {secret}:\n{logs}");
    }
}

/// The secrets a deployment may hold by default or by copying the example file, and any given
/// to this test's environment.
fn known_secrets() -> Vec<String> {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("checkout.example.toml");
    let mut configs = vec![Config::default()];
    configs.push(Config::load(Some(&example), &|_| None, Overrides::default()).unwrap());
    // As the demo, which is the one mode that starts without a key of the operator's own.
    let demo = Overrides {
        demo: true,
        ..Overrides::default()
    };
    configs.push(Config::load(None, &|k| std::env::var(k).ok(), demo).unwrap());
    let mut secrets = Vec::new();
    for c in configs {
        secrets.push(c.merchant_api_key.expose().to_owned());
        secrets.push(c.sandbox.webhook_secret.expose().to_owned());
        secrets.push(c.sandbox.seed.expose().to_owned());
        secrets.extend(c.notify.secrets.iter().map(|s| s.expose().to_owned()));
        if let Some(p) = &c.calypso {
            let optional = p.webhook_key.iter();
            for s in [&p.api_key, &p.secret_key]
                .into_iter()
                .chain(&p.webhook_secret)
                .chain(optional)
            {
                secrets.push(s.expose().to_owned());
            }
        }
        for chain in c.evm.chains.values() {
            secrets.push(chain.rpc_url.expose().to_owned());
        }
        if let Some(p) = &c.inqud {
            for s in [&p.api_id, &p.api_secret, &p.webhook_secret] {
                secrets.push(s.expose().to_owned());
            }
        }
        if let Some(p) = &c.coinsph {
            for s in [&p.api_key, &p.api_secret, &p.merchant_api_token] {
                secrets.push(s.expose().to_owned());
            }
        }
    }
    secrets.sort();
    secrets.dedup();
    secrets
}

fn files_under(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).unwrap() {
            files_under(&entry.unwrap().path(), out);
        }
    } else if path.is_file() {
        out.push(path.to_owned());
    }
}

/// The built widget when `E2E_DIST` or `CHECKOUT_TEST_DIST` names it (`cargo xtask test` sets
/// it); otherwise the widget's sources, which is what the build is made from.
#[test]
fn no_configured_secret_is_in_the_widget_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let targets: Vec<PathBuf> =
        match std::env::var("E2E_DIST").or_else(|_| std::env::var("CHECKOUT_TEST_DIST")) {
            Ok(dist) => vec![PathBuf::from(dist)],
            Err(_) => ["src", "widget.js", "index.html", "style"]
                .iter()
                .map(|p| root.join(p))
                .collect(),
        };
    let mut files = Vec::new();
    for t in &targets {
        files_under(t, &mut files);
    }
    assert!(!files.is_empty(), "nothing to check in {targets:?}");
    let secrets = known_secrets();
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        for secret in &secrets {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{} contains a configured secret",
                file.display()
            );
        }
    }
}
