//! Payment providers behind one trait. The embedded sandbox is the first; Calypso, Inqud and
//! Coins.ph adapters (issue 6) implement the same trait, so nothing above this module changes
//! when one is added.
//!
//! Every provider's events reach the server the same way: a signed webhook, verified over the raw
//! body before anything is parsed, then the payment is re-read from the provider (a webhook is a
//! hint, never the truth) and applied through the state machine.

//!
//! Every adapter has the same shape, so a new provider is a copy of the pattern:
//! `client.rs` (its signed calls, through the shared [`json_api`]), `mapping.rs` (its states and
//! amounts onto ours, with the shared [`funds`] builder), `webhook.rs` (verification with
//! [`webhook_auth`], then parsing), `model.rs` (its wire structs) and `mod.rs` (the
//! [`Provider`] impl that ties them together). Its settings live in `crate::config`.

pub mod calypso;
pub mod coinsph;
pub mod decimal;
pub mod evm;
pub mod failure;
pub mod fixed_rates;
pub mod funds;
pub mod http_client;
pub mod inqud;
pub mod json_api;
pub mod refusal_reason;
pub mod registry;
pub mod sandbox;
pub mod webhook_auth;
pub mod wire;

use std::time::Duration;

use async_trait::async_trait;
use http::HeaderMap;
use protocol::{Amount, Money};

use crate::domain::currency::{Coin, Denomination, CONVERTIBLE_FIATS};
use crate::domain::pricing::Rate;
use crate::domain::state_machine::{Funds, Resolution};

/// A rate, fiat per one coin, and how long the provider honours it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    pub rate: Amount,
    pub valid_for: Duration,
}

impl Quote {
    /// The quote as the domain's pricing takes it.
    pub fn as_rate(&self) -> Rate {
        Rate {
            fiat_per_coin: self.rate,
            valid_for_ms: i64::try_from(self.valid_for.as_millis()).unwrap_or(i64::MAX),
        }
    }
}

/// What the server asks a provider to open once the payer has picked a coin.
#[derive(Debug, Clone)]
pub struct NewInvoice {
    pub payment_id: String,
    pub checkout_id: String,
    pub coin: Coin,
    /// Due, at the coin's scale; `None` when the provider converts `fiat` itself (its
    /// [`Provider::quote`] said so) and tells the amount on the snapshot.
    pub amount: Option<Amount>,
    /// The fiat price it was converted from, for providers that invoice in fiat.
    pub fiat: Option<Money>,
    pub expires_at_ms: i64,
    /// What the payer is paying for (the checkout's name), for the provider's own pages.
    pub title: String,
    /// Where the provider's own pages send the payer back (the checkout's `returnUrl`).
    pub return_url: Option<String>,
    /// What [`Provider::reserve_invoice`] made for this payment, in this attempt or an earlier
    /// one of the same pick (stored in between): to be continued, not made again.
    pub reserved_ref: Option<String>,
    /// The payer's contact, normalised, when the coin needs it ([`Coin::paid_on_page`]);
    /// passed to the provider only, never stored or logged.
    pub payer_contact: Option<String>,
}

/// The provider's current view of one invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceSnapshot {
    pub provider_ref: String,
    /// Where the payer pays: the address, or for a coin paid on the provider's page
    /// ([`Coin::paid_on_page`]) that page's `https` URL, checked by the adapter.
    pub address: String,
    pub funds: Funds,
    /// The provider's own state name, kept verbatim (open enum: unknown values are fine).
    pub provider_state: String,
    /// The amount due as the provider states it, at the coin's scale (rounded up).
    pub amount: Option<Amount>,
    /// Until when the provider holds the rate it converted at, if it converted.
    pub rate_expires_at_ms: Option<i64>,
    /// The provider no longer watches the invoice (expired or archived it): its address must
    /// not be shown again.
    pub closed: bool,
}

/// A verified webhook: which event, about which invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookNotice {
    pub event_id: String,
    pub provider_ref: Option<String>,
    /// The provider gives no event id and `event_id` is a digest of the body: the same bytes
    /// again may be a genuine new event (or a forgery sent first), so a repeat still prompts a
    /// re-read instead of being dismissed.
    pub id_is_digest: bool,
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

    /// A test provider (the sandbox): its payments are on test networks and say so.
    fn is_test(&self) -> bool {
        false
    }

    /// The rate for converting a price in `fiat` into `coin`, or `None` when the provider
    /// converts fiat itself at invoice creation (Calypso SINGLE_FIAT, Inqud fixedAmount).
    async fn quote(&self, coin: &Coin, fiat: &str) -> anyhow::Result<Option<Quote>>;

    /// Whether a price in `denomination` can be paid through this provider at all (by our
    /// quote, its own conversion, or as it is). Checked when a checkout or widget is created, so
    /// a merchant learns it from a 400 naming the field instead of a payer meeting a 502.
    /// By default: the fiat currencies quotes are given in, and any coin.
    fn takes_price_in(&self, denomination: Denomination) -> bool {
        match denomination {
            Denomination::Fiat { code, .. } => CONVERTIBLE_FIATS.contains(&code),
            Denomination::Crypto { .. } => true,
        }
    }

    /// What a merchant whose price this provider cannot take should do instead.
    fn price_hint(&self) -> &'static str {
        "price this checkout in USD, EUR or a coin"
    }

    /// Whether the payer can pay with `coin` through this provider. By default every coin paid
    /// to an address; none of the options paid on another provider's page.
    fn offers(&self, coin: &Coin) -> bool {
        !coin.paid_on_page()
    }

    /// The first of two calls, for a provider whose invoice takes two (Inqud: its checkout,
    /// then the payer's request): makes the provider's object and returns its reference, which
    /// the server stores before calling [`Provider::create_invoice`] with it in
    /// [`NewInvoice::reserved_ref`]. A retried pick then continues with that object. Providers
    /// that open an invoice in one call make nothing here.
    async fn reserve_invoice(&self, _request: &NewInvoice) -> anyhow::Result<Option<String>> {
        Ok(None)
    }

    /// Opens an invoice (an address to pay to) for a picked coin.
    async fn create_invoice(&self, request: &NewInvoice) -> anyhow::Result<InvoiceSnapshot>;

    /// Re-reads an invoice: the truth after a webhook. `decimals` is the coin's scale, in
    /// which the snapshot's funds are counted.
    async fn fetch_invoice(
        &self,
        provider_ref: &str,
        decimals: u8,
    ) -> anyhow::Result<InvoiceSnapshot>;

    /// Checks the webhook's authenticity over the exact bytes received. Must run before parsing.
    async fn verify_webhook(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), WebhookError>;

    /// Reads the event id and invoice reference out of a verified webhook.
    fn parse_webhook(&self, body: &[u8]) -> Result<WebhookNotice, WebhookError>;

    /// Takes the next step of the merchant's settlement of a conflict the provider holds
    /// (Calypso: return-to-paid, then close-intervention once the invoice is COMPLETED) and
    /// says where the provider stands. Called again after every re-read while a step is left,
    /// and after a restart: so it reads the provider's state first and never repeats a step
    /// the provider already took. Providers without the notion have nothing to do.
    async fn resolve_conflict(
        &self,
        _provider_ref: &str,
        _resolution: Resolution,
    ) -> anyhow::Result<SettlementProgress> {
        Ok(SettlementProgress::Settled)
    }
}

/// Where a provider stands in settling a conflict the merchant resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettlementProgress {
    /// The funds went where the merchant said; one step is left, due once the provider has
    /// completed the invoice (it is taken on a later re-read).
    AwaitingProvider,
    /// Nothing is left to tell the provider.
    Settled,
}

/// The provider's code for a coin: the configured mapping (`"USDT/ETHEREUM"` first, then
/// `"USDT"`), else our own code. Providers' coin naming is not in their public summaries.
pub fn provider_currency(map: &std::collections::BTreeMap<String, String>, coin: &Coin) -> String {
    map.get(&format!("{}/{}", coin.code, coin.network))
        .or_else(|| map.get(coin.code))
        .cloned()
        .unwrap_or_else(|| coin.code.to_owned())
}

/// The uuid part of our `PAY-<uuid>` id: the idempotency key we give providers, so a retried
/// create can never open a second invoice.
pub fn idempotency_key(payment_id: &str) -> String {
    payment_id.trim_start_matches("PAY-").to_owned()
}
