//! The webhook subscription: created once per webhook URL (`checkout-server calypso subscribe`
//! or `subscribe_on_start`), its keys kept in the server's database file beside the checkout
//! store (own table, like the sandbox ledger), where the webhook verifier reads them.

use std::path::Path;
use std::sync::Mutex;

use anyhow::Context;
use http::HeaderMap;
use rusqlite::{params, Connection, OptionalExtension};

use super::client::CalypsoClient;
use super::webhook;
use crate::config::Secret;
use crate::domain::now_ms;
use crate::providers::WebhookError;
use crate::store::sqlite::connection::{self, lock};

/// One subscription's key pair: `Key` is the public key, `Sign` is made with the secret key.
#[derive(Debug, Clone)]
pub struct WebhookKeys {
    pub public_key: Secret,
    pub secret_key: Secret,
}

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS calypso_webhook_subscriptions (
    url           TEXT PRIMARY KEY,
    public_key    TEXT NOT NULL,
    secret_key    TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);";

/// The stored subscriptions, by webhook URL.
pub struct KeyStore {
    conn: Mutex<Connection>,
}

impl KeyStore {
    /// Opens the database file at `path`, creating the table if it is missing.
    pub fn open(path: &Path) -> anyhow::Result<KeyStore> {
        let conn = connection::open(path)?;
        conn.execute_batch(SCHEMA)
            .context("creating the Calypso subscriptions table")?;
        Ok(KeyStore {
            conn: Mutex::new(conn),
        })
    }

    pub fn find(&self, url: &str) -> anyhow::Result<Option<WebhookKeys>> {
        let conn = lock(&self.conn);
        let row = conn
            .query_row(
                "SELECT public_key, secret_key FROM calypso_webhook_subscriptions WHERE url = ?1",
                params![url],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
            )
            .optional()
            .context("reading the Calypso subscription")?;
        Ok(row.map(|(public_key, secret_key)| WebhookKeys {
            public_key: Secret::new(public_key),
            secret_key: Secret::new(secret_key),
        }))
    }

    fn save(&self, url: &str, keys: &WebhookKeys) -> anyhow::Result<()> {
        lock(&self.conn)
            .execute(
                "INSERT INTO calypso_webhook_subscriptions (url, public_key, secret_key, created_at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![
                    url,
                    keys.public_key.expose(),
                    keys.secret_key.expose(),
                    now_ms()
                ],
            )
            .context("storing the Calypso subscription")?;
        Ok(())
    }
}

/// Subscribes `url` unless a subscription for it is stored; `true` when one was created.
/// Calypso documents no idempotency for this call, so the stored row is what makes a second
/// run a no-op (a run that dies between Calypso's answer and the insert leaves a subscription
/// at Calypso that we never use: delete it there).
pub async fn ensure(client: &CalypsoClient, store: &KeyStore, url: &str) -> anyhow::Result<bool> {
    if store.find(url)?.is_some() {
        return Ok(false);
    }
    let answer = client.create_subscription(url).await?;
    let (Some(public_key), Some(secret_key)) = (answer.public_key, answer.secret_key) else {
        anyhow::bail!("calypso subscribe webhooks: the answer has no publicKey and secretKey");
    };
    let keys = WebhookKeys {
        public_key: Secret::new(public_key),
        secret_key: Secret::new(secret_key),
    };
    store.save(url, &keys)?;
    tracing::info!(
        url,
        subscription = answer.id.as_deref().unwrap_or("?"),
        "subscribed to Calypso's invoice events"
    );
    Ok(true)
}

/// The stored keys of the subscription for our webhook URL, as the verifier uses them: cached,
/// and read again when a delivery does not verify with the cached ones (a subscription made
/// by the command line while the server runs). That read is one row by primary key.
pub struct StoredKeys {
    store: KeyStore,
    url: String,
    cached: Mutex<Option<WebhookKeys>>,
}

impl StoredKeys {
    pub fn new(store: KeyStore, url: String) -> StoredKeys {
        StoredKeys {
            store,
            url,
            cached: Mutex::new(None),
        }
    }

    pub fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), WebhookError> {
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
        let fresh = match self.store.find(&self.url) {
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
