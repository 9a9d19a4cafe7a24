//! Reading a provider's configuration section: the TOML table, then environment variables
//! (`CHECKOUT_<PROVIDER>_<KEY>`), then a check that every required key is there. Secrets are
//! [`Secret`]s from the moment they are read.

use std::collections::BTreeMap;

use anyhow::{bail, Context};
use serde::Deserialize;

use super::http::HttpSettings;
use crate::config::{parse_duration, Secret};

/// One provider's section as written: every key optional until [`Section::require`].
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub base_url: Option<String>,
    /// Calypso: the merchant account id in every request body.
    pub account: Option<String>,
    /// Inqud: the widget id (`CAP-…`) in the checkout path.
    pub project_id: Option<String>,
    /// Coins.ph: the wallet account id that receives the payments.
    pub receiving_account: Option<String>,
    /// Calypso `Key`, Inqud `X-Token-API-Id`, Coins.ph `Access-Key`.
    pub api_key: Option<Secret>,
    /// Calypso's signing key, Inqud `X-Token-API-Secret`, Coins.ph's HMAC secret.
    pub api_secret: Option<Secret>,
    /// Calypso: the subscription's secret key; Inqud: the webhook secret (required here).
    pub webhook_secret: Option<Secret>,
    /// Calypso: the subscription's public key, checked against the webhook `Key` header.
    pub webhook_key: Option<Secret>,
    /// Coins.ph: the merchant API token its callbacks carry in `Authorization: Token …`.
    pub merchant_api_token: Option<Secret>,
    pub timeout: Option<String>,
    pub retries: Option<u32>,
    pub backoff: Option<String>,
    /// `CHECKOUT_<PROVIDER>_RETRIES`, checked when the settings are built.
    #[serde(skip)]
    pub retries_text: Option<String>,
    /// Our coin (`"USDT/ETHEREUM"` or `"BTC"`) to the provider's currency code.
    pub currencies: Option<BTreeMap<String, String>>,
}

const SECRET_KEYS: &[&str] = &[
    "api_key",
    "api_secret",
    "webhook_secret",
    "webhook_key",
    "merchant_api_token",
];
const TEXT_KEYS: &[&str] = &["base_url", "account", "project_id", "receiving_account"];

impl Section {
    /// Environment variables override the file: `CHECKOUT_CALYPSO_API_SECRET`, ...
    pub fn apply_env(&mut self, provider: &str, env: &dyn Fn(&str) -> Option<String>) {
        let var = |key: &str| env(&format!("CHECKOUT_{provider}_{}", key.to_ascii_uppercase()));
        for key in TEXT_KEYS.iter().chain(SECRET_KEYS) {
            if let Some(v) = var(key) {
                self.set(key, v);
            }
        }
        if let Some(v) = var("timeout") {
            self.timeout = Some(v);
        }
        if let Some(v) = var("backoff") {
            self.backoff = Some(v);
        }
        if let Some(v) = var("retries") {
            // A bad number is reported by `http()` as the unparseable text it is.
            self.retries_text = Some(v);
        }
    }

    fn set(&mut self, key: &str, v: String) {
        match key {
            "base_url" => self.base_url = Some(v),
            "account" => self.account = Some(v),
            "project_id" => self.project_id = Some(v),
            "receiving_account" => self.receiving_account = Some(v),
            "api_key" => self.api_key = Some(Secret::new(v)),
            "api_secret" => self.api_secret = Some(Secret::new(v)),
            "webhook_secret" => self.webhook_secret = Some(Secret::new(v)),
            "webhook_key" => self.webhook_key = Some(Secret::new(v)),
            "merchant_api_token" => self.merchant_api_token = Some(Secret::new(v)),
            _ => {}
        }
    }

    /// Whether anything at all was configured for this provider.
    pub fn is_empty(&self) -> bool {
        self.base_url.is_none()
            && self.account.is_none()
            && self.project_id.is_none()
            && self.receiving_account.is_none()
            && self.api_key.is_none()
            && self.api_secret.is_none()
            && self.webhook_secret.is_none()
            && self.merchant_api_token.is_none()
    }

    /// Fails naming every missing key (never a value).
    pub fn require(&self, section: &str, keys: &[&str]) -> anyhow::Result<()> {
        let missing: Vec<&str> = keys
            .iter()
            .copied()
            .filter(|k| match *k {
                "base_url" => self.base_url.as_deref().is_none_or(str::is_empty),
                "account" => self.account.as_deref().is_none_or(str::is_empty),
                "project_id" => self.project_id.as_deref().is_none_or(str::is_empty),
                "receiving_account" => self.receiving_account.as_deref().is_none_or(str::is_empty),
                "api_key" => empty(&self.api_key),
                "api_secret" => empty(&self.api_secret),
                "webhook_secret" => empty(&self.webhook_secret),
                "merchant_api_token" => empty(&self.merchant_api_token),
                _ => false,
            })
            .collect();
        if !missing.is_empty() {
            bail!("[{section}] needs {}", missing.join(", "));
        }
        Ok(())
    }

    pub fn http(&self, section: &str) -> anyhow::Result<HttpSettings> {
        let mut h = HttpSettings::default();
        if let Some(t) = &self.timeout {
            h.timeout = parse_duration(t).with_context(|| format!("[{section}] timeout"))?;
        }
        if let Some(b) = &self.backoff {
            h.backoff = parse_duration(b).with_context(|| format!("[{section}] backoff"))?;
        }
        let retries = match &self.retries_text {
            Some(t) => Some(
                t.trim()
                    .parse::<u32>()
                    .with_context(|| format!("[{section}] retries must be a whole number"))?,
            ),
            None => self.retries,
        };
        if let Some(r) = retries {
            h.retries = r.min(10);
        }
        Ok(h)
    }

    pub fn base_url(&self) -> String {
        self.base_url
            .clone()
            .unwrap_or_default()
            .trim_end_matches('/')
            .to_owned()
    }
}

fn empty(s: &Option<Secret>) -> bool {
    s.as_ref().is_none_or(|s| s.expose().is_empty())
}
