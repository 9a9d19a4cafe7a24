//! The subscriptions' keys in the PostgreSQL database (`database_url`), on the checkout store's
//! pool (migration 0009), so every instance verifies the webhooks of a subscription any of them
//! made. The twin of `sqlite.rs`.

use std::sync::Arc;

use anyhow::Context;

use super::{KeyStore, NewKeys, WebhookKeys};
use crate::config::Secret;
use crate::store::postgres::PostgresStore;

/// The transaction-scoped advisory lock that lets one instance at a time subscribe: two
/// instances starting together with `subscribe_on_start` would otherwise both subscribe, and
/// Calypso would sign half of its deliveries with keys no instance keeps.
const SUBSCRIBING_LOCK: i64 = 0x6361_6c79_7073_6f01; // "calypso" + 1

pub struct PostgresKeyStore {
    store: Arc<PostgresStore>,
}

impl PostgresKeyStore {
    pub fn new(store: Arc<PostgresStore>) -> PostgresKeyStore {
        PostgresKeyStore { store }
    }
}

const FIND: &str =
    "SELECT public_key, secret_key FROM calypso_webhook_subscriptions WHERE url = $1";

fn keys(row: &tokio_postgres::Row) -> Result<WebhookKeys, tokio_postgres::Error> {
    Ok(WebhookKeys {
        public_key: Secret::new(row.try_get::<_, String>(0)?),
        secret_key: Secret::new(row.try_get::<_, String>(1)?),
    })
}

impl KeyStore for PostgresKeyStore {
    fn find(&self, url: &str) -> anyhow::Result<Option<WebhookKeys>> {
        self.store
            .run(async |c| {
                let row = c.query_opt(FIND, &[&url]).await?;
                Ok(row.as_ref().map(keys).transpose()?)
            })
            .context("reading the Calypso subscription")
    }

    fn find_or_subscribe(
        &self,
        url: &str,
        now_ms: i64,
        subscribe: NewKeys,
    ) -> anyhow::Result<(WebhookKeys, bool)> {
        // The outer result is the database's; the inner one is Calypso's answer (on an error
        // the transaction rolls back and the lock goes with it).
        self.store
            .run(async |c| {
                let tx = c.transaction().await?;
                tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SUBSCRIBING_LOCK])
                    .await?;
                if let Some(row) = tx.query_opt(FIND, &[&url]).await? {
                    return Ok(Ok((keys(&row)?, false)));
                }
                let new = match subscribe.await {
                    Ok(new) => new,
                    Err(calypso) => return Ok(Err(calypso)),
                };
                tx.execute(
                    "INSERT INTO calypso_webhook_subscriptions (url, public_key, secret_key, \
                     created_at) VALUES ($1, $2, $3, $4)",
                    &[
                        &url,
                        &new.public_key.expose(),
                        &new.secret_key.expose(),
                        &now_ms,
                    ],
                )
                .await?;
                tx.commit().await?;
                Ok(Ok((new, true)))
            })
            .context("storing the Calypso subscription")?
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::postgres::scratch::ScratchDatabase;

    #[test]
    fn keys_are_kept_per_url_for_every_instance() {
        let runtime = crate::store::postgres::conformance::runtime();
        let database = runtime.block_on(ScratchDatabase::create());
        let open = || {
            let url = Secret::new(database.url.clone());
            Arc::new(runtime.block_on(PostgresStore::open(&url)).unwrap())
        };
        let (one, two) = (PostgresKeyStore::new(open()), PostgresKeyStore::new(open()));
        super::super::checks::keys_are_kept_per_url(&one);
        // What one instance stored, another reads.
        assert!(two.find(super::super::checks::URL).unwrap().is_some());
        // The pools' connections close on the runtime, then the database goes.
        let _guard = runtime.enter();
        drop((one, two));
        drop(database);
    }

    #[test]
    fn instances_subscribing_at_once_ask_calypso_once() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let runtime = crate::store::postgres::conformance::runtime();
        let database = runtime.block_on(ScratchDatabase::create());
        let asked = Arc::new(AtomicUsize::new(0));
        let instances: Vec<_> = (0..2)
            .map(|n| {
                let url = Secret::new(database.url.clone());
                let store = Arc::new(runtime.block_on(PostgresStore::open(&url)).unwrap());
                let keys = PostgresKeyStore::new(store);
                let asked = asked.clone();
                // Slow enough that, without the lock, both would pass the lookup first.
                let subscribe: NewKeys = Box::pin(async move {
                    asked.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
                    Ok(WebhookKeys {
                        public_key: Secret::new(format!("pk-{n}")),
                        secret_key: Secret::new(format!("sk-{n}")),
                    })
                });
                runtime.spawn_blocking(move || {
                    let found = keys.find_or_subscribe(super::super::checks::URL, 1, subscribe);
                    (keys, found.unwrap())
                })
            })
            .collect();
        let results: Vec<_> = instances
            .into_iter()
            .map(|task| runtime.block_on(task).unwrap())
            .collect();
        assert_eq!(asked.load(Ordering::SeqCst), 1, "Calypso was asked twice");
        let created: Vec<bool> = results.iter().map(|(_, (_, created))| *created).collect();
        assert_eq!(created.iter().filter(|c| **c).count(), 1, "{created:?}");
        let secrets: Vec<&str> = results
            .iter()
            .map(|(_, (k, _))| k.secret_key.expose())
            .collect();
        assert_eq!(
            secrets[0], secrets[1],
            "both instances verify with the stored keys"
        );
        let _guard = runtime.enter();
        drop(results);
        drop(database);
    }
}
