//! Setting up Calypso's webhooks: `checkout-server calypso subscribe`, and the same at start-up
//! with `[calypso] subscribe_on_start = true`. Subscribes `<public_url>/webhooks/calypso` to the
//! invoice events once, and keeps the subscription's keys in the database for the verifier.

use std::sync::Arc;

use anyhow::Context;
use serde::Serialize;

use crate::config::{Config, Database};
use crate::providers::calypso::client::CalypsoClient;
use crate::providers::calypso::subscription::postgres::PostgresKeyStore;
use crate::providers::calypso::subscription::sqlite::SqliteKeyStore;
use crate::providers::calypso::subscription::{ensure, KeyStore};
use crate::store::postgres::PostgresStore;

/// What a subscribe run did (printed by the command line; no key in it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Subscribed {
    pub url: String,
    /// `false`: a subscription for this URL was already stored, and nothing was asked.
    pub created: bool,
}

/// Where the subscriptions' keys are kept: beside the checkout store, in the SQLite file or in
/// the PostgreSQL database (`postgres`, when the caller has it open; else opened here).
pub async fn key_store(
    config: &Config,
    postgres: Option<Arc<PostgresStore>>,
) -> anyhow::Result<Arc<dyn KeyStore>> {
    Ok(match (config.database()?, postgres) {
        (Database::Sqlite(path), _) => {
            let store = tokio::task::spawn_blocking(move || SqliteKeyStore::open(&path))
                .await
                .context("opening the database")??;
            Arc::new(store)
        }
        (Database::Postgres(_), Some(store)) => Arc::new(PostgresKeyStore::new(store)),
        (Database::Postgres(url), None) => Arc::new(PostgresKeyStore::new(Arc::new(
            PostgresStore::open(&url).await?,
        ))),
    })
}

/// Subscribes our webhook URL unless a subscription for it is stored in `keys`.
pub async fn subscribe(config: &Config, keys: Arc<dyn KeyStore>) -> anyhow::Result<Subscribed> {
    let calypso = config
        .calypso
        .as_ref()
        .context("calypso subscribe needs the [calypso] section")?;
    let url = config.webhook_url("calypso").context(
        "calypso subscribe needs public_url: the address Calypso posts webhooks to is \
         <public_url>/webhooks/calypso",
    )?;
    if calypso.webhook_secret.is_some() {
        tracing::warn!(
            "webhook_secret is configured: it keeps overriding the subscription's stored keys"
        );
    }
    let client = CalypsoClient::new(calypso)?;
    let created = ensure(&client, keys, &url).await?;
    Ok(Subscribed { url, created })
}

/// At start-up, when asked: a failure is logged and the server starts anyway (reconciliation
/// follows payments without webhooks; the next start or the command tries again). Instances
/// starting together on one PostgreSQL database subscribe once between them.
pub async fn subscribe_on_start(config: &Config, keys: Option<Arc<dyn KeyStore>>) {
    let wanted = config
        .calypso
        .as_ref()
        .is_some_and(|c| c.subscribe_on_start);
    let Some(keys) = keys.filter(|_| wanted) else {
        return;
    };
    match subscribe(config, keys).await {
        Ok(done) => tracing::info!(url = %done.url, created = done.created, "calypso webhooks"),
        Err(e) => tracing::error!(
            error = %format!("{e:#}"),
            "subscribing to Calypso's webhooks failed; run `checkout-server calypso subscribe`"
        ),
    }
}
