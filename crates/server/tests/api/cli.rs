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
    assert!(dir.path().join("checkout.db").exists());

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
