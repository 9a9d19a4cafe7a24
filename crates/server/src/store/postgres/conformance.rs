//! The conformance checks (`store::conformance`) on a fresh PostgreSQL database each, plus what
//! only PostgreSQL has to prove: migrations racing on one empty database.

use tokio::runtime::Runtime;

use super::scratch::ScratchDatabase;
use super::PostgresStore;
use crate::config::Secret;
use crate::store::conformance::{every_check, Harness};
use crate::store::Store;

/// A migrated store on a database of its own, with the runtime its connections live on.
pub struct PostgresHarness {
    store: Option<PostgresStore>,
    database: Option<ScratchDatabase>,
    runtime: Runtime,
}

pub fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

pub fn harness() -> PostgresHarness {
    let runtime = runtime();
    let database = runtime.block_on(ScratchDatabase::create());
    let store = runtime
        .block_on(PostgresStore::open(&Secret::new(database.url.clone())))
        .unwrap();
    PostgresHarness {
        store: Some(store),
        database: Some(database),
        runtime,
    }
}

impl Drop for PostgresHarness {
    fn drop(&mut self) {
        // The pool first (its connections close on the runtime), then the database.
        let _guard = self.runtime.enter();
        self.store.take();
        self.database.take();
    }
}

impl Harness for PostgresHarness {
    fn store(&self) -> &dyn Store {
        self.store.as_ref().expect("open until dropped")
    }

    fn count(&self, table: &str) -> u32 {
        let store = self.store.as_ref().expect("open until dropped");
        let sql = format!("SELECT count(*) FROM {table}");
        let n: i64 = store
            .run(async |c| Ok(c.query_one(&sql, &[]).await?.try_get(0)?))
            .unwrap();
        n as u32
    }
}

every_check!(harness);

#[test]
fn instances_starting_at_once_on_an_empty_database_migrate_it_once() {
    let runtime = runtime();
    let database = runtime.block_on(ScratchDatabase::create());
    let url = Secret::new(database.url.clone());
    let applied = runtime.block_on(async {
        let open = || async {
            let pool = super::connection::pool(&url).unwrap();
            let mut client = pool.get().await.unwrap();
            super::migrations::migrate(&mut client, 1).await.unwrap()
        };
        let (a, b, c) = tokio::join!(open(), open(), open());
        [a, b, c]
    });
    let mut all: Vec<i32> = applied.iter().flatten().copied().collect();
    all.sort();
    let expected: Vec<i32> = super::migrations::MIGRATIONS.iter().map(|m| m.0).collect();
    assert_eq!(
        all, expected,
        "each migration applied once in all: {applied:?}"
    );
    assert_eq!(
        applied.iter().filter(|a| a.is_empty()).count(),
        2,
        "two found the work done"
    );
    drop(database);
}

#[test]
fn a_database_a_newer_release_upgraded_is_refused_untouched() {
    let runtime = runtime();
    let database = runtime.block_on(ScratchDatabase::create());
    let url = Secret::new(database.url.clone());
    runtime.block_on(async {
        let pool = super::connection::pool(&url).unwrap();
        let mut client = pool.get().await.unwrap();
        super::migrations::migrate(&mut client, 1).await.unwrap();
        let newer = super::migrations::MIGRATIONS.len() as i32 + 1;
        client
            .execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, 2)",
                &[&newer],
            )
            .await
            .unwrap();
        let refused = super::migrations::migrate(&mut client, 3)
            .await
            .unwrap_err()
            .to_string();
        assert!(
            refused.contains("newer than this checkout-server"),
            "{refused}"
        );
        let versions: i64 = client
            .query_one("SELECT count(*) FROM schema_migrations", &[])
            .await
            .unwrap()
            .get(0);
        assert_eq!(versions, newer as i64, "nothing applied or removed");
        drop(client);
        drop(pool);
    });
    drop(database);
}

#[test]
fn two_servers_started_at_once_on_one_empty_database_both_serve_its_checkouts() {
    use crate::domain::test_fixtures::{checkout, NOW};

    let runtime = runtime();
    let database = runtime.block_on(ScratchDatabase::create());
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let config = |dir: &tempfile::TempDir| crate::Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.path().to_path_buf(),
        database_url: Some(Secret::new(database.url.clone())),
        merchant_api_key: Secret::new("sk_test_two_servers_0123456789"),
        ..crate::Config::default()
    };
    runtime.block_on(async {
        let (a, b) = tokio::join!(
            crate::start(config(&dirs[0])),
            crate::start(config(&dirs[1]))
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        let written = checkout("CCO-1", NOW);
        let record = written.clone();
        a.state
            .db
            .run(move |s| s.insert_checkout(&record))
            .await
            .unwrap();
        let read = b.state.db.run(|s| s.checkout("CCO-1")).await.unwrap();
        assert_eq!(read.map(|r| r.id), Some(written.id));
        a.stop().await.unwrap();
        b.stop().await.unwrap();
    });
    drop(database);
}
