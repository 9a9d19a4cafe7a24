//! Inqud crypto acquiring: once the payer picks a coin, an Inqud checkout (FIXED_PRICE, in
//! the checkout's fiat or coin; Inqud converts) and its request for that coin and network are
//! created; the checkout id is our reference. API calls carry `X-Token-API-Id` and
//! `X-Token-API-Secret`; webhooks carry `X-Payload-Digest` (hex HMAC-SHA1 of the raw body),
//! which we require although Inqud makes the secret optional.

pub mod client;
pub mod mapping;
pub mod model;
pub mod webhook;

use async_trait::async_trait;
use http::HeaderMap;

use self::client::InqudClient;
use self::model::{FixedAmount, NewCheckout, NewRequest};
pub use self::webhook::DIGEST_HEADER;
use super::wire::json_number as number;
use super::{
    provider_currency, InvoiceSnapshot, NewInvoice, Provider, Quote, WebhookError, WebhookNotice,
};
use crate::config::InqudConfig;
use crate::domain::currency::Coin;
use crate::domain::rfc3339;

pub struct InqudProvider {
    client: InqudClient,
    config: InqudConfig,
}

impl InqudProvider {
    pub fn new(config: InqudConfig) -> anyhow::Result<InqudProvider> {
        Ok(InqudProvider {
            client: InqudClient::new(&config)?,
            config,
        })
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
        let new_checkout = NewCheckout {
            client_order_id: &request.payment_id,
            expires_at: rfc3339(request.expires_at_ms),
            name: &request.title,
            kind: "FIXED_PRICE",
            fixed_amount,
        };
        let created = self.client.create_checkout(&new_checkout).await?;
        let id = created
            .id
            .filter(|id| !id.is_empty())
            .ok_or_else(|| anyhow::anyhow!("inqud create checkout: no id in the answer"))?;
        let new_request = NewRequest {
            currency,
            blockchain: request.coin.network.to_owned(),
        };
        self.client.create_request(&id, &new_request).await?;
        // The request's address and amount, as Inqud holds them now.
        let checkout = self.client.checkout(&id).await?;
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
        let checkout = self.client.checkout(provider_ref).await?;
        Ok(mapping::snapshot(&checkout, provider_ref, decimals))
    }

    fn verify_webhook(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), WebhookError> {
        webhook::verify(&self.config, headers, body)
    }

    fn parse_webhook(&self, body: &[u8]) -> Result<WebhookNotice, WebhookError> {
        webhook::parse(body)
    }
}
