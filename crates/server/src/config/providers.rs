//! The real providers' settings (`[calypso]`, `[inqud]`, `[coinsph]`), each built from its
//! [`Section`] once the keys it needs are there.

use std::collections::BTreeMap;

use super::provider_section::{
    required, HttpSettings, InqudAuth, ProviderKind, ProviderSettings, Section,
};
use super::values::Secret;

#[derive(Debug, Clone)]
pub struct CalypsoConfig {
    pub base_url: String,
    pub account: String,
    pub api_key: Secret,
    pub secret_key: Secret,
    /// The webhook subscription's secret key. When set it overrides the keys `checkout-server
    /// calypso subscribe` stored in the database.
    pub webhook_secret: Option<Secret>,
    /// When set, a webhook's `Key` header must equal it.
    pub webhook_key: Option<Secret>,
    /// Subscribe `<public_url>/webhooks/calypso` to the invoice events at start-up, once.
    pub subscribe_on_start: bool,
    pub http: HttpSettings,
    pub currencies: BTreeMap<String, String>,
}

impl ProviderSettings for CalypsoConfig {
    const KIND: ProviderKind = ProviderKind::Calypso;
    const REQUIRED: &'static [&'static str] = &["base_url", "account", "api_key", "api_secret"];

    fn from_complete(s: Section) -> Self {
        CalypsoConfig {
            base_url: s.base_url(),
            account: required(s.account),
            api_key: required(s.api_key),
            secret_key: required(s.api_secret),
            webhook_secret: s.webhook_secret,
            webhook_key: s.webhook_key,
            subscribe_on_start: s.subscribe_on_start.unwrap_or(false),
            http: s.http,
            currencies: s.currencies,
        }
    }
}

#[derive(Debug, Clone)]
pub struct InqudConfig {
    pub base_url: String,
    /// The widget id (`CAP-…`).
    pub project_id: String,
    pub api_id: Secret,
    pub api_secret: Secret,
    pub webhook_secret: Secret,
    pub auth: InqudAuth,
    pub http: HttpSettings,
    pub currencies: BTreeMap<String, String>,
}

impl ProviderSettings for InqudConfig {
    const KIND: ProviderKind = ProviderKind::Inqud;
    const REQUIRED: &'static [&'static str] = &[
        "base_url",
        "project_id",
        "api_key",
        "api_secret",
        "webhook_secret",
    ];

    fn from_complete(s: Section) -> Self {
        InqudConfig {
            base_url: s.base_url(),
            project_id: required(s.project_id),
            api_id: required(s.api_key),
            api_secret: required(s.api_secret),
            webhook_secret: required(s.webhook_secret),
            auth: s.auth.unwrap_or_default(),
            http: s.http,
            currencies: s.currencies,
        }
    }
}

#[derive(Debug, Clone)]
pub struct CoinsphConfig {
    pub base_url: String,
    pub api_key: Secret,
    pub api_secret: Secret,
    pub merchant_api_token: Secret,
    pub receiving_account: String,
    pub http: HttpSettings,
    pub currencies: BTreeMap<String, String>,
}

impl ProviderSettings for CoinsphConfig {
    const KIND: ProviderKind = ProviderKind::Coinsph;
    const REQUIRED: &'static [&'static str] = &[
        "base_url",
        "api_key",
        "api_secret",
        "merchant_api_token",
        "receiving_account",
    ];

    fn from_complete(s: Section) -> Self {
        CoinsphConfig {
            base_url: s.base_url(),
            api_key: required(s.api_key),
            api_secret: required(s.api_secret),
            merchant_api_token: required(s.merchant_api_token),
            receiving_account: required(s.receiving_account),
            http: s.http,
            currencies: s.currencies,
        }
    }
}
