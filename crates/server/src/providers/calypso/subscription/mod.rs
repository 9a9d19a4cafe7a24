//! The webhook subscription: created once per webhook URL (`checkout-server calypso subscribe`
//! or `subscribe_on_start`), its keys kept in the server's database beside the checkout store
//! (own table, like the sandbox ledger: in the SQLite file, or in PostgreSQL where every
//! instance reads them), where the webhook verifier reads them.

#[cfg(test)]
mod checks;
pub mod postgres;
pub mod sqlite;

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use http::HeaderMap;

use super::client::CalypsoClient;
use super::webhook;
use crate::config::Secret;
use crate::domain::now_ms;
use crate::providers::WebhookError;

/// One subscription's key pair: `Key` is the public key, `Sign` is made with the secret key.
#[derive(Debug, Clone)]
pub struct WebhookKeys {
    pub public_key: Secret,
    pub secret_key: Secret,
}

/// Asking Calypso for a new subscription, not started until a store awaits it.
pub type NewKeys = Pin<Box<dyn Future<Output = anyhow::Result<WebhookKeys>> + Send>>;

/// The stored subscriptions, by webhook URL. Blocking calls: run them on the blocking pool.
pub trait KeyStore: Send + Sync + 'static {
    fn find(&self, url: &str) -> anyhow::Result<Option<WebhookKeys>>;

    /// The stored keys for `url`, or else the keys `subscribe` gets from Calypso, stored;
    /// `true` when they are new. Calypso documents no idempotency for subscribing, so only one
    /// caller at a time may get past the lookup (several instances on PostgreSQL: a lock).
    fn find_or_subscribe(
        &self,
        url: &str,
        now_ms: i64,
        subscribe: NewKeys,
    ) -> anyhow::Result<(WebhookKeys, bool)>;
}

/// Subscribes `url` unless a subscription for it is stored; `true` when one was created.
/// The stored row is what makes a second run a no-op (a run that dies between Calypso's answer
/// and the insert leaves a subscription at Calypso that we never use: delete it there).
pub async fn ensure(
    client: &CalypsoClient,
    store: Arc<dyn KeyStore>,
    url: &str,
) -> anyhow::Result<bool> {
    let (client, for_calypso) = (client.clone(), url.to_owned());
    let subscribe: NewKeys = Box::pin(async move {
        let answer = client.create_subscription(&for_calypso).await?;
        let (Some(public_key), Some(secret_key)) = (answer.public_key, answer.secret_key) else {
            anyhow::bail!("calypso subscribe webhooks: the answer has no publicKey and secretKey");
        };
        tracing::info!(
            url = for_calypso,
            subscription = answer.id.as_deref().unwrap_or("?"),
            "subscribed to Calypso's invoice events"
        );
        Ok(WebhookKeys {
            public_key: Secret::new(public_key),
            secret_key: Secret::new(secret_key),
        })
    });
    let url = url.to_owned();
    let (_, created) =
        tokio::task::spawn_blocking(move || store.find_or_subscribe(&url, now_ms(), subscribe))
            .await??;
    Ok(created)
}

/// The stored keys of the subscription for our webhook URL, as the verifier uses them: cached,
/// and read again when a delivery does not verify with the cached ones (a subscription made
/// by the command line or by another instance while this one runs). That read is one row by
/// primary key, on the blocking pool.
pub struct StoredKeys {
    store: Arc<dyn KeyStore>,
    url: String,
    cached: Mutex<Option<WebhookKeys>>,
}

impl StoredKeys {
    pub fn new(store: Arc<dyn KeyStore>, url: String) -> StoredKeys {
        StoredKeys {
            store,
            url,
            cached: Mutex::new(None),
        }
    }

    pub async fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), WebhookError> {
        let cached = self
            .cached
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let first = match &cached {
            Some(keys) => check(keys, headers, body),
            None => Err(WebhookError::BadSignature),
        };
        let Err(error) = first else { return Ok(()) };
        let (store, url) = (self.store.clone(), self.url.clone());
        let read = tokio::task::spawn_blocking(move || store.find(&url))
            .await
            .map_err(anyhow::Error::from)
            .and_then(|found| found);
        let fresh = match read {
            Ok(Some(keys)) => keys,
            Ok(None) => {
                tracing::warn!(
                    url = %self.url,
                    "a Calypso webhook arrived but no subscription is stored for this URL: run \
                     `checkout-server calypso subscribe` (or set webhook_secret)"
                );
                return Err(error);
            }
            Err(e) => {
                tracing::error!(error = %format!("{e:#}"), "reading Calypso's webhook keys");
                return Err(error);
            }
        };
        *self.cached.lock().unwrap_or_else(|p| p.into_inner()) = Some(fresh.clone());
        check(&fresh, headers, body)
    }
}

fn check(keys: &WebhookKeys, headers: &HeaderMap, body: &[u8]) -> Result<(), WebhookError> {
    webhook::verify(&keys.secret_key, Some(&keys.public_key), headers, body)
}
