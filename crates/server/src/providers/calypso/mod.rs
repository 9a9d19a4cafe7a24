//! Calypso Pay: once the payer picks a coin, a SINGLE invoice (price in that coin) or a
//! SINGLE_FIAT invoice (price in fiat, converted by Calypso) is created with our payment's
//! uuid as its idempotency key, which is also how we find it again. Webhooks are signed with
//! the subscription's secret; interventions are resolved with return-to-paid and
//! close-intervention.

pub mod client;
pub mod mapping;
pub mod model;

use std::collections::BTreeMap;

use async_trait::async_trait;
use axum::http::HeaderMap;
use hmac::Hmac;
use serde::Serialize;
use serde_json::value::RawValue;
use sha2::Sha512;

use self::client::CalypsoClient;
use self::model::{Invoice, LinkedWidget, Notification};
use super::http::{HttpClient, HttpSettings};
use super::settings::Section;
use super::webhook_auth::{header, secrets_equal, verify_hex_mac};
use super::wire::json_number as number;
use super::{
    idempotency_key, provider_currency, InvoiceSnapshot, NewInvoice, Provider, Quote, WebhookError,
    WebhookNotice,
};
use crate::config::Secret;
use crate::domain::currency::Coin;
use crate::domain::now_ms;
use crate::domain::state_machine::Resolution;

pub const CREATE_SINGLE: &str = "/api/v1/invoice/single/create";
pub const CREATE_SINGLE_FIAT: &str = "/api/v1/invoice/single-fiat/create";
pub const GET_INVOICE: &str = "/api/v1/invoice";
pub const RETURN_TO_PAID: &str = "/api/v1/invoice/return-to-paid";
pub const CLOSE_INTERVENTION: &str = "/api/v1/invoice/close-intervention";
pub const CREATE_LINKED_WIDGET: &str = "/api/v1/payment-widget/unlimited-linked/create";
pub const FIND_LINKED_WIDGET: &str = "/api/v1/payment-widget/unlimited-linked/find";

/// How long Calypso holds a fiat rate: 15 minutes, 60 for BTC (its documentation).
fn fiat_rate_hold_ms(coin: &Coin) -> i64 {
    if coin.code == "BTC" {
        60 * 60_000
    } else {
        15 * 60_000
    }
}

#[derive(Debug, Clone)]
pub struct CalypsoConfig {
    pub base_url: String,
    pub account: String,
    pub api_key: Secret,
    pub secret_key: Secret,
    pub webhook_secret: Secret,
    /// When set, a webhook's `Key` header must equal it.
    pub webhook_key: Option<Secret>,
    pub http: HttpSettings,
    pub currencies: BTreeMap<String, String>,
}

impl CalypsoConfig {
    /// From the `[calypso]` section; `None` when nothing is configured.
    pub fn from_section(s: &Section) -> anyhow::Result<Option<CalypsoConfig>> {
        if s.is_empty() {
            return Ok(None);
        }
        s.require(
            "calypso",
            &[
                "base_url",
                "account",
                "api_key",
                "api_secret",
                "webhook_secret",
            ],
        )?;
        Ok(Some(CalypsoConfig {
            base_url: s.base_url(),
            account: s.account.clone().unwrap_or_default(),
            api_key: s.api_key.clone().expect("required"),
            secret_key: s.api_secret.clone().expect("required"),
            webhook_secret: s.webhook_secret.clone().expect("required"),
            webhook_key: s.webhook_key.clone(),
            http: s.http("calypso")?,
            currencies: s.currencies.clone().unwrap_or_default(),
        }))
    }
}

pub struct CalypsoProvider {
    client: CalypsoClient,
    config: CalypsoConfig,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreateSingle<'a> {
    currency: String,
    amount: Box<RawValue>,
    /// SINGLE_FIAT only: the fiat the amount is in (field name not shown publicly).
    #[serde(skip_serializing_if = "Option::is_none")]
    fiat_currency: Option<&'a str>,
    description: &'a str,
    idempotency_key: String,
    external_id: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ByKey<'a> {
    idempotency_key: &'a str,
}

#[derive(Serialize)]
struct ById<'a> {
    id: &'a str,
}

/// A reusable payer link (`…/pay?widgetKey={idempotencyKey}`) for a set of coins.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewLinkedWidget {
    pub crypto_currencies: Vec<String>,
    pub description: String,
    pub idempotency_key: String,
    pub external_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub support_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
}

impl CalypsoProvider {
    pub fn new(config: CalypsoConfig) -> anyhow::Result<CalypsoProvider> {
        Ok(CalypsoProvider {
            client: CalypsoClient {
                http: HttpClient::new(config.http)?,
                base_url: config.base_url.clone(),
                account: config.account.clone(),
                api_key: config.api_key.clone(),
                secret_key: config.secret_key.clone(),
            },
            config,
        })
    }

    async fn invoice(&self, key: &str) -> anyhow::Result<Invoice> {
        self.client
            .call(
                "calypso get invoice",
                GET_INVOICE,
                ByKey {
                    idempotency_key: key,
                },
            )
            .await
    }

    /// Creates the unlimited linked widget (the provider-hosted reusable link).
    pub async fn create_linked_widget(
        &self,
        widget: &NewLinkedWidget,
    ) -> anyhow::Result<LinkedWidget> {
        self.client
            .call("calypso create widget", CREATE_LINKED_WIDGET, widget)
            .await
    }

    /// The widget with the invoices its payers opened (one per coin picked).
    pub async fn find_linked_widget(&self, key: &str) -> anyhow::Result<LinkedWidget> {
        self.client
            .call(
                "calypso find widget",
                FIND_LINKED_WIDGET,
                ByKey {
                    idempotency_key: key,
                },
            )
            .await
    }
}

#[async_trait]
impl Provider for CalypsoProvider {
    fn name(&self) -> &'static str {
        "calypso"
    }

    async fn quote(&self, _coin: &Coin, _fiat: &str) -> anyhow::Result<Option<Quote>> {
        // SINGLE_FIAT: Calypso converts, and its invoice tells the amount.
        Ok(None)
    }

    async fn create_invoice(&self, request: &NewInvoice) -> anyhow::Result<InvoiceSnapshot> {
        let key = idempotency_key(&request.payment_id);
        let currency = provider_currency(&self.config.currencies, &request.coin);
        let (path, body) = match (&request.amount, &request.fiat) {
            (Some(amount), _) => (
                CREATE_SINGLE,
                CreateSingle {
                    currency,
                    amount: number(*amount),
                    fiat_currency: None,
                    description: &request.title,
                    idempotency_key: key.clone(),
                    external_id: &request.checkout_id,
                },
            ),
            (None, Some(fiat)) => (
                CREATE_SINGLE_FIAT,
                CreateSingle {
                    currency,
                    amount: number(fiat.amount),
                    fiat_currency: Some(&fiat.currency),
                    description: &request.title,
                    idempotency_key: key.clone(),
                    external_id: &request.checkout_id,
                },
            ),
            (None, None) => anyhow::bail!("an invoice needs an amount in the coin or in fiat"),
        };
        let invoice: Invoice = self
            .client
            .call("calypso create invoice", path, body)
            .await?;
        let mut snapshot = mapping::snapshot(&invoice, &key, request.coin.decimals);
        if snapshot.address.is_empty() {
            anyhow::bail!("calypso create invoice: the answer has no invoiceAddress");
        }
        if request.amount.is_none() {
            if snapshot.amount.is_none_or(|a| a.is_zero()) {
                anyhow::bail!("calypso create invoice: the fiat invoice has no amount");
            }
            snapshot.rate_expires_at_ms = Some(now_ms() + fiat_rate_hold_ms(&request.coin));
        }
        Ok(snapshot)
    }

    async fn fetch_invoice(
        &self,
        provider_ref: &str,
        decimals: u8,
    ) -> anyhow::Result<InvoiceSnapshot> {
        let invoice = self.invoice(provider_ref).await?;
        Ok(mapping::snapshot(&invoice, provider_ref, decimals))
    }

    fn verify_webhook(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), WebhookError> {
        if let Some(expected) = &self.config.webhook_key {
            let key = header(headers, "key")?.ok_or(WebhookError::MissingSignature)?;
            if !secrets_equal(key, expected.expose()) {
                return Err(WebhookError::BadSignature);
            }
        }
        verify_hex_mac::<Hmac<Sha512>>(
            self.config.webhook_secret.expose().as_bytes(),
            header(headers, "sign")?,
            body,
        )
    }

    fn parse_webhook(&self, body: &[u8]) -> Result<WebhookNotice, WebhookError> {
        let event: Notification =
            serde_json::from_slice(body).map_err(|e| WebhookError::BadPayload(e.to_string()))?;
        let event_id = event
            .id
            .filter(|id| !id.is_empty() && id.len() <= 200)
            .ok_or_else(|| WebhookError::BadPayload("id (the event id) is required".into()))?;
        let data = event.data;
        if let Some(parent) = data.as_ref().and_then(|d| d.parent_external_id.as_deref()) {
            tracing::debug!(parent, "calypso event from a linked widget");
        }
        Ok(WebhookNotice {
            event_id,
            provider_ref: data.and_then(|d| d.idempotency_key),
        })
    }

    async fn resolve_conflict(
        &self,
        provider_ref: &str,
        resolution: Resolution,
    ) -> anyhow::Result<()> {
        let invoice = self.invoice(provider_ref).await?;
        let open_intervention =
            invoice.intervention_type.is_some() && invoice.is_intervention_resolved != Some(true);
        let Some(id) = invoice.id.as_deref().filter(|_| open_intervention) else {
            // A CONFLICT of our own tolerances (or one already settled): nothing to tell.
            return Ok(());
        };
        if resolution == Resolution::MarkPaid
            && invoice.state.as_deref() == Some("PENDING_INTERVENTION")
        {
            let _: serde_json::Value = self
                .client
                .call("calypso return-to-paid", RETURN_TO_PAID, ById { id })
                .await?;
        }
        let _: serde_json::Value = self
            .client
            .call(
                "calypso close-intervention",
                CLOSE_INTERVENTION,
                ById { id },
            )
            .await?;
        Ok(())
    }
}
