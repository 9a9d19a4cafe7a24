//! What every real provider's section shares: which provider opens payments, the HTTP
//! timeouts and retries, and the section as written, checked once for completeness.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer};

use super::values::{duration, Secret};

/// Which provider opens new payments (`provider = "…"`, `CHECKOUT_PROVIDER`). Payments already
/// opened with another configured provider keep being followed through it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProviderKind {
    #[default]
    Sandbox,
    Calypso,
    Inqud,
    Coinsph,
    /// Watches EVM chains itself (`[evm]`): no third party.
    Evm,
}

impl ProviderKind {
    /// The providers configured by a section of their own, in the order they are read.
    pub const WITH_SECTIONS: [ProviderKind; 3] = [
        ProviderKind::Calypso,
        ProviderKind::Inqud,
        ProviderKind::Coinsph,
    ];

    pub fn parse(text: &str) -> anyhow::Result<ProviderKind> {
        Ok(match text.trim().to_ascii_lowercase().as_str() {
            "sandbox" => ProviderKind::Sandbox,
            "calypso" => ProviderKind::Calypso,
            "inqud" => ProviderKind::Inqud,
            "coinsph" | "coins.ph" => ProviderKind::Coinsph,
            "evm" => ProviderKind::Evm,
            other => {
                anyhow::bail!(
                    "provider {other:?} is not one of sandbox, calypso, inqud, coinsph, evm"
                )
            }
        })
    }

    /// Its name: the configuration section, `/webhooks/<name>` and stored payments.
    pub fn name(self) -> &'static str {
        match self {
            ProviderKind::Sandbox => "sandbox",
            ProviderKind::Calypso => "calypso",
            ProviderKind::Inqud => "inqud",
            ProviderKind::Coinsph => "coinsph",
            ProviderKind::Evm => "evm",
        }
    }
}

impl<'de> Deserialize<'de> for ProviderKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        ProviderKind::parse(&text).map_err(|e| D::Error::custom(format!("{e:#}")))
    }
}

/// How Inqud's API calls are authenticated (`auth` in `[inqud]`, `CHECKOUT_INQUD_AUTH`); both
/// schemes are documented side by side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InqudAuth {
    /// `X-Token-API-Id` and `X-Token-API-Secret` on every call.
    #[default]
    Token,
    /// `X-Token-API-Id`, a fresh `X-Salt` and `X-HMAC-SHA256-Signature` over body and salt;
    /// the secret itself is never sent.
    Hmac,
}

/// Timeouts and retry policy (`timeout`, `retries`, `backoff` in each provider's section).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct HttpSettings {
    /// The whole request, connection to last byte.
    #[serde(deserialize_with = "duration")]
    pub timeout: Duration,
    /// Attempts after the first (at most ten).
    #[serde(deserialize_with = "at_most_ten")]
    pub retries: u32,
    /// The wait before the first retry; it doubles for each further one.
    #[serde(deserialize_with = "duration")]
    pub backoff: Duration,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            timeout: Duration::from_secs(10),
            retries: 2,
            backoff: Duration::from_millis(250),
        }
    }
}

fn at_most_ten<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    Ok(u32::deserialize(d)?.min(10))
}

/// One provider's section as written: every key optional until the provider's own settings
/// are built from it ([`ProviderSettings`]). Secrets are [`Secret`]s from the moment they are
/// read.
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
    /// Calypso: subscribe to the invoice events at start-up (`checkout-server calypso
    /// subscribe` does it by hand).
    pub subscribe_on_start: Option<bool>,
    /// Coins.ph: the merchant API token its callbacks carry in `Authorization: Token …`.
    pub merchant_api_token: Option<Secret>,
    /// Inqud: `token` (the default) or `hmac` request signing.
    pub auth: Option<InqudAuth>,
    #[serde(flatten)]
    pub http: HttpSettings,
    /// Our coin (`"USDT/ETHEREUM"` or `"BTC"`) to the provider's currency code.
    #[serde(default)]
    pub currencies: BTreeMap<String, String>,
}

/// A provider's settings, built from its section once every required key is there.
pub trait ProviderSettings: Sized {
    const KIND: ProviderKind;
    /// Keys that must be present and not empty in a section that is there at all.
    const REQUIRED: &'static [&'static str];
    /// From a section that has every key of [`Self::REQUIRED`].
    fn from_complete(section: Section) -> Self;
}

impl Section {
    /// Whether anything at all was configured for this provider.
    fn is_empty(&self) -> bool {
        self.base_url.is_none()
            && self.account.is_none()
            && self.project_id.is_none()
            && self.receiving_account.is_none()
            && self.api_key.is_none()
            && self.api_secret.is_none()
            && self.webhook_secret.is_none()
            && self.merchant_api_token.is_none()
    }

    fn lacks(&self, key: &str) -> bool {
        let text = |v: &Option<String>| v.as_deref().is_none_or(str::is_empty);
        let secret = |v: &Option<Secret>| v.as_ref().is_none_or(|s| s.expose().is_empty());
        match key {
            "base_url" => text(&self.base_url),
            "account" => text(&self.account),
            "project_id" => text(&self.project_id),
            "receiving_account" => text(&self.receiving_account),
            "api_key" => secret(&self.api_key),
            "api_secret" => secret(&self.api_secret),
            "webhook_secret" => secret(&self.webhook_secret),
            "merchant_api_token" => secret(&self.merchant_api_token),
            _ => false,
        }
    }

    /// `None` when nothing is configured; fails naming every missing key (never a value).
    pub fn into_settings<T: ProviderSettings>(self) -> anyhow::Result<Option<T>> {
        if self.is_empty() {
            return Ok(None);
        }
        let missing: Vec<&str> = T::REQUIRED
            .iter()
            .copied()
            .filter(|k| self.lacks(k))
            .collect();
        if !missing.is_empty() {
            anyhow::bail!("[{}] needs {}", T::KIND.name(), missing.join(", "));
        }
        Ok(Some(T::from_complete(self)))
    }

    /// The API's base URL without a trailing slash (paths start with one).
    pub fn base_url(&self) -> String {
        let url = self.base_url.as_deref().unwrap_or_default();
        url.trim_end_matches('/').to_owned()
    }
}

/// `#[serde(deserialize_with = "provider_section")]`: a provider's settings, or `None` when
/// its section is absent or empty.
pub fn provider_section<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: ProviderSettings,
{
    Section::deserialize(d)?
        .into_settings()
        .map_err(|e| D::Error::custom(format!("{e:#}")))
}

/// A required value ([`ProviderSettings::REQUIRED`] made sure it is there).
pub fn required<T>(value: Option<T>) -> T {
    value.expect("a required key, checked before the settings are built")
}
