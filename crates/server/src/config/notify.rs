//! `[notify]`: where merchant notifications go and how they are signed and retried.

use std::time::Duration;

use serde::{Deserialize, Deserializer};

use super::values::{duration, Secret};

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NotifyConfig {
    /// The merchant's endpoint. Without it events are still recorded in the outbox (and listed
    /// by the merchant API) and sent once a URL is configured, within `give_up_after`.
    pub url: Option<String>,
    /// Signing secrets, newest first; every one signs every request while a rotation lasts.
    pub secrets: Vec<Secret>,
    /// Per attempt, connection and answer included.
    #[serde(deserialize_with = "duration")]
    pub timeout: Duration,
    /// How often the outbox is looked at for due deliveries.
    #[serde(deserialize_with = "duration")]
    pub poll_interval: Duration,
    /// Deliveries in flight at once.
    #[serde(deserialize_with = "at_least_one")]
    pub concurrency: usize,
    /// `retry_base`, `retry_cap` and `give_up_after`, written beside the keys above.
    #[serde(flatten)]
    pub backoff: Backoff,
}

/// How failed deliveries are retried; the schedule itself is `notify::backoff`'s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Backoff {
    #[serde(rename = "retry_base", deserialize_with = "duration")]
    pub base: Duration,
    #[serde(rename = "retry_cap", deserialize_with = "duration")]
    pub cap: Duration,
    /// No attempt is scheduled later than this after the event was created.
    #[serde(deserialize_with = "duration")]
    pub give_up_after: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            base: Duration::from_secs(30),
            cap: Duration::from_secs(6 * 3600),
            give_up_after: Duration::from_secs(3 * 24 * 3600),
        }
    }
}

impl Default for NotifyConfig {
    fn default() -> Self {
        NotifyConfig {
            url: None,
            secrets: Vec::new(),
            timeout: Duration::from_secs(10),
            poll_interval: Duration::from_millis(500),
            concurrency: 8,
            backoff: Backoff::default(),
        }
    }
}

fn at_least_one<'de, D: Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
    Ok(usize::deserialize(d)?.max(1))
}

impl NotifyConfig {
    /// Refuses a URL with nothing to sign it with: unsigned notifications would be forgeable.
    pub fn validate(&self) -> anyhow::Result<()> {
        if self.url.is_some() && self.secrets.is_empty() {
            anyhow::bail!(
                "notify.url is set but notify.secrets is empty; set CHECKOUT_NOTIFY_SECRETS"
            );
        }
        Ok(())
    }
}
