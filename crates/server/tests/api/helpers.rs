//! `spawn_app()` and the small vocabulary the tests speak in.

use std::time::Duration;

use checkout_server::config::{Config, Secret};
use checkout_server::store::postgres::scratch::ScratchDatabase;
use checkout_server::Server;
use merchant_client::{calls, Call, MerchantClient, Reply};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

pub const MERCHANT_KEY: &str = "sk_test_0123456789";
pub const WEBHOOK_SECRET: &str = "whsec_test_secret";

pub struct TestApp {
    pub addr: std::net::SocketAddr,
    pub server: Option<Server>,
    /// Removed when the test ends (after the server).
    _dir: tempfile::TempDir,
    _database: TestDatabase,
    /// For requests without the merchant key (public routes, refused requests).
    pub client: reqwest::Client,
    /// The merchant API, as the command line and the journeys reach it.
    pub merchant: MerchantClient,
    pub config: Config,
}

/// The configuration every test starts from: fast blocks, fast sweeps, short heartbeats.
pub fn test_config(dir: &std::path::Path) -> Config {
    let mut c = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.join("data"),
        merchant_api_key: Secret::new(MERCHANT_KEY),
        heartbeat: Duration::from_millis(300),
        expiry_sweep: Duration::from_millis(100),
        ..Config::default()
    };
    c.sandbox.webhook_secret = Secret::new(WEBHOOK_SECRET);
    c.sandbox.block_interval = Duration::from_millis(100);
    // Tests poll faster than any payer; the rate limit has its own tests (abuse.rs).
    c.limits.public_per_second = 0;
    // The reconciler re-reads open payments once at start-up and then only when a test asks for
    // it (`reconcile_quickly`), so provider call counts elsewhere stay exact.
    c.reconcile.tick = Duration::from_secs(3600);
    c
}

/// Re-reads open payments every 100 ms, and reports a provider failing after two failed
/// re-reads in a row: for the reconciliation tests.
pub fn reconcile_quickly(c: &mut Config) {
    c.reconcile.tick = Duration::from_millis(50);
    c.reconcile.waiting = Duration::from_millis(100);
    c.reconcile.confirming = Duration::from_millis(100);
    c.reconcile.settled = Duration::from_millis(100);
    c.reconcile.max_backoff = Duration::from_millis(400);
    c.reconcile.failing_after = 2;
}

/// The variable that runs the suite on PostgreSQL (`postgres`); SQLite otherwise. `cargo xtask
/// test` runs the suite once on each, with the server in `CHECKOUT_TEST_POSTGRES`.
pub const STORE_VAR: &str = "CHECKOUT_TEST_STORE";

/// Whether this run of the suite is the PostgreSQL one. Any other value than the two is a
/// mistake, refused rather than taken for SQLite.
pub fn on_postgres() -> bool {
    match std::env::var(STORE_VAR).as_deref() {
        Ok("postgres") => true,
        Ok("sqlite") | Err(_) => false,
        Ok(other) => panic!("{STORE_VAR}={other:?}: use postgres or sqlite"),
    }
}

/// The password in every test database's URL: the test server trusts loopback and never asks
/// for it, so it only proves that the URL stays a secret (secrets.rs looks for it).
pub const DATABASE_PASSWORD: &str = "SECRET_db_password_5e6f";

/// The test's own PostgreSQL database when the suite runs on PostgreSQL (dropped with this),
/// nothing on SQLite (the data directory holds the file).
pub struct TestDatabase(Option<(ScratchDatabase, String)>);

impl TestDatabase {
    pub async fn new() -> TestDatabase {
        if !on_postgres() {
            return TestDatabase(None);
        }
        let db = ScratchDatabase::create().await;
        let url = db.url.replacen(
            "://postgres@",
            &format!("://postgres:{DATABASE_PASSWORD}@"),
            1,
        );
        assert!(
            url.contains(DATABASE_PASSWORD),
            "user postgres expected in {url}"
        );
        TestDatabase(Some((db, url)))
    }

    /// Points `config` at this database (nothing to do on SQLite).
    pub fn apply(&self, config: &mut Config) {
        config.database_url = self.0.as_ref().map(|(_, url)| Secret::new(url.clone()));
    }

    /// The server process's variables for this database.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        self.0
            .iter()
            .map(|(_, url)| ("CHECKOUT_DATABASE_URL", url.clone()))
            .collect()
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    if std::env::var("TEST_LOG").is_ok() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter("debug")
            .with_test_writer()
            .try_init();
    }
    let dir = tempfile::tempdir().unwrap();
    let database = TestDatabase::new().await;
    let mut config = test_config(dir.path());
    database.apply(&mut config);
    adjust(&mut config);
    started(config, dir, database).await
}

/// A server started with `config`, which keeps `dir` and `database` until it goes.
async fn started(config: Config, dir: tempfile::TempDir, database: TestDatabase) -> TestApp {
    let server = checkout_server::start(config.clone()).await.unwrap();
    TestApp {
        addr: server.addr,
        merchant: merchant_of(&server),
        server: Some(server),
        _dir: dir,
        _database: database,
        client: reqwest::Client::new(),
        config,
    }
}

fn merchant_of(server: &Server) -> MerchantClient {
    MerchantClient::new(&format!("http://{}", server.addr), MERCHANT_KEY)
}

/// An answer's body as JSON (`null` when empty); panics on anything else.
fn json_of(reply: &Reply) -> Value {
    if reply.text.is_empty() {
        Value::Null
    } else {
        reply
            .parse()
            .unwrap_or_else(|_| panic!("not JSON: {}", reply.text))
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Another instance on this test's PostgreSQL database, with a data directory (and so a
    /// sandbox ledger) of its own.
    pub async fn second_instance(&self) -> TestApp {
        assert!(
            on_postgres(),
            "several instances share a PostgreSQL database"
        );
        let dir = tempfile::tempdir().unwrap();
        let mut config = self.config.clone();
        config.data_dir = dir.path().join("data");
        started(config, dir, TestDatabase(None)).await
    }

    /// Stops the server and starts a new one on the same data directory.
    pub async fn restart(&mut self) {
        self.server.take().unwrap().stop().await.unwrap();
        self.start_again().await;
    }

    /// Starts a server again on the data directory of the one stopped before.
    pub async fn start_again(&mut self) {
        let server = checkout_server::start(self.config.clone()).await.unwrap();
        self.addr = server.addr;
        self.merchant = merchant_of(&server);
        self.server = Some(server);
    }

    /// A request to `path`, with the merchant key when `merchant`.
    fn builder(&self, method: Method, path: &str, merchant: bool) -> reqwest::RequestBuilder {
        if merchant {
            self.merchant.request(method, path)
        } else {
            self.client.request(method, self.url(path))
        }
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        merchant: bool,
        body: Option<&Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.builder(method, path, merchant);
        if let Some(body) = body {
            req = req.json(body);
        }
        let reply = Reply::read(req.send().await.unwrap()).await.unwrap();
        (reply.status, json_of(&reply))
    }

    /// A body sent as-is (for malformed JSON and size limits).
    pub async fn raw_post(
        &self,
        path: &str,
        merchant: bool,
        body: impl Into<reqwest::Body>,
    ) -> (StatusCode, Value) {
        let req = self
            .builder(Method::POST, path, merchant)
            .header("content-type", "application/json")
            .body(body);
        let reply = Reply::read(req.send().await.unwrap()).await.unwrap();
        (reply.status, reply.parse().unwrap_or(Value::Null))
    }

    /// One call of the merchant API, whatever the answer.
    pub async fn send<T>(&self, call: Call<T>) -> (StatusCode, Value) {
        let reply = self.merchant.send(call).await.unwrap();
        (reply.status, json_of(&reply))
    }

    pub async fn merchant_post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.request(Method::POST, path, true, Some(&body)).await
    }

    pub async fn merchant_get(&self, path: &str) -> (StatusCode, Value) {
        self.request(Method::GET, path, true, None).await
    }

    pub async fn public_get(&self, path: &str) -> (StatusCode, Value) {
        self.request(Method::GET, path, false, None).await
    }

    pub async fn public_post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.request(Method::POST, path, false, Some(&body)).await
    }

    /// Creates a checkout from `body`; asserts 201 and returns the merchant view.
    pub async fn create_checkout(&self, body: Value) -> Value {
        let (status, view) = self.send(calls::create_checkout(&body)).await;
        assert_eq!(status, StatusCode::CREATED, "{view}");
        view
    }

    /// A FIXED_PRICE checkout; returns its id.
    pub async fn fixed_checkout(&self, amount: &str, currency: &str) -> String {
        let view = self
            .create_checkout(json!({
                "name": "Test order",
                "type": "FIXED_PRICE",
                "fixedAmount": {"amount": amount, "currency": currency},
            }))
            .await;
        view["id"].as_str().unwrap().to_owned()
    }

    pub async fn pick_raw(
        &self,
        id: &str,
        currency: &str,
        network: &str,
        amount: Option<&str>,
    ) -> (StatusCode, Value) {
        let mut body = json!({"currency": currency, "network": network});
        if let Some(a) = amount {
            body["amount"] = json!(a);
        }
        self.public_post(&protocol::api::payment(id), body).await
    }

    /// Picks and asserts 200; returns the view with its payment.
    pub async fn pick(
        &self,
        id: &str,
        currency: &str,
        network: &str,
        amount: Option<&str>,
    ) -> Value {
        let (status, view) = self.pick_raw(id, currency, network, amount).await;
        assert_eq!(status, StatusCode::OK, "{view}");
        view
    }

    pub async fn pay(&self, payment_id: &str, amount: &str) -> (StatusCode, Value) {
        self.send(calls::sandbox_pay(payment_id, amount)).await
    }

    pub async fn status(&self, id: &str) -> Value {
        let (code, body) = self.public_get(&protocol::api::status(id)).await;
        assert_eq!(code, StatusCode::OK, "{body}");
        body
    }

    /// A FIXED_PRICE checkout that expires `ms` from now; returns its id.
    pub async fn expiring_checkout(&self, amount: &str, currency: &str, ms: i64) -> String {
        let view = self
            .create_checkout(json!({
                "name": "Test order",
                "type": "FIXED_PRICE",
                "fixedAmount": {"amount": amount, "currency": currency},
                "expiresAt": in_ms(ms),
            }))
            .await;
        view["id"].as_str().unwrap().to_owned()
    }

    /// Polls the merchant's reconciliation report until `test` holds for it (10 s at most).
    pub async fn wait_for_reconciliation(
        &self,
        what: &str,
        test: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let (code, report) = self.send(calls::reconciliation()).await;
            assert_eq!(code, StatusCode::OK, "{report}");
            if test(&report) {
                return report;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "timed out waiting for {what}; last report {report}"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Polls the status until `wanted` (fails after 10 s, showing the last status seen).
    pub async fn wait_for_status(&self, id: &str, wanted: &str) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let s = self.status(id).await;
            if s["status"] == wanted {
                return s;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "timed out waiting for {wanted}; last seen {s}"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    pub async fn checkout(&self, id: &str) -> Value {
        let (code, body) = self.send(calls::checkout(id)).await;
        assert_eq!(code, StatusCode::OK, "{body}");
        body
    }
}

/// An RFC 3339 time `ms` milliseconds from now.
pub fn in_ms(ms: i64) -> String {
    let t = time::OffsetDateTime::now_utc() + time::Duration::milliseconds(ms);
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

pub fn payment_id(view: &Value) -> String {
    view["payment"]["id"].as_str().unwrap().to_owned()
}

pub fn payment_amount(view: &Value) -> String {
    view["payment"]["amount"].as_str().unwrap().to_owned()
}

/// Asserts the error envelope and returns `(code, field)`.
pub fn error_of(body: &Value) -> (String, Option<String>) {
    let e = &body["error"];
    assert!(e["message"].is_string(), "not an error envelope: {body}");
    (
        e["code"].as_str().unwrap().to_owned(),
        e["field"].as_str().map(str::to_owned),
    )
}
