//! Setting up Calypso's webhooks: `checkout-server calypso subscribe`, and the same at start-up
//! with `[calypso] subscribe_on_start = true`. Subscribes `<public_url>/webhooks/calypso` to the
//! invoice events once, and keeps the subscription's keys in the database for the verifier.

use anyhow::Context;
use serde::Serialize;

use crate::config::Config;
use crate::providers::calypso::client::CalypsoClient;
use crate::providers::calypso::subscription::{ensure, KeyStore};

/// What a subscribe run did (printed by the command line; no key in it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Subscribed {
    pub url: String,
    /// `false`: a subscription for this URL was already stored, and nothing was asked.
    pub created: bool,
}

pub async fn subscribe(config: &Config) -> anyhow::Result<Subscribed> {
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
    let path = config.database_path();
    let store = tokio::task::spawn_blocking(move || KeyStore::open(&path))
        .await
        .context("opening the database")??;
    let client = CalypsoClient::new(calypso)?;
    let created = ensure(&client, &store, &url).await?;
    Ok(Subscribed { url, created })
}

/// At start-up, when asked: a failure is logged and the server starts anyway (reconciliation
/// follows payments without webhooks; the next start or the command tries again).
pub async fn subscribe_on_start(config: &Config) {
    if !config
        .calypso
        .as_ref()
        .is_some_and(|c| c.subscribe_on_start)
    {
        return;
    }
    match subscribe(config).await {
        Ok(done) => tracing::info!(url = %done.url, created = done.created, "calypso webhooks"),
        Err(e) => tracing::error!(
            error = %format!("{e:#}"),
            "subscribing to Calypso's webhooks failed; run `checkout-server calypso subscribe`"
        ),
    }
}
