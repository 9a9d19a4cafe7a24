//! Inqud crypto acquiring: once the payer picks a coin, an Inqud checkout (FIXED_PRICE, in
//! the checkout's fiat or coin; Inqud converts) and its request for that coin and network are
//! created; the checkout id is our reference. API calls carry `X-Token-API-Id` and
//! `X-Token-API-Secret`; webhooks carry `X-Payload-Digest` (hex HMAC-SHA1 of the raw body),
//! which we require although Inqud makes the secret optional.

pub mod mapping;
pub mod model;

use std::collections::BTreeMap;

use async_trait::async_trait;
use axum::http::HeaderMap;
use hmac::Hmac;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use sha1::Sha1;

use self::model::{Checkout, FixedAmount, NewCheckout, NewRequest};
use super::http::{HttpClient, HttpSettings};
use super::settings::Section;
use super::webhook_auth::{body_digest_id, header, verify_hex_mac};
use super::wire::json_number as number;
use super::{
    provider_currency, InvoiceSnapshot, NewInvoice, Provider, Quote, WebhookError, WebhookNotice,
};
use crate::config::Secret;
use crate::domain::currency::Coin;
use crate::domain::rfc3339;

pub const DIGEST_HEADER: &str = "x-payload-digest";

#[derive(Debug, Clone)]
pub struct InqudConfig {
    pub base_url: String,
    /// The widget id (`CAP-…`).
    pub project_id: String,
    pub api_id: Secret,
    pub api_secret: Secret,
    pub webhook_secret: Secret,
    pub http: HttpSettings,
    pub currencies: BTreeMap<String, String>,
}

impl InqudConfig {
    pub fn from_section(s: &Section) -> anyhow::Result<Option<InqudConfig>> {
        if s.is_empty() {
            return Ok(None);
        }
        s.require(
            "inqud",
            &[
                "base_url",
                "project_id",
                "api_key",
                "api_secret",
                "webhook_secret",
            ],
        )?;
        Ok(Some(InqudConfig {
            base_url: s.base_url(),
            project_id: s.project_id.clone().unwrap_or_default(),
            api_id: s.api_key.clone().expect("required"),
            api_secret: s.api_secret.clone().expect("required"),
            webhook_secret: s.webhook_secret.clone().expect("required"),
            http: s.http("inqud")?,
            currencies: s.currencies.clone().unwrap_or_default(),
        }))
    }
}

/// `/v1/user/crypto-acquiring/{projectId}/checkouts` (documented).
pub fn checkouts_path(project_id: &str) -> String {
    format!("/v1/user/crypto-acquiring/{project_id}/checkouts")
}

/// One checkout: `GET …/checkouts/{id}` (assumed: not in the public summary).
pub fn checkout_path(project_id: &str, id: &str) -> String {
    format!("{}/{id}", checkouts_path(project_id))
}

/// The payer's request: `POST …/checkouts/{id}/request` (assumed: not in the public summary).
pub fn request_path(project_id: &str, id: &str) -> String {
    format!("{}/{id}/request", checkouts_path(project_id))
}

pub struct InqudProvider {
    http: HttpClient,
    config: InqudConfig,
}

/// The webhook body is the checkout; only its id matters before re-reading.
#[derive(Deserialize)]
struct Delivery {
    id: Option<String>,
}

impl InqudProvider {
    pub fn new(config: InqudConfig) -> anyhow::Result<InqudProvider> {
        Ok(InqudProvider {
            http: HttpClient::new(config.http)?,
            config,
        })
    }

    async fn call<T: DeserializeOwned>(
        &self,
        call: &'static str,
        method: reqwest::Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> anyhow::Result<T> {
        let url = format!("{}{path}", self.config.base_url);
        let answer = self
            .http
            .send(call, |c| {
                let mut req = c
                    .request(method.clone(), &url)
                    .header("X-Token-API-Id", self.config.api_id.expose())
                    .header("X-Token-API-Secret", self.config.api_secret.expose())
                    .header("Accept", "application/json");
                if let Some(body) = &body {
                    req = req
                        .header("Content-Type", "application/json")
                        .body(body.clone());
                }
                req
            })
            .await?;
        serde_json::from_slice(&answer)
            .map_err(|e| anyhow::anyhow!("{call}: unexpected answer: {e}"))
    }

    async fn checkout(&self, id: &str) -> anyhow::Result<Checkout> {
        self.call(
            "inqud get checkout",
            reqwest::Method::GET,
            &checkout_path(&self.config.project_id, id),
            None,
        )
        .await
    }
}

#[async_trait]
impl Provider for InqudProvider {
    fn name(&self) -> &'static str {
        "inqud"
    }

    async fn quote(&self, _coin: &Coin, _fiat: &str) -> anyhow::Result<Option<Quote>> {
        // fixedAmount may be fiat: Inqud converts and its request tells the amount to pay.
        Ok(None)
    }

    async fn create_invoice(&self, request: &NewInvoice) -> anyhow::Result<InvoiceSnapshot> {
        let currency = provider_currency(&self.config.currencies, &request.coin);
        let fixed_amount = match (&request.amount, &request.fiat) {
            (Some(amount), _) => FixedAmount {
                amount: number(*amount),
                currency: currency.clone(),
            },
            (None, Some(fiat)) => FixedAmount {
                amount: number(fiat.amount),
                currency: fiat.currency.clone(),
            },
            (None, None) => anyhow::bail!("a checkout needs an amount"),
        };
        let body = serde_json::to_vec(&NewCheckout {
            client_order_id: &request.payment_id,
            expires_at: rfc3339(request.expires_at_ms),
            name: &request.title,
            kind: "FIXED_PRICE",
            fixed_amount,
        })?;
        let created: Checkout = self
            .call(
                "inqud create checkout",
                reqwest::Method::POST,
                &checkouts_path(&self.config.project_id),
                Some(body),
            )
            .await?;
        let id = created
            .id
            .filter(|id| !id.is_empty())
            .ok_or_else(|| anyhow::anyhow!("inqud create checkout: no id in the answer"))?;
        let body = serde_json::to_vec(&NewRequest {
            currency,
            blockchain: request.coin.network.to_owned(),
        })?;
        let _: serde_json::Value = self
            .call(
                "inqud create request",
                reqwest::Method::POST,
                &request_path(&self.config.project_id, &id),
                Some(body),
            )
            .await?;
        // The request's address and amount, as Inqud holds them now.
        let checkout = self.checkout(&id).await?;
        let snapshot = mapping::snapshot(&checkout, &id, request.coin.decimals);
        if snapshot.address.is_empty() || snapshot.amount.is_none_or(|a| a.is_zero()) {
            anyhow::bail!("inqud: the checkout's request has no address or amount");
        }
        Ok(snapshot)
    }

    async fn fetch_invoice(
        &self,
        provider_ref: &str,
        decimals: u8,
    ) -> anyhow::Result<InvoiceSnapshot> {
        let checkout = self.checkout(provider_ref).await?;
        Ok(mapping::snapshot(&checkout, provider_ref, decimals))
    }

    fn verify_webhook(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), WebhookError> {
        verify_hex_mac::<Hmac<Sha1>>(
            self.config.webhook_secret.expose().as_bytes(),
            header(headers, DIGEST_HEADER)?,
            body,
        )
    }

    fn parse_webhook(&self, body: &[u8]) -> Result<WebhookNotice, WebhookError> {
        let delivery: Delivery =
            serde_json::from_slice(body).map_err(|e| WebhookError::BadPayload(e.to_string()))?;
        let id = delivery
            .id
            .filter(|id| !id.is_empty())
            .ok_or_else(|| WebhookError::BadPayload("id (the checkout id) is required".into()))?;
        Ok(WebhookNotice {
            // No event id is documented: the same bytes delivered again are the same event.
            event_id: body_digest_id(body),
            provider_ref: Some(id),
        })
    }
}
