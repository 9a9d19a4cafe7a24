//! The embedded sandbox provider: behaves like a real one (its own invoices, a simulated chain,
//! signed webhooks to our own endpoint), so the rest of the server cannot tell the difference.

pub mod address;
pub mod chain;
pub mod ledger;

use std::sync::Arc;

use async_trait::async_trait;
use axum::http::HeaderMap;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use tokio::sync::Notify;

use super::{InvoiceSnapshot, NewInvoice, Provider, Quote, WebhookError, WebhookNotice};
use crate::config::{SandboxConfig, Secret};
use crate::domain::currency::Coin;
use crate::domain::state_machine::Funds;
use crate::store::error::StoreResult;
use ledger::{Ledger, SandboxInvoice, SandboxTx};

/// The header carrying `sha256=<hex HMAC-SHA256 of the raw body>`.
pub const SIGNATURE_HEADER: &str = "x-sandbox-signature";

/// The body of every sandbox webhook. It only says which invoice changed; the server re-reads
/// the invoice for the facts.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SandboxWebhook {
    pub id: String,
    #[serde(rename = "type")]
    pub event_type: String,
    pub invoice_ref: String,
    pub created_at: String,
}

pub struct SandboxProvider {
    ledger: Ledger,
    config: SandboxConfig,
    /// Wakes the chain task when a transaction is added, so the webhook goes out at once.
    wake: Arc<Notify>,
}

/// `sha256=<hex>` for `body` under `secret`.
pub fn sign(secret: &Secret, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes()).expect("HMAC takes any key");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Checks `header` (`sha256=<hex>`) against `body` in constant time.
pub fn verify(secret: &Secret, header: Option<&str>, body: &[u8]) -> Result<(), WebhookError> {
    let header = header.ok_or(WebhookError::MissingSignature)?;
    let hex_sig = header
        .trim()
        .strip_prefix("sha256=")
        .ok_or(WebhookError::MalformedSignature)?;
    let signature = hex::decode(hex_sig).map_err(|_| WebhookError::MalformedSignature)?;
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes()).expect("HMAC takes any key");
    mac.update(body);
    // `verify_slice` compares in constant time.
    mac.verify_slice(&signature)
        .map_err(|_| WebhookError::BadSignature)
}

fn snapshot(invoice: &SandboxInvoice, txs: &[SandboxTx]) -> InvoiceSnapshot {
    let seen_units: u128 = txs.iter().map(|t| t.amount_units).sum();
    let confirmed_units: u128 = txs
        .iter()
        .filter(|t| t.confirmations >= t.required)
        .map(|t| t.amount_units)
        .sum();
    let confirmations = txs.iter().map(|t| t.confirmations).min().unwrap_or(0);
    let state = if txs.is_empty() {
        "WAITING"
    } else if confirmed_units < seen_units {
        "CONFIRMING"
    } else {
        "CONFIRMED"
    };
    InvoiceSnapshot {
        provider_ref: invoice.reference.clone(),
        address: invoice.address.clone(),
        funds: Funds {
            seen_units,
            confirmed_units,
            confirmations,
            first_seen_at_ms: txs.iter().map(|t| t.seen_at_ms).min(),
            signal: None,
        },
        provider_state: state.to_owned(),
        amount: Some(invoice.amount),
        rate_expires_at_ms: None,
    }
}

impl SandboxProvider {
    pub fn new(ledger: Ledger, config: SandboxConfig) -> SandboxProvider {
        SandboxProvider {
            ledger,
            config,
            wake: Arc::new(Notify::new()),
        }
    }

    pub fn config(&self) -> &SandboxConfig {
        &self.config
    }

    pub(crate) fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    pub(crate) fn wake(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    /// A payer's transaction of `amount_units` to the invoice enters the mempool.
    pub async fn pay(&self, provider_ref: &str, amount_units: u128) -> StoreResult<SandboxTx> {
        let reference = provider_ref.to_owned();
        let tx = self
            .ledger
            .run(move |l| l.add_tx(&reference, amount_units, crate::domain::now_ms()))
            .await?;
        self.wake.notify_one();
        Ok(tx)
    }
}

#[async_trait]
impl Provider for SandboxProvider {
    fn name(&self) -> &'static str {
        "sandbox"
    }

    async fn quote(&self, coin: &Coin, fiat: &str) -> anyhow::Result<Option<Quote>> {
        let rate = self
            .config
            .rates
            .get(coin.code)
            .and_then(|per_fiat| per_fiat.get(&fiat.to_ascii_uppercase()))
            .copied()
            .filter(|r| !r.is_zero())
            .ok_or_else(|| anyhow::anyhow!("the sandbox has no {}/{fiat} rate", coin.code))?;
        Ok(Some(Quote {
            rate,
            valid_for: self.config.rate_lock,
        }))
    }

    async fn create_invoice(&self, request: &NewInvoice) -> anyhow::Result<InvoiceSnapshot> {
        let amount = request
            .amount
            .ok_or_else(|| anyhow::anyhow!("the sandbox needs the amount in the coin"))?;
        let invoice = SandboxInvoice {
            reference: format!("sbx_inv_{}", request.payment_id.trim_start_matches("PAY-")),
            currency: request.coin.code.to_owned(),
            network: request.coin.network.to_owned(),
            address: address::derive_address(
                self.config.seed.expose(),
                request.coin.network,
                &request.payment_id,
                request.coin.address,
            ),
            amount,
            confirmations_required: request.coin.confirmations_required,
            created_at_ms: crate::domain::now_ms(),
        };
        let stored = invoice.clone();
        self.ledger
            .run(move |l| l.create_invoice(&stored))
            .await
            .map_err(|e| anyhow::anyhow!("storing the sandbox invoice: {e}"))?;
        Ok(snapshot(&invoice, &[]))
    }

    async fn fetch_invoice(
        &self,
        provider_ref: &str,
        _decimals: u8,
    ) -> anyhow::Result<InvoiceSnapshot> {
        let reference = provider_ref.to_owned();
        let found = self
            .ledger
            .run(move |l| l.invoice(&reference))
            .await
            .map_err(|e| anyhow::anyhow!("reading the sandbox invoice: {e}"))?;
        let (invoice, txs) =
            found.ok_or_else(|| anyhow::anyhow!("no sandbox invoice {provider_ref}"))?;
        Ok(snapshot(&invoice, &txs))
    }

    fn verify_webhook(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), WebhookError> {
        let header = match headers.get(SIGNATURE_HEADER) {
            None => None,
            Some(v) => Some(v.to_str().map_err(|_| WebhookError::MalformedSignature)?),
        };
        verify(&self.config.webhook_secret, header, body)
    }

    fn parse_webhook(&self, body: &[u8]) -> Result<WebhookNotice, WebhookError> {
        let event: SandboxWebhook =
            serde_json::from_slice(body).map_err(|e| WebhookError::BadPayload(e.to_string()))?;
        if event.id.is_empty() || event.id.len() > 200 {
            return Err(WebhookError::BadPayload(
                "id must be 1 to 200 characters".into(),
            ));
        }
        Ok(WebhookNotice {
            event_id: event.id,
            provider_ref: Some(event.invoice_ref),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_only_for_the_exact_body_and_secret() {
        let secret = Secret::new("s3cret");
        let body = br#"{"id":"e1"}"#;
        let header = sign(&secret, body);
        assert!(header.starts_with("sha256="));
        assert_eq!(verify(&secret, Some(&header), body), Ok(()));
        assert_eq!(
            verify(&secret, Some(&header), br#"{"id":"e2"}"#),
            Err(WebhookError::BadSignature)
        );
        assert_eq!(
            verify(&Secret::new("other"), Some(&header), body),
            Err(WebhookError::BadSignature)
        );
        assert_eq!(
            verify(&secret, None, body),
            Err(WebhookError::MissingSignature)
        );
        assert_eq!(
            verify(&secret, Some("md5=abc"), body),
            Err(WebhookError::MalformedSignature)
        );
        assert_eq!(
            verify(&secret, Some("sha256=zz"), body),
            Err(WebhookError::MalformedSignature)
        );
    }
}
