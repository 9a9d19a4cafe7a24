//! The `[notify]` section: where merchant notifications go and how they are signed and retried.

use std::time::Duration;

use anyhow::Context;
use serde::Deserialize;

use super::backoff::Backoff;
use crate::config::{parse_duration, Secret};

#[derive(Debug, Clone)]
pub struct NotifyConfig {
    /// The merchant's endpoint. Without it events are still recorded in the outbox (and listed
    /// by the merchant API) and sent once a URL is configured, within `give_up_after`.
    pub url: Option<String>,
    /// Signing secrets, newest first; every one signs every request while a rotation lasts.
    pub secrets: Vec<Secret>,
    /// Per attempt, connection and answer included.
    pub timeout: Duration,
    /// How often the outbox is looked at for due deliveries.
    pub poll_interval: Duration,
    /// Deliveries in flight at once.
    pub concurrency: usize,
    pub backoff: Backoff,
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

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileNotify {
    url: Option<String>,
    secrets: Option<Vec<Secret>>,
    timeout: Option<String>,
    poll_interval: Option<String>,
    concurrency: Option<usize>,
    retry_base: Option<String>,
    retry_cap: Option<String>,
    give_up_after: Option<String>,
}

impl NotifyConfig {
    pub fn apply_file(&mut self, f: FileNotify) -> anyhow::Result<()> {
        self.url = f.url.or(self.url.take());
        if let Some(s) = f.secrets {
            self.secrets = s;
        }
        if let Some(n) = f.concurrency {
            self.concurrency = n.max(1);
        }
        for (slot, text, key) in [
            (&mut self.timeout, f.timeout, "notify.timeout"),
            (
                &mut self.poll_interval,
                f.poll_interval,
                "notify.poll_interval",
            ),
            (&mut self.backoff.base, f.retry_base, "notify.retry_base"),
            (&mut self.backoff.cap, f.retry_cap, "notify.retry_cap"),
            (
                &mut self.backoff.give_up_after,
                f.give_up_after,
                "notify.give_up_after",
            ),
        ] {
            if let Some(text) = text {
                *slot = parse_duration(&text).with_context(|| key.to_owned())?;
            }
        }
        Ok(())
    }

    /// `CHECKOUT_NOTIFY_URL`, `CHECKOUT_NOTIFY_SECRETS` (comma-separated, newest first).
    pub fn apply_env(&mut self, env: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<()> {
        if let Some(v) = env("CHECKOUT_NOTIFY_URL") {
            self.url = Some(v).filter(|u| !u.is_empty());
        }
        if let Some(v) = env("CHECKOUT_NOTIFY_SECRETS") {
            self.secrets = v
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(Secret::new)
                .collect();
        }
        if let Some(v) = env("CHECKOUT_NOTIFY_POLL_INTERVAL") {
            self.poll_interval = parse_duration(&v).context("CHECKOUT_NOTIFY_POLL_INTERVAL")?;
        }
        if let Some(v) = env("CHECKOUT_NOTIFY_TIMEOUT") {
            self.timeout = parse_duration(&v).context("CHECKOUT_NOTIFY_TIMEOUT")?;
        }
        if let Some(v) = env("CHECKOUT_NOTIFY_RETRY_BASE") {
            self.backoff.base = parse_duration(&v).context("CHECKOUT_NOTIFY_RETRY_BASE")?;
        }
        Ok(())
    }

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
