//! Coins.ph: once the payer picks a coin, a payment request in that coin is created; Coins.ph
//! tracks it with an invoice, whose id is our reference (callbacks carry the invoice id, not
//! the request's). API calls are signed with Coins.ph's HMAC scheme (`Access-Key`,
//! `Access-Nonce`, `Access-Signature` = hex HMAC-SHA256 of nonce + URL + body). Callbacks
//! carry only `Authorization: Token <merchant API token>`: compared in constant time, then the
//! invoice is re-read, since nothing signs the body.

pub mod model;

use std::collections::BTreeMap;

use async_trait::async_trait;
use axum::http::HeaderMap;
use hmac::Hmac;
use serde::de::DeserializeOwned;
use sha2::Sha256;

use self::model::{Callback, Invoice, NewPaymentRequest, PaymentRequestBody};
use super::decimal::{ceil_to_scale, floor_units};
use super::http::{HttpClient, HttpSettings};
use super::settings::Section;
use super::webhook_auth::{body_digest_id, header, hex_mac, secrets_equal};
use super::wire::{json_number, unwrap_under};
use super::{
    provider_currency, InvoiceSnapshot, NewInvoice, Provider, Quote, WebhookError, WebhookNotice,
};
use crate::config::Secret;
use crate::domain::currency::Coin;
use crate::domain::now_ms;
use crate::domain::state_machine::Funds;

pub const PAYMENT_REQUESTS: &str = "/api/v3/payment-requests/";

/// One invoice: `GET /api/v3/invoices/{id}/` (assumed: not in the public summary).
pub fn invoice_path(id: &str) -> String {
    format!("/api/v3/invoices/{id}/")
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

impl CoinsphConfig {
    pub fn from_section(s: &Section) -> anyhow::Result<Option<CoinsphConfig>> {
        if s.is_empty() {
            return Ok(None);
        }
        s.require(
            "coinsph",
            &[
                "base_url",
                "api_key",
                "api_secret",
                "merchant_api_token",
                "receiving_account",
            ],
        )?;
        Ok(Some(CoinsphConfig {
            base_url: s.base_url(),
            api_key: s.api_key.clone().expect("required"),
            api_secret: s.api_secret.clone().expect("required"),
            merchant_api_token: s.merchant_api_token.clone().expect("required"),
            receiving_account: s.receiving_account.clone().unwrap_or_default(),
            http: s.http("coinsph")?,
            currencies: s.currencies.clone().unwrap_or_default(),
        }))
    }
}

/// Hex HMAC-SHA256 of `nonce + url + body` under the API secret.
pub fn sign(secret: &Secret, nonce: &str, url: &str, body: &[u8]) -> String {
    let mut message = Vec::with_capacity(nonce.len() + url.len() + body.len());
    message.extend_from_slice(nonce.as_bytes());
    message.extend_from_slice(url.as_bytes());
    message.extend_from_slice(body);
    hex_mac::<Hmac<Sha256>>(secret.expose().as_bytes(), &message)
}

/// A nonce that only grows: microseconds since the epoch.
fn nonce() -> String {
    (now_ms().saturating_mul(1000) + i64::from(uuid::Uuid::new_v4().as_u128() as u16 % 1000))
        .to_string()
}

pub struct CoinsphProvider {
    http: HttpClient,
    config: CoinsphConfig,
}

impl CoinsphProvider {
    pub fn new(config: CoinsphConfig) -> anyhow::Result<CoinsphProvider> {
        Ok(CoinsphProvider {
            http: HttpClient::new(config.http)?,
            config,
        })
    }

    async fn call<T: DeserializeOwned>(
        &self,
        call: &'static str,
        method: reqwest::Method,
        path: &str,
        body: Vec<u8>,
    ) -> anyhow::Result<T> {
        let url = format!("{}{path}", self.config.base_url);
        let answer = self
            .http
            .send(call, |c| {
                // A fresh nonce (and so a fresh signature) for every attempt.
                let nonce = nonce();
                let signature = sign(&self.config.api_secret, &nonce, &url, &body);
                let mut req = c
                    .request(method.clone(), &url)
                    .header("Access-Key", self.config.api_key.expose())
                    .header("Access-Nonce", nonce)
                    .header("Access-Signature", signature)
                    .header("Accept", "application/json");
                if !body.is_empty() {
                    req = req
                        .header("Content-Type", "application/json")
                        .body(body.clone());
                }
                req
            })
            .await?;
        unwrap_under(&answer, &["invoice", "payment-request"]).map_err(|e| e.context(call))
    }

    fn snapshot(&self, invoice: &Invoice, reference: &str, decimals: u8) -> InvoiceSnapshot {
        let received = invoice
            .amount_received
            .map(|a| floor_units(a, decimals))
            .unwrap_or(0);
        // Wallet transfers settle at once: what Coins.ph counts as received is final.
        let funds = Funds {
            seen_units: received,
            confirmed_units: received,
            confirmations: if received > 0 { u32::MAX } else { 0 },
            first_seen_at_ms: (received > 0).then(now_ms),
            signal: None,
        };
        let state = invoice.status.clone().unwrap_or_else(|| {
            let due = invoice
                .amount
                .map(|a| floor_units(a, decimals))
                .unwrap_or(0);
            match received {
                0 => "pending",
                r if r < due => "partially_paid",
                _ => "fully_paid",
            }
            .to_owned()
        });
        InvoiceSnapshot {
            provider_ref: reference.to_owned(),
            address: String::new(),
            funds,
            provider_state: state,
            amount: invoice.amount.and_then(|a| ceil_to_scale(a, decimals)),
            rate_expires_at_ms: None,
        }
    }
}

#[async_trait]
impl Provider for CoinsphProvider {
    fn name(&self) -> &'static str {
        "coinsph"
    }

    /// Payment requests are priced in the coin and no rate is documented.
    fn prices_in_fiat(&self) -> bool {
        false
    }

    async fn quote(&self, coin: &Coin, fiat: &str) -> anyhow::Result<Option<Quote>> {
        anyhow::bail!(
            "Coins.ph payment requests are priced in the coin; a {fiat} price cannot be \
             converted to {} (no rate is documented)",
            coin.code
        )
    }

    async fn create_invoice(&self, request: &NewInvoice) -> anyhow::Result<InvoiceSnapshot> {
        let amount = request
            .amount
            .ok_or_else(|| anyhow::anyhow!("Coins.ph needs the amount in the coin"))?;
        let body = serde_json::to_vec(&NewPaymentRequest {
            receiving_account: &self.config.receiving_account,
            amount: json_number(amount),
            currency: provider_currency(&self.config.currencies, &request.coin),
            message: &request.title,
        })?;
        let created: PaymentRequestBody = self
            .call(
                "coinsph create payment request",
                reqwest::Method::POST,
                PAYMENT_REQUESTS,
                body,
            )
            .await?;
        let invoice = created
            .invoice
            .filter(|i| !i.is_empty())
            .ok_or_else(|| anyhow::anyhow!("coinsph: the payment request has no invoice"))?;
        let url = created
            .payment_url
            .filter(|u| !u.is_empty())
            .ok_or_else(|| anyhow::anyhow!("coinsph: the payment request has no payment_url"))?;
        Ok(InvoiceSnapshot {
            provider_ref: invoice,
            // No address: the payer pays through the payment page.
            address: url,
            funds: Funds::default(),
            provider_state: created.status.unwrap_or_else(|| "pending".to_owned()),
            amount: created
                .amount
                .and_then(|a| ceil_to_scale(a, request.coin.decimals)),
            rate_expires_at_ms: None,
        })
    }

    async fn fetch_invoice(
        &self,
        provider_ref: &str,
        decimals: u8,
    ) -> anyhow::Result<InvoiceSnapshot> {
        let invoice: Invoice = self
            .call(
                "coinsph get invoice",
                reqwest::Method::GET,
                &invoice_path(provider_ref),
                Vec::new(),
            )
            .await?;
        Ok(self.snapshot(&invoice, provider_ref, decimals))
    }

    fn verify_webhook(&self, headers: &HeaderMap, _body: &[u8]) -> Result<(), WebhookError> {
        let value = header(headers, "authorization")?.ok_or(WebhookError::MissingSignature)?;
        let token = value
            .strip_prefix("Token ")
            .ok_or(WebhookError::MalformedSignature)?;
        if secrets_equal(token.trim(), self.config.merchant_api_token.expose()) {
            Ok(())
        } else {
            Err(WebhookError::BadSignature)
        }
    }

    fn parse_webhook(&self, body: &[u8]) -> Result<WebhookNotice, WebhookError> {
        let callback: Callback =
            serde_json::from_slice(body).map_err(|e| WebhookError::BadPayload(e.to_string()))?;
        let id = callback
            .event
            .data
            .id
            .filter(|id| !id.is_empty())
            .ok_or_else(|| WebhookError::BadPayload("event.data.id is required".into()))?;
        Ok(WebhookNotice {
            // No event id is documented: the same bytes delivered again are the same event.
            event_id: body_digest_id(body),
            provider_ref: Some(id),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_covers_nonce_url_and_body() {
        let s = Secret::new("secret");
        let a = sign(&s, "1", "https://x/api", b"{}");
        assert_eq!(a, hex_mac::<Hmac<Sha256>>(b"secret", b"1https://x/api{}"));
        assert_ne!(a, sign(&s, "2", "https://x/api", b"{}"));
    }
}
