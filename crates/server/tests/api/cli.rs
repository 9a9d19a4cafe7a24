//! The binary itself: configuration from the environment, the `listening on` line, the client
//! subcommands, graceful shutdown on SIGTERM, and no secret in the logs.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::helpers::*;

const BIN: &str = env!("CARGO_BIN_EXE_checkout-server");
const KEY: &str = "sk_cli_test_secret_value";

fn client(args: &[&str], server: &str) -> Value {
    let out = Command::new(BIN)
        .args(args)
        .args(["--server", server])
        .env("CHECKOUT_MERCHANT_API_KEY", KEY)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test]
async fn serve_from_env_then_client_commands_then_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDatabase::new().await;
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("CHECKOUT_DATA_DIR", dir.path())
        .envs(db.env())
        .env("CHECKOUT_MERCHANT_API_KEY", KEY)
        .env("CHECKOUT_SANDBOX_BLOCK_INTERVAL", "100ms")
        .env("RUST_LOG", "debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut stderr = child.stderr.take().unwrap();
    let logs = std::thread::spawn(move || {
        let mut all = String::new();
        let _ = stderr.read_to_string(&mut all);
        all
    });
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        line
    })
    .await
    .unwrap();
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("first line was {line:?}"))
        .to_owned();
    // The SQLite file holds the store and the sandbox ledger, unless both are in PostgreSQL.
    assert_eq!(
        dir.path().join("checkout.db").exists(),
        !crate::helpers::on_postgres()
    );

    let server = base.clone();
    let created = tokio::task::spawn_blocking(move || {
        client(
            &[
                "checkout",
                "create",
                "--amount",
                "25",
                "--currency",
                "USD",
                "--client-order-id",
                "cli-1",
            ],
            &server,
        )
    })
    .await
    .unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["clientOrderId"], "cli-1");

    let http = reqwest::Client::new();
    let view: Value = http
        .post(format!("{base}/api/v1/public/checkouts/{id}/payment"))
        .json(&serde_json::json!({"currency": "BTC", "network": "BITCOIN"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (pid, amount) = (payment_id(&view), payment_amount(&view));
    let server = base.clone();
    let tx =
        tokio::task::spawn_blocking(move || client(&["sandbox", "pay", &pid, &amount], &server))
            .await
            .unwrap();
    assert!(tx["txid"].is_string());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let status: Value = http
            .get(format!("{base}/api/v1/public/checkouts/{id}/status"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if status["status"] == "SUCCESS" {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{status}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let exit = tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
    assert!(exit.success(), "{exit:?}");
    let logs = logs.join().unwrap();
    assert!(logs.contains("shutting down"), "{logs}");
    assert!(!logs.contains(KEY), "the merchant key reached the logs");
    assert!(!logs.contains(WEBHOOK_SECRET) && !logs.contains("whsec_sandbox_demo_change_me"));
}

/// `CHECKOUT_LOG_FORMAT=json`: every line the server logs is one JSON object a collector can
/// index (the request lines carry their route as a field); an unknown format refuses to start.
#[tokio::test]
async fn json_logs_are_one_object_per_line_and_an_unknown_format_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDatabase::new().await;
    let mut env = vec![
        ("CHECKOUT_LOG_FORMAT", "json".to_owned()),
        ("CHECKOUT_MERCHANT_API_KEY", KEY.to_owned()),
    ];
    env.extend(db.env());
    let server = crate::process::ServerProcess::start(dir.path(), &env).await;
    let health = reqwest::get(format!("{}/healthz", server.base))
        .await
        .unwrap();
    assert!(health.status().is_success());
    let logs = server.terminate();
    let lines: Vec<Value> = logs
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line:?}")))
        .collect();
    assert!(lines.len() >= 3, "{logs}");
    assert!(lines
        .iter()
        .all(|l| l["level"].is_string() && l["timestamp"].is_string()));
    assert!(
        lines.iter().any(|l| l["span"]["route"] == "/healthz"),
        "no request line with its route as a field: {logs}"
    );
    assert!(!logs.contains(KEY));

    let refused = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("CHECKOUT_DATA_DIR", dir.path())
        .env("CHECKOUT_LOG_FORMAT", "xml")
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains("log_format") || said.contains("CHECKOUT_LOG_FORMAT"),
        "{said}"
    );
}
