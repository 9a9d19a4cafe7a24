//! The EVM provider against a real node (anvil): deposit addresses from the xpub, native and
//! ERC-20 payments found in blocks and logs, confirmations as the chain grows,
//! reorganisations, a restart of the server between blocks, and the node down for a while.

use std::collections::BTreeMap;
use std::time::Duration;

use checkout_server::config::{ChainConfig, Config, NativeCoin, ProviderKind, Secret, TokenConfig};
use checkout_server::providers::evm::deposit::DepositKeys;
use protocol::Amount;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::anvil::{units, Anvil};
use crate::helpers::*;

/// BIP32 test vector 1's master public key: any xpub works, nobody needs to spend.
const XPUB: &str = "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8";
const NETWORK: &str = "LOCAL";
const CONFIRMATIONS: u32 = 3;

fn rate(text: &str) -> BTreeMap<String, Amount> {
    BTreeMap::from([("USD".to_owned(), Amount::parse(text).unwrap())])
}

/// The server watching `anvil` as chain `LOCAL` (ETH, and USDT at `token` when given).
fn watch(c: &mut Config, anvil: &Anvil, token: Option<&str>) {
    c.evm.chains = BTreeMap::from([(NETWORK.to_owned(), chain_of(anvil, token))]);
    watch_quickly(c);
}

/// Polls fast, prices ETH at 2000 USD and USDT at 1.
fn watch_quickly(c: &mut Config) {
    c.provider = ProviderKind::Evm;
    c.evm.poll_interval = Duration::from_millis(50);
    c.evm.rpc_timeout = Duration::from_secs(2);
    c.evm.max_backoff = Duration::from_millis(300);
    c.evm.rates = BTreeMap::from([
        ("ETH".to_owned(), rate("2000")),
        ("USDT".to_owned(), rate("1")),
    ]);
}

/// `anvil` as a configured chain: ETH, and USDT at `token` when given.
fn chain_of(anvil: &Anvil, token: Option<&str>) -> ChainConfig {
    let tokens = token
        .map(|contract| {
            let usdt = TokenConfig {
                contract: contract.to_owned(),
                decimals: 6,
                name: "Test Tether".into(),
            };
            BTreeMap::from([("USDT".to_owned(), usdt)])
        })
        .unwrap_or_default();
    ChainConfig {
        chain_id: anvil.chain_id,
        rpc_url: Secret::new(anvil.url()),
        name: "Local chain".into(),
        native: Some(NativeCoin {
            code: "ETH".into(),
            name: "Ether".into(),
            decimals: 18,
        }),
        tokens,
        confirmations: CONFIRMATIONS,
        xpub: XPUB.into(),
    }
}

/// A 20 USD checkout paid in `coin`: its id, and the payment view's address and amount due.
async fn picked(app: &TestApp, coin: &str) -> (String, String, String) {
    let id = app.fixed_checkout("20", "USD").await;
    let view = app.pick(&id, coin, NETWORK, None).await;
    let address = view["payment"]["address"].as_str().unwrap().to_owned();
    (id, address, payment_amount(&view))
}

async fn status_is(app: &TestApp, id: &str, status: &str, exception: Value) -> Value {
    let s = app.wait_for_status(id, status).await;
    assert_eq!(s["exception"], exception, "{s}");
    s
}

#[tokio::test]
async fn a_native_payment_is_found_and_confirmed_as_the_chain_grows() {
    let anvil = Anvil::start().await;
    let app = spawn_app_with(|c| watch(c, &anvil, None)).await;
    let (id, address, amount) = picked(&app, "ETH").await;
    assert_eq!(amount, "0.010000000000000000");
    let keys = DepositKeys::parse(XPUB).unwrap();
    assert_eq!(address, keys.address(0).unwrap(), "index 0 of the xpub");
    let view = app
        .public_get(&format!("/api/v1/public/checkouts/{id}"))
        .await
        .1;
    let uri = view["payment"]["walletUri"].as_str().unwrap();
    assert_eq!(
        uri,
        format!("ethereum:{address}@31337?value=10000000000000000")
    );

    let payer = anvil.account(1).await;
    anvil.send_wei(&payer, &address, units(&amount, 18)).await;
    let pending = status_is(&app, &id, "PENDING_PAYMENT", Value::Null).await;
    assert_eq!(pending["confirmations"], 1, "{pending}");
    anvil.mine(1).await;
    wait_for(&app, &id, |s| s["confirmations"] == 2).await;
    assert_eq!(app.status(&id).await["status"], "PENDING_PAYMENT");
    anvil.mine(1).await;
    let paid = status_is(&app, &id, "SUCCESS", Value::Null).await;
    assert_eq!(paid["amountPaid"], amount);

    // The next payment gets the next index.
    let (_, second, _) = picked(&app, "ETH").await;
    assert_eq!(second, keys.address(1).unwrap());
}

/// Two instances on one PostgreSQL database watch the chain once between them (the second
/// only follows, as its health says), and the other takes over when the watching one stops.
#[tokio::test]
async fn two_instances_watch_a_chain_once_and_the_other_takes_over_when_it_stops() {
    if !on_postgres() {
        eprintln!("several instances need PostgreSQL: this test runs in the PostgreSQL run");
        return;
    }
    let anvil = Anvil::start().await;
    let mut first = spawn_app_with(|c| watch(c, &anvil, None)).await;
    let second = first.second_instance().await;
    let key = checkout_server::providers::evm::watcher::leader_key(anvil.chain_id);
    let health = wait_for_health(&second, |h| h["watchedByAnotherInstance"] == true).await;
    assert!(
        health["head"].is_null(),
        "a follower reads nothing: {health}"
    );
    let watching = crate::instances::lock_holder(&first, key).await;
    assert!(watching.is_some(), "the first instance watches");

    let payer = anvil.account(1).await;
    let (id, address, amount) = picked(&second, "ETH").await;
    anvil.send_wei(&payer, &address, units(&amount, 18)).await;
    anvil.mine(CONFIRMATIONS as u64).await;
    status_is(&second, &id, "SUCCESS", Value::Null).await;

    first.server.take().unwrap().stop().await.unwrap();
    let (id, address, amount) = picked(&second, "ETH").await;
    anvil.send_wei(&payer, &address, units(&amount, 18)).await;
    anvil.mine(CONFIRMATIONS as u64).await;
    status_is(&second, &id, "SUCCESS", Value::Null).await;
    let now = crate::instances::lock_holder(&second, key).await;
    assert!(now.is_some() && now != watching, "the second took over");
    wait_for_health(&second, |h| h["watchedByAnotherInstance"] == false).await;
}

#[tokio::test]
async fn a_token_payment_is_found_in_the_transfer_logs() {
    let anvil = Anvil::start().await;
    let owner = anvil.account(0).await;
    let token = anvil.deploy_token(&owner, 1_000_000_000_000).await;
    let app = spawn_app_with(|c| watch(c, &anvil, Some(&token))).await;
    let (id, address, amount) = picked(&app, "USDT").await;
    assert_eq!(amount, "20.000000");
    // Ether sent to a token payment's address is not the token.
    anvil.send_wei(&owner, &address, 1_000).await;
    anvil
        .send_token(&token, &owner, &address, units(&amount, 6))
        .await;
    status_is(&app, &id, "PENDING_PAYMENT", Value::Null).await;
    anvil.mine(2).await;
    let paid = status_is(&app, &id, "SUCCESS", Value::Null).await;
    assert_eq!(paid["amountPaid"], amount);
}

#[tokio::test]
async fn underpaid_then_the_rest_and_overpaid() {
    let anvil = Anvil::start().await;
    let payer = anvil.account(2).await;
    let app = spawn_app_with(|c| watch(c, &anvil, None)).await;
    let (id, address, amount) = picked(&app, "ETH").await;
    let due = units(&amount, 18);
    anvil.send_wei(&payer, &address, due / 2).await;
    anvil.mine(2).await;
    status_is(&app, &id, "CONFLICT", json!("UNDERPAID")).await;
    anvil.send_wei(&payer, &address, due - due / 2).await;
    status_is(&app, &id, "PENDING_PAYMENT", Value::Null).await;
    anvil.mine(2).await;
    let paid = status_is(&app, &id, "SUCCESS", Value::Null).await;
    assert_eq!(paid["amountPaid"], amount, "each transfer counted once");

    let (over, address, amount) = picked(&app, "ETH").await;
    anvil
        .send_wei(&payer, &address, units(&amount, 18) * 2)
        .await;
    anvil.mine(2).await;
    status_is(&app, &over, "CONFLICT", json!("OVERPAID")).await;
}

#[tokio::test]
async fn a_payment_after_the_expiry_is_paid_late() {
    let anvil = Anvil::start().await;
    let app = spawn_app_with(|c| watch(c, &anvil, None)).await;
    let id = app.expiring_checkout("20", "USD", 1500).await;
    let view = app.pick(&id, "ETH", NETWORK, None).await;
    app.wait_for_status(&id, "EXPIRED").await;
    // Block times are whole seconds: the block must be clearly after the expiry.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let address = view["payment"]["address"].as_str().unwrap();
    let payer = anvil.account(3).await;
    let due = units(&payment_amount(&view), 18);
    anvil.send_wei(&payer, address, due).await;
    anvil.mine(2).await;
    status_is(&app, &id, "CONFLICT", json!("PAID_LATE")).await;
}

#[tokio::test]
async fn a_reorganisation_uncounts_a_payment_and_counts_it_again_when_it_lands_again() {
    let anvil = Anvil::start().await;
    let app = spawn_app_with(|c| watch(c, &anvil, None)).await;
    let (id, address, amount) = picked(&app, "ETH").await;
    let before = anvil.rpc("evm_snapshot", json!([])).await;
    let payer = anvil.account(4).await;
    let tx = anvil.send_wei(&payer, &address, units(&amount, 18)).await;
    status_is(&app, &id, "PENDING_PAYMENT", Value::Null).await;
    let raw = anvil.rpc("eth_getRawTransactionByHash", json!([tx])).await;

    // The block holding the payment is replaced by a longer chain without it.
    anvil.rpc("evm_revert", json!([before])).await;
    anvil.mine(3).await;
    let back = status_is(&app, &id, "WAITING_PAYMENT", Value::Null).await;
    assert_eq!(units(back["amountPaid"].as_str().unwrap(), 18), 0, "{back}");

    // The same transaction lands again: counted again, once.
    anvil.rpc("eth_sendRawTransaction", json!([raw])).await;
    status_is(&app, &id, "PENDING_PAYMENT", Value::Null).await;
    anvil.mine(2).await;
    let paid = status_is(&app, &id, "SUCCESS", Value::Null).await;
    assert_eq!(paid["amountPaid"], amount);
}

#[tokio::test]
async fn the_server_catches_up_in_batches_after_a_restart_between_blocks() {
    let anvil = Anvil::start().await;
    let mut app = spawn_app_with(|c| {
        watch(c, &anvil, None);
        c.evm.batch_blocks = 2;
    })
    .await;
    let (id, address, amount) = picked(&app, "ETH").await;
    let (late, late_address, late_amount) = picked(&app, "ETH").await;
    let payer = anvil.account(5).await;
    anvil.send_wei(&payer, &address, units(&amount, 18)).await;
    status_is(&app, &id, "PENDING_PAYMENT", Value::Null).await;

    app.server.take().unwrap().stop().await.unwrap();
    anvil.mine(3).await;
    anvil
        .send_wei(&payer, &late_address, units(&late_amount, 18))
        .await;
    anvil.mine(4).await;
    app.start_again().await;

    let paid = status_is(&app, &id, "SUCCESS", Value::Null).await;
    assert_eq!(paid["amountPaid"], amount);
    let found = status_is(&app, &late, "SUCCESS", Value::Null).await;
    assert_eq!(
        found["amountPaid"], late_amount,
        "found while catching up, once"
    );
}

#[tokio::test]
async fn a_node_down_for_a_while_shows_in_health_and_nothing_is_missed() {
    let dir = tempfile::tempdir().unwrap();
    let mut anvil = Anvil::start_keeping(&dir.path().join("chain.json")).await;
    let app = spawn_app_with(|c| watch(c, &anvil, None)).await;
    let (id, address, amount) = picked(&app, "ETH").await;
    wait_for_health(&app, |chain| {
        chain["failing"] == false && chain["head"].is_u64()
    })
    .await;

    anvil.stop();
    let down = wait_for_health(&app, |chain| chain["failing"] == true).await;
    assert!(
        down["lastError"]
            .as_str()
            .unwrap()
            .contains("eth_blockNumber"),
        "{down}"
    );
    assert!(
        !down.to_string().contains(&anvil.url()),
        "no node URL in health"
    );
    let (code, _) = app
        .public_get(&format!("/api/v1/public/checkouts/{id}"))
        .await;
    assert_eq!(code, StatusCode::OK, "the widget keeps working");

    anvil.start_again().await;
    let payer = anvil.account(6).await;
    anvil.send_wei(&payer, &address, units(&amount, 18)).await;
    anvil.mine(2).await;
    let paid = status_is(&app, &id, "SUCCESS", Value::Null).await;
    assert_eq!(paid["amountPaid"], amount);
    wait_for_health(&app, |chain| chain["failing"] == false).await;
}

#[tokio::test]
async fn two_chains_side_by_side_each_with_its_coins_confirmations_and_chain_id() {
    let local = Anvil::start().await;
    let side = Anvil::start_chain(137).await;
    let owner = side.account(0).await;
    let token = side.deploy_token(&owner, 1_000_000_000).await;
    let app = spawn_app_with(|c| {
        let mut other = chain_of(&side, Some(&token));
        other.native = None;
        other.confirmations = 1;
        other.name = "Side chain".into();
        c.evm.chains = BTreeMap::from([
            (NETWORK.to_owned(), chain_of(&local, None)),
            ("SIDE".to_owned(), other),
        ]);
        watch_quickly(c);
    })
    .await;
    let id = app.fixed_checkout("20", "USD").await;
    let (_, view) = app
        .public_get(&format!("/api/v1/public/checkouts/{id}"))
        .await;
    let offered: Vec<(String, String, u64)> = view["currencies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let code = c["code"].as_str().unwrap().to_owned();
            let network = c["network"].as_str().unwrap().to_owned();
            (code, network, c["confirmationsRequired"].as_u64().unwrap())
        })
        .collect();
    let want = [("ETH", NETWORK, 3), ("USDT", "SIDE", 1)];
    let want: Vec<(String, String, u64)> = want
        .iter()
        .map(|(c, n, k)| (c.to_string(), n.to_string(), *k))
        .collect();
    assert_eq!(offered, want);
    let view = app.pick(&id, "USDT", "SIDE", None).await;
    let address = view["payment"]["address"].as_str().unwrap();
    let uri = view["payment"]["walletUri"].as_str().unwrap();
    assert!(
        uri.starts_with(&format!("ethereum:{token}@137/transfer?address={address}")),
        "{uri}"
    );
    // One confirmation is enough on this chain.
    side.send_token(&token, &owner, address, 20_000_000).await;
    status_is(&app, &id, "SUCCESS", Value::Null).await;
}

#[tokio::test]
async fn a_node_of_another_chain_is_refused_and_shows_in_health() {
    let anvil = Anvil::start_chain(5).await;
    let app = spawn_app_with(|c| {
        watch(c, &anvil, None);
        c.evm.chains.get_mut(NETWORK).unwrap().chain_id = Anvil::CHAIN_ID;
    })
    .await;
    let chain = wait_for_health(&app, |chain| chain["failing"] == true).await;
    let error = chain["lastError"].as_str().unwrap();
    assert!(error.contains("chain id 5, not 31337"), "{error}");
    assert!(chain["head"].is_null(), "nothing read from it");
}

#[tokio::test]
async fn a_node_that_does_not_answer_times_out_and_nothing_can_post_findings() {
    // A node that accepts connections and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = silent.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            held.push(socket);
        }
    });
    let anvil = Anvil::start().await;
    let app = spawn_app_with(|c| {
        watch(c, &anvil, None);
        c.evm.rpc_timeout = Duration::from_millis(200);
        let chain = c.evm.chains.get_mut(NETWORK).unwrap();
        chain.rpc_url = Secret::new(format!("http://127.0.0.1:{port}"));
    })
    .await;
    let chain = wait_for_health(&app, |chain| chain["failing"] == true).await;
    let error = chain["lastError"].as_str().unwrap();
    assert!(error.contains("did not answer"), "{error}");
    // The chain is read, never told: there is no endpoint to post findings to.
    let (code, body) = app.raw_post("/webhooks/evm", false, "{}").await;
    assert_eq!(code, StatusCode::NOT_FOUND, "{body}");
}

#[tokio::test]
async fn an_extended_private_key_stops_the_server_with_the_reason() {
    let anvil = Anvil::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(dir.path());
    watch(&mut config, &anvil, None);
    let chain = config.evm.chains.get_mut(NETWORK).unwrap();
    chain.xpub = "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi".into();
    let err = checkout_server::start(config).await.err().unwrap();
    assert!(format!("{err:#}").contains("PRIVATE key"), "{err:#}");
}

/// Polls the status until `test` holds (10 s at most).
async fn wait_for(app: &TestApp, id: &str, test: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let s = app.status(id).await;
        if test(&s) {
            return s;
        }
        assert!(tokio::time::Instant::now() < deadline, "last status {s}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Polls `/healthz` until the chain's entry passes `test` (10 s at most).
async fn wait_for_health(app: &TestApp, test: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let (code, health) = app.public_get("/healthz").await;
        assert_eq!(code, StatusCode::OK, "{health}");
        let chain = &health["chains"][NETWORK];
        if test(chain) {
            return chain.clone();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "last health {health}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}
