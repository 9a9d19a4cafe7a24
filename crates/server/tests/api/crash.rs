//! Crash safety: the real server binary is killed with SIGKILL four times during a burst of
//! payments and signed inbound webhooks, and restarted on the same data directory each time.
//! Afterwards: every acknowledged inbound event and payment is stored and applied, the funds of
//! every payment equal what the sandbox chain holds (nothing lost, nothing counted twice), every
//! checkout's versions and status chain are complete, and the merchant's receiver got every
//! outbox event at least once, each correctly signed.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use checkout_server::config::Secret;
use checkout_server::notify::signature::DEFAULT_TOLERANCE;
use checkout_server::notify::verify;
use checkout_server::providers::sandbox::{sign, SIGNATURE_HEADER};
use rusqlite::{Connection, OpenFlags};
use serde_json::{json, Value};

use crate::helpers::{TestDatabase, MERCHANT_KEY, WEBHOOK_SECRET};
use crate::notify::NEW_SECRET;
use crate::process::ServerProcess;
use crate::receiver::Receiver;

const CHECKOUTS: usize = 8;
const KILLS: usize = 4;

/// A pay and a webhook whose outcome the test saw: only acknowledged ones are promised.
#[derive(Default, Clone)]
struct Acked {
    txids: Vec<String>,
    events: Vec<String>,
}

struct Target {
    checkout: String,
    payment: String,
    reference: String,
    due_units: u128,
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(3))
        .build()
        .unwrap()
}

fn env(receiver: &Receiver) -> Vec<(&'static str, String)> {
    vec![
        ("CHECKOUT_MERCHANT_API_KEY", MERCHANT_KEY.into()),
        ("CHECKOUT_SANDBOX_WEBHOOK_SECRET", WEBHOOK_SECRET.into()),
        ("CHECKOUT_SANDBOX_BLOCK_INTERVAL", "50ms".into()),
        ("CHECKOUT_NOTIFY_URL", receiver.url.clone()),
        ("CHECKOUT_NOTIFY_SECRETS", NEW_SECRET.into()),
        ("CHECKOUT_NOTIFY_POLL_INTERVAL", "20ms".into()),
        ("CHECKOUT_NOTIFY_TIMEOUT", "500ms".into()),
        ("CHECKOUT_NOTIFY_RETRY_BASE", "50ms".into()),
        ("CHECKOUT_RATE_LIMIT", "0".into()),
        ("RUST_LOG", "warn".into()),
    ]
}

fn units_to_btc(units: u128) -> String {
    format!("{}.{:08}", units / 100_000_000, units % 100_000_000)
}

/// The server's tables, read behind its back: the checkout store's and the sandbox ledger's,
/// both in the SQLite file of the data directory or both in the test's PostgreSQL database.
struct Tables {
    file: Option<Connection>,
    postgres: Option<tokio_postgres::Client>,
}

impl Tables {
    async fn open(dir: &Path, db: &TestDatabase) -> Tables {
        let postgres = match db.env().pop() {
            Some((_, url)) => {
                let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                    .await
                    .unwrap();
                tokio::spawn(connection);
                Some(client)
            }
            None => None,
        };
        let file = postgres.is_none().then(|| {
            Connection::open_with_flags(dir.join("checkout.db"), OpenFlags::SQLITE_OPEN_READ_ONLY)
                .unwrap()
        });
        Tables { file, postgres }
    }

    /// Rows of a query on the SQLite file, every column text.
    fn file_rows(&self, sql: &str, param: Option<&str>) -> Vec<Vec<String>> {
        let file = self.file.as_ref().expect("the SQLite run");
        let mut stmt = file.prepare(sql).unwrap();
        let width = stmt.column_count();
        let params: Vec<&str> = param.into_iter().collect();
        let rows = stmt
            .query_map(rusqlite::params_from_iter(params), |r| {
                (0..width).map(|i| r.get::<_, String>(i)).collect()
            })
            .unwrap();
        rows.map(Result::unwrap).collect()
    }

    /// Rows of a query on the checkout store or the sandbox ledger, every column text
    /// (`CAST(… AS TEXT)` reads the same in both databases; `?1` is the one parameter).
    async fn store(&self, sql: &str, param: Option<&str>) -> Vec<Vec<String>> {
        let Some(pg) = &self.postgres else {
            return self.file_rows(sql, param);
        };
        let sql = sql.replace("?1", "$1");
        let params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = match &param {
            Some(p) => vec![p],
            None => vec![],
        };
        let rows = pg.query(&sql, &params).await.unwrap();
        rows.iter()
            .map(|r| (0..r.len()).map(|i| r.get::<_, String>(i)).collect())
            .collect()
    }

    async fn store_count(&self, sql: &str, param: Option<&str>) -> i64 {
        self.store(sql, param).await[0][0].parse().unwrap()
    }
}

async fn setup(base: &str) -> Vec<Target> {
    let http = client();
    let mut targets = Vec::new();
    for i in 0..CHECKOUTS {
        let view: Value = http
            .post(format!("{base}/api/v1/checkouts"))
            .bearer_auth(MERCHANT_KEY)
            .json(
                &json!({"clientOrderId": format!("crash-{i}"), "name": "x", "type": "FIXED_PRICE",
                          "fixedAmount": {"amount": "10.00", "currency": "USD"}}),
            )
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = view["id"].as_str().unwrap().to_owned();
        let picked: Value = http
            .post(format!("{base}/api/v1/public/checkouts/{id}/payment"))
            .json(&json!({"currency": "BTC", "network": "BITCOIN"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        targets.push(Target {
            checkout: id,
            payment: picked["payment"]["id"].as_str().unwrap().to_owned(),
            reference: String::new(),
            due_units: picked["payment"]["amountUnits"]
                .as_str()
                .unwrap()
                .parse()
                .unwrap(),
        });
    }
    targets
}

/// Fires this run's pays and a stream of signed inbound webhooks; records what was acknowledged.
async fn burst(
    base: String,
    pays: Vec<(String, String)>,
    refs: Vec<String>,
    acked: Arc<Mutex<Acked>>,
    run: usize,
) {
    let mut tasks = Vec::new();
    for (i, (payment, amount)) in pays.into_iter().enumerate() {
        let (base, acked) = (base.clone(), acked.clone());
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(70 * i as u64)).await;
            let sent = client()
                .post(format!("{base}/api/v1/sandbox/payments/{payment}/pay"))
                .bearer_auth(MERCHANT_KEY)
                .json(&json!({"amount": amount}))
                .send()
                .await;
            if let Ok(r) = sent {
                if r.status().is_success() {
                    if let Ok(v) = r.json::<Value>().await {
                        acked
                            .lock()
                            .unwrap()
                            .txids
                            .push(v["txid"].as_str().unwrap().to_owned());
                    }
                }
            }
        }));
    }
    let secret = Secret::new(WEBHOOK_SECRET);
    for i in 0..20 {
        let (base, acked) = (base.clone(), acked.clone());
        let reference = refs[i % refs.len()].clone();
        let body = serde_json::to_vec(
            &json!({"id": format!("crash_evt_{run}_{i}"), "type": "invoice.updated",
            "invoiceRef": reference, "createdAt": "2026-01-01T00:00:00Z"}),
        )
        .unwrap();
        let signature = sign(&secret, &body);
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(20 * i as u64)).await;
            let sent = client()
                .post(format!("{base}/webhooks/sandbox"))
                .header(SIGNATURE_HEADER, signature)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await;
            if let Ok(r) = sent {
                if r.status().is_success() {
                    acked
                        .lock()
                        .unwrap()
                        .events
                        .push(format!("crash_evt_{run}_{i}"));
                }
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
}

fn pseudo_random_ms(lo: u64, span: u64) -> u64 {
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64;
    lo + nanos % span
}

#[tokio::test]
async fn sigkill_during_a_burst_loses_no_acknowledged_event_and_no_notification() {
    let receiver = Receiver::start().await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let database = TestDatabase::new().await;
    let mut env = env(&receiver);
    env.extend(database.env());
    let mut server = ServerProcess::start(&data, &env).await;
    let mut targets = setup(&server.base).await;
    let tables = Tables::open(&data, &database).await;
    for t in &mut targets {
        let sql = "SELECT provider_ref FROM payments WHERE id = ?1";
        t.reference = tables.store(sql, Some(&t.payment)).await[0][0].clone();
    }
    let refs: Vec<String> = targets.iter().map(|t| t.reference.clone()).collect();
    // Two halves per payment, spread over the runs; each sent once, never retried.
    let mut pays = Vec::new();
    for t in &targets {
        let half = t.due_units / 2;
        pays.push((t.payment.clone(), units_to_btc(half)));
        pays.push((t.payment.clone(), units_to_btc(t.due_units - half)));
    }
    let per_run = pays.len().div_ceil(KILLS);
    let acked = Arc::new(Mutex::new(Acked::default()));
    for run in 0..KILLS {
        let chunk: Vec<_> = pays
            .iter()
            .skip(run * per_run)
            .take(per_run)
            .cloned()
            .collect();
        let load = tokio::spawn(burst(
            server.base.clone(),
            chunk,
            refs.clone(),
            acked.clone(),
            run,
        ));
        tokio::time::sleep(Duration::from_millis(pseudo_random_ms(120, 300))).await;
        server.kill();
        let _ = load.await;
        server = ServerProcess::start(&data, &env).await;
    }

    // Settle: every sandbox notification acknowledged, every checkout at the state its funds
    // on the chain decide, every notification delivered.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let http = client();
    let (chain_funds, views) = loop {
        let undelivered = tables
            .store_count(
                "SELECT CAST(COUNT(*) AS TEXT) FROM sandbox_notifications \
                 WHERE delivered_at IS NULL",
                None,
            )
            .await;
        let pending = tables
            .store_count(
                "SELECT CAST(COUNT(*) AS TEXT) FROM merchant_outbox WHERE state <> 'DELIVERED'",
                None,
            )
            .await;
        let mut funds = HashMap::new();
        let mut unconfirmed = 0i64;
        for t in &targets {
            let row = &tables
                .store(
                    "SELECT CAST(COALESCE(SUM(CAST(amount_units AS BIGINT)), 0) AS TEXT), \
                     CAST(COALESCE(SUM(CASE WHEN confirmations < required THEN 1 ELSE 0 END), 0) \
                     AS TEXT) FROM sandbox_txs WHERE invoice_ref = ?1",
                    Some(&t.reference),
                )
                .await[0];
            funds.insert(t.checkout.clone(), row[0].parse::<u128>().unwrap());
            unconfirmed += row[1].parse::<i64>().unwrap();
        }
        let mut views = HashMap::new();
        for t in &targets {
            let v: Value = http
                .get(format!("{}/api/v1/checkouts/{}", server.base, t.checkout))
                .bearer_auth(MERCHANT_KEY)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            views.insert(t.checkout.clone(), v);
        }
        let settled = undelivered == 0
            && pending == 0
            && unconfirmed == 0
            && targets.iter().all(|t| {
                expected_status(funds[&t.checkout], t.due_units) == views[&t.checkout]["status"]
            });
        if settled {
            break (funds, views);
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "did not settle: {undelivered} sandbox notifications, {pending} merchant notifications, \
             {unconfirmed} unconfirmed txs"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };

    let acked = acked.lock().unwrap().clone();
    assert!(
        !acked.events.is_empty() && !acked.txids.is_empty(),
        "the burst did something"
    );
    let outbox = outbox_rows(&tables).await;
    eprintln!(
        "crash test: {} of {} webhooks and {} of {} payments acknowledged across {KILLS} kills; \
         {} notifications to the merchant, {} requests received",
        acked.events.len(),
        KILLS * 20,
        acked.txids.len(),
        2 * CHECKOUTS,
        outbox.values().map(Vec::len).sum::<usize>(),
        receiver.received().len()
    );
    let stored_event = "SELECT CAST(COUNT(*) AS TEXT) FROM inbound_events \
                        WHERE provider = 'sandbox' AND event_id = ?1";
    for event in &acked.events {
        let stored = tables.store_count(stored_event, Some(event)).await == 1;
        assert!(stored, "acknowledged webhook {event} was lost");
    }
    for txid in &acked.txids {
        let sql = "SELECT CAST(COUNT(*) AS TEXT) FROM sandbox_txs WHERE txid = ?1";
        assert_eq!(
            tables.store_count(sql, Some(txid)).await,
            1,
            "acknowledged payment {txid} was lost"
        );
    }
    // Everything the sandbox saw acknowledged is stored (it marks delivered only after a 200).
    let delivered = tables
        .store(
            "SELECT event_id FROM sandbox_notifications WHERE delivered_at IS NOT NULL",
            None,
        )
        .await;
    for row in &delivered {
        assert_eq!(
            tables.store_count(stored_event, Some(&row[0])).await,
            1,
            "acknowledged sandbox notification {} missing from the inbound events",
            row[0]
        );
    }

    let received = receiver.received();
    let mut received_ids = BTreeSet::new();
    for r in &received {
        verify(
            &r.body,
            &r.signature,
            &[NEW_SECRET],
            DEFAULT_TOLERANCE,
            SystemTime::now(),
        )
        .unwrap();
        received_ids.insert(r.json()["id"].as_str().unwrap().to_owned());
    }
    for t in &targets {
        let view = &views[&t.checkout];
        // Funds recorded once: the server's total equals the chain's.
        let paid: u128 = view["payments"][0]["amountPaid"]
            .as_str()
            .unwrap()
            .replace('.', "")
            .parse()
            .unwrap();
        assert_eq!(paid, chain_funds[&t.checkout], "{}", t.checkout);
        // Versions complete: one change row per version, no gap, none twice.
        let version = view["version"].as_u64().unwrap();
        let versions: Vec<u64> = tables
            .store(
                "SELECT CAST(version AS TEXT) FROM checkout_events WHERE checkout_id = ?1 \
                 ORDER BY version",
                Some(&t.checkout),
            )
            .await
            .iter()
            .map(|row| row[0].parse().unwrap())
            .collect();
        assert_eq!(
            versions,
            (2..=version).collect::<Vec<_>>(),
            "{}",
            t.checkout
        );
        // The notifications chain from NEW to the final status without a gap.
        let events = outbox.get(&t.checkout).cloned().unwrap_or_default();
        let mut previous = "NEW".to_owned();
        let status_changes = events
            .iter()
            .filter(|(_, body)| body["type"] == "checkout.status_changed");
        for (_, body) in status_changes {
            assert_eq!(body["previousStatus"], previous.as_str(), "{events:?}");
            previous = body["status"].as_str().unwrap().to_owned();
        }
        assert_eq!(view["status"], previous.as_str());
        for (id, _) in &events {
            assert!(
                received_ids.contains(id),
                "notification {id} never reached the merchant"
            );
        }
    }
    let _ = server.terminate();
}

fn expected_status(funds: u128, due: u128) -> &'static str {
    if funds == 0 {
        "WAITING_PAYMENT"
    } else if funds == due {
        "SUCCESS"
    } else {
        "CONFLICT"
    }
}

/// Outbox bodies per checkout, by version.
async fn outbox_rows(tables: &Tables) -> BTreeMap<String, Vec<(String, Value)>> {
    let mut map: BTreeMap<String, Vec<(String, Value)>> = BTreeMap::new();
    let rows = tables
        .store(
            "SELECT checkout_id, event_id, body FROM merchant_outbox \
             ORDER BY checkout_id, version, seq",
            None,
        )
        .await;
    for row in rows {
        map.entry(row[0].clone())
            .or_default()
            .push((row[1].clone(), serde_json::from_str(&row[2]).unwrap()));
    }
    map
}
