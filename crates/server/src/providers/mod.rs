//! Payment providers behind one trait. The embedded sandbox is the first; Calypso, Inqud and
//! Coins.ph adapters (issue 6) implement the same trait, so nothing above this module changes
//! when one is added.
//!
//! Every provider's events reach the server the same way: a signed webhook, verified over the raw
//! body before anything is parsed, then the payment is re-read from the provider (a webhook is a
//! hint, never the truth) and applied through the state machine.

pub mod sandbox;

use std::time::Duration;

use async_trait::async_trait;
use axum::http::HeaderMap;
use protocol::{Amount, Money};

use crate::domain::currency::Coin;
use crate::domain::state_machine::{Funds, Resolution};

/// A rate, fiat per one coin, and how long the provider honours it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    pub rate: Amount,
    pub valid_for: Duration,
}

/// What the server asks a provider to open once the payer has picked a coin.
#[derive(Debug, Clone)]
pub struct NewInvoice {
    pub payment_id: String,
    pub checkout_id: String,
    pub coin: Coin,
    /// Due, at the coin's scale.
    pub amount: Amount,
    /// The fiat price it was converted from, for providers that invoice in fiat.
    pub fiat: Option<Money>,
    pub expires_at_ms: i64,
}

/// The provider's current view of one invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceSnapshot {
    pub provider_ref: String,
    pub address: String,
    pub funds: Funds,
    /// The provider's own state name, kept verbatim (open enum: unknown values are fine).
    pub provider_state: String,
}

/// A verified webhook: which event, about which invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookNotice {
    pub event_id: String,
    pub provider_ref: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("the signature header is missing")]
    MissingSignature,
    #[error("the signature header is malformed")]
    MalformedSignature,
    #[error("the signature does not match the body")]
    BadSignature,
    #[error("the payload is not a valid event: {0}")]
    BadPayload(String),
}

#[async_trait]
pub trait Provider: Send + Sync {
    /// The name in `/webhooks/<name>` and in stored payments.
    fn name(&self) -> &'static str;

    /// The rate for converting a price in `fiat` into `coin`.
    async fn quote(&self, coin: &Coin, fiat: &str) -> anyhow::Result<Quote>;

    /// Opens an invoice (an address to pay to) for a picked coin.
    async fn create_invoice(&self, request: &NewInvoice) -> anyhow::Result<InvoiceSnapshot>;

    /// Re-reads an invoice: the truth after a webhook.
    async fn fetch_invoice(&self, provider_ref: &str) -> anyhow::Result<InvoiceSnapshot>;

    /// Checks the webhook's authenticity over the exact bytes received. Must run before parsing.
    fn verify_webhook(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), WebhookError>;

    /// Reads the event id and invoice reference out of a verified webhook.
    fn parse_webhook(&self, body: &[u8]) -> Result<WebhookNotice, WebhookError>;

    /// Tells the provider how the merchant settled a conflict (Calypso's return-to-paid and
    /// close-intervention). Providers without the notion have nothing to do.
    async fn resolve_conflict(
        &self,
        _provider_ref: &str,
        _resolution: Resolution,
    ) -> anyhow::Result<()> {
        Ok(())
    }
}
