//! Two server instances on one PostgreSQL database: what one commits reaches the other's live
//! streams and status polls. These run in the suite's PostgreSQL run only (`CHECKOUT_TEST_STORE
//! =postgres`, which `cargo xtask test` does); on SQLite there is one instance per file.

use std::time::{Duration, Instant};

use checkout_server::store::postgres::listen::APPLICATION_NAME;
use merchant_client::calls;
use reqwest::StatusCode;

use crate::helpers::*;
use crate::live::Events;

/// Two instances on one fresh database, or `None` in the SQLite run.
async fn two_instances() -> Option<(TestApp, TestApp)> {
    if !on_postgres() {
        eprintln!("several instances need PostgreSQL: this test runs in the PostgreSQL run");
        return None;
    }
    let a = spawn_app().await;
    let b = a.second_instance().await;
    Some((a, b))
}

/// A new checkout that `app`'s status cache holds at version 1, and a stream on `app` that
/// has shown that version.
async fn watched_on(app: &TestApp) -> (String, Events) {
    let id = app.fixed_checkout("25", "USD").await;
    assert_eq!(app.status(&id).await["status"], "NEW");
    let mut events = Events::open(app, &id, None).await;
    assert_eq!(events.next().await.unwrap().id, "1");
    (id, events)
}

/// A's status poll, until it reports `wanted` (at most 5 s); how long that took.
async fn until_status(app: &TestApp, id: &str, wanted: &str) -> Duration {
    let started = Instant::now();
    loop {
        if app.status(id).await["status"] == wanted {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "A never saw {wanted}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn a_change_committed_through_one_instance_reaches_the_other_s_stream_and_status() {
    let Some((a, b)) = two_instances().await else {
        return;
    };
    let (id, mut events) = watched_on(&a).await;

    let started = Instant::now();
    b.pick(&id, "BTC", "BITCOIN", None).await;
    let frame = events.next().await.unwrap();
    let pushed = started.elapsed();
    assert_eq!(
        (frame.id.as_str(), &frame.data["status"]),
        ("2", &"WAITING_PAYMENT".into())
    );
    let polled = until_status(&a, &id, "WAITING_PAYMENT").await;

    let (s, _) = b.send(calls::cancel(&id)).await;
    assert_eq!(s, StatusCode::OK);
    let frame = events.next().await.unwrap();
    assert_eq!(frame.data["status"], "CANCELLED");
    until_status(&a, &id, "CANCELLED").await;
    // A final status ends A's stream, as it does for a change made on A.
    assert!(events.next().await.is_none());
    eprintln!(
        "cross-instance: B's pick reached A's stream in {pushed:?}, A's poll {polled:?} later"
    );
}

/// A connection of the test's own to `app`'s database.
async fn database(app: &TestApp) -> tokio_postgres::Client {
    let url = app
        .config
        .database_url
        .as_ref()
        .unwrap()
        .expose()
        .to_owned();
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
}

/// The process ids of the LISTEN connections on `app`'s database.
async fn listeners(app: &TestApp) -> Vec<i32> {
    let client = database(app).await;
    let rows = client
        .query(
            "SELECT pid FROM pg_stat_activity WHERE application_name = $1 \
             AND datname = current_database() ORDER BY pid",
            &[&APPLICATION_NAME],
        )
        .await
        .unwrap();
    rows.iter().map(|r| r.get(0)).collect()
}

async fn terminate(app: &TestApp, pids: &[i32]) {
    let client = database(app).await;
    for pid in pids {
        client
            .execute("SELECT pg_terminate_backend($1)", &[pid])
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn a_change_made_while_the_listen_connection_was_down_reaches_the_stream_after_it_returns() {
    let Some((a, b)) = two_instances().await else {
        return;
    };
    let (id, mut events) = watched_on(&a).await;
    let before = listeners(&a).await;
    assert_eq!(before.len(), 2, "one LISTEN connection per instance");

    // Both instances stop listening; B commits before either can reconnect (the first retry
    // waits 200 ms), so the notification is lost and only the re-read after the reconnect
    // can tell A.
    terminate(&a, &before).await;
    let started = Instant::now();
    let (s, _) = b.send(calls::cancel(&id)).await;
    assert_eq!(s, StatusCode::OK);
    let frame = events.next().await.unwrap();
    let recovered = started.elapsed();
    assert_eq!(frame.data["status"], "CANCELLED");
    until_status(&a, &id, "CANCELLED").await;
    // B reconnects on its own schedule (its stream was not waiting): give it a moment.
    let mut after = listeners(&a).await;
    for _ in 0..100 {
        if after.len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        after = listeners(&a).await;
    }
    assert_eq!(after.len(), 2, "both instances listen again");
    assert!(
        after.iter().all(|pid| !before.contains(pid)),
        "{before:?} {after:?}"
    );
    eprintln!("cross-instance: a change made while not listening reached A in {recovered:?}");
}

#[tokio::test]
async fn two_instances_deliver_every_notification_once_between_them() {
    if !on_postgres() {
        eprintln!("several instances need PostgreSQL: this test runs in the PostgreSQL run");
        return;
    }
    let receiver = crate::receiver::Receiver::start().await;
    let a = crate::notify::app_notifying(&receiver).await;
    let b = a.second_instance().await;
    // Changes made through both: each instance's worker sees every row due.
    let mut ids = Vec::new();
    for n in 0..12 {
        let (maker, other) = if n % 2 == 0 { (&a, &b) } else { (&b, &a) };
        let id = maker.fixed_checkout("25", "USD").await;
        other.pick(&id, "BTC", "BITCOIN", None).await;
        let (s, _) = maker.send(calls::cancel(&id)).await;
        assert_eq!(s, StatusCode::OK);
        ids.push(id);
    }
    let db = database(&a).await;
    let stored = db
        .query(
            "SELECT event_id, checkout_id, version FROM merchant_outbox ORDER BY seq",
            &[],
        )
        .await
        .unwrap();
    assert!(stored.len() >= 2 * ids.len(), "{} rows", stored.len());
    receiver
        .wait_until(10, |got| got.len() >= stored.len())
        .await;
    // Nothing more arrives: a second delivery would come within the poll interval.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let got = receiver.received();
    let mut received: Vec<(String, String, i64)> = got
        .iter()
        .map(|r| {
            let e = r.json();
            let field = |k: &str| e[k].as_str().unwrap().to_owned();
            (
                field("id"),
                field("checkoutId"),
                e["version"].as_i64().unwrap(),
            )
        })
        .collect();
    let mut expected: Vec<(String, String, i64)> = stored
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    received.sort();
    expected.sort();
    assert_eq!(received, expected, "every event exactly once");
    let undelivered: i64 = db
        .query_one(
            "SELECT count(*) FROM merchant_outbox WHERE state <> 'DELIVERED'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(undelivered, 0);
}

#[tokio::test]
async fn two_instances_sweeping_expire_a_checkout_once() {
    let Some((a, b)) = two_instances().await else {
        return;
    };
    // Both sweep every 100 ms; each expiry is a locked read-modify-write of the row, so the
    // second sweeper finds it expired already and changes nothing.
    let ids = [
        a.expiring_checkout("25", "USD", 300).await,
        b.expiring_checkout("25", "USD", 300).await,
    ];
    for id in &ids {
        a.wait_for_status(id, "EXPIRED").await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let db = database(&a).await;
    for id in &ids {
        let count = |sql: &'static str| {
            let db = &db;
            async move {
                let n: i64 = db.query_one(sql, &[id]).await.unwrap().get(0);
                n
            }
        };
        let changes = count(
            "SELECT count(*) FROM checkout_events WHERE checkout_id = $1 \
             AND to_status = 'EXPIRED'",
        );
        assert_eq!(changes.await, 1, "one expiry of {id}");
        let versions = count("SELECT max(version) FROM checkout_events WHERE checkout_id = $1");
        assert_eq!(versions.await, 2, "created, then expired once");
    }
}

/// The process id holding the sandbox chain's leader lock on `app`'s database, if any.
async fn chain_leader(app: &TestApp) -> Option<i32> {
    lock_holder(app, checkout_server::providers::sandbox::chain::LEADER_KEY).await
}

/// The process id holding the session-level advisory lock `key` on `app`'s database, if any.
pub(crate) async fn lock_holder(app: &TestApp, key: i64) -> Option<i32> {
    let db = database(app).await;
    let row = db
        .query_opt(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted \
             AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) \
             AND ((classid::bigint << 32) | objid::bigint) = $1",
            &[&key],
        )
        .await
        .unwrap();
    row.map(|r| r.get(0))
}

/// A checkout picked through `picker` and paid in full through `payer`, until SUCCESS.
async fn paid_across(picker: &TestApp, payer: &TestApp) {
    let id = picker.fixed_checkout("25", "USD").await;
    let view = picker.pick(&id, "BTC", "BITCOIN", None).await;
    let (s, _) = payer.pay(&payment_id(&view), &payment_amount(&view)).await;
    assert_eq!(
        s,
        StatusCode::OK,
        "one chain: the payer's sandbox knows the invoice"
    );
    payer.wait_for_status(&id, "SUCCESS").await;
}

#[tokio::test]
async fn the_sandbox_chain_is_shared_and_another_instance_mines_it_when_the_leader_stops() {
    let Some((mut a, b)) = two_instances().await else {
        return;
    };
    // A started first, so it took the lead at its first block.
    paid_across(&a, &b).await;
    let leader = chain_leader(&a).await.expect("one instance leads");
    a.server.take().unwrap().stop().await.unwrap();
    let started = Instant::now();
    paid_across(&b, &b).await;
    let next = chain_leader(&b).await.expect("B leads now");
    assert_ne!(leader, next, "A led before it stopped");
    eprintln!(
        "cross-instance: blocks from B took a payment to SUCCESS {:?} after A stopped",
        started.elapsed()
    );
}
