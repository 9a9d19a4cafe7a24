//! Inqud crypto acquiring: once the payer picks a coin, an Inqud checkout (FIXED_PRICE, in
//! the checkout's fiat or the coin's plain code; Inqud converts) and its request for that coin
//! and network are opened; the checkout id is our reference. The checkout is made in
//! [`Provider::reserve_invoice`], so the server stores its id before the request is opened and a
//! retried pick continues with it: one Inqud checkout per payment of ours. API calls are signed
//! with the token headers or Inqud's HMAC variant (`auth`); webhooks carry `X-Payload-Digest`
//! (hex HMAC-SHA1 of the raw body), which we require although Inqud makes the secret optional.

pub mod client;
pub mod mapping;
pub mod model;
pub mod webhook;

use async_trait::async_trait;
use http::HeaderMap;

use self::client::InqudClient;
use self::model::{Checkout, FixedAmount, NewCheckout, NewRequest};
pub use self::webhook::DIGEST_HEADER;
use super::failure::Declined;
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

    /// Inqud's checkout for our payment (`clientOrderId` is our payment id); returns its id.
    async fn create_checkout(&self, request: &NewInvoice) -> anyhow::Result<String> {
        let new_checkout = NewCheckout {
            client_order_id: &request.payment_id,
            expires_at: rfc3339(request.expires_at_ms),
            name: &request.title,
            return_url: request.return_url.as_deref(),
            kind: "FIXED_PRICE",
            fixed_amount: fixed_amount(request)?,
        };
        let created = self.client.create_checkout(&new_checkout).await?;
        created
            .id
            .filter(|id| !id.is_empty())
            .ok_or_else(|| anyhow::anyhow!("inqud create checkout: no id in the answer"))
    }

    /// Checkout `id` with the payer's request for `coin`, opened unless an earlier attempt of
    /// the same pick opened it (a checkout holds one request). Read back and checked against
    /// the coin asked for before anything is shown.
    async fn with_request(&self, id: &str, coin: &Coin) -> anyhow::Result<Checkout> {
        let wanted = NewRequest {
            currency: provider_currency(&self.config.currencies, coin),
            blockchain: coin.network.to_owned(),
        };
        let mut checkout = self.client.checkout(id).await?;
        if checkout.request.is_none() {
            self.client.open_request(id, &wanted).await?;
            checkout = self.client.checkout(id).await?;
        }
        let request = checkout
            .request
            .as_ref()
            .ok_or_else(|| anyhow::anyhow!("inqud checkout {id}: no request after opening it"))?;
        let opened = (request.currency.as_deref(), request.blockchain.as_deref());
        if opened
            != (
                Some(wanted.currency.as_str()),
                Some(wanted.blockchain.as_str()),
            )
        {
            return Err(Declined(format!(
                "inqud checkout {id}: its request is for {opened:?}, not {}/{}",
                wanted.currency, wanted.blockchain
            ))
            .into());
        }
        Ok(checkout)
    }
}

/// The price Inqud converts: the fiat price, or the coin amount under the coin's plain code
/// (the configured map names the request's currency only).
fn fixed_amount(request: &NewInvoice) -> anyhow::Result<FixedAmount> {
    Ok(match (&request.amount, &request.fiat) {
        (Some(amount), _) => FixedAmount {
            amount: number(*amount),
            currency: request.coin.code.to_owned(),
        },
        (None, Some(fiat)) => FixedAmount {
            amount: number(fiat.amount),
            currency: fiat.currency.clone(),
        },
        (None, None) => anyhow::bail!("a checkout needs an amount"),
    })
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

    async fn reserve_invoice(&self, request: &NewInvoice) -> anyhow::Result<Option<String>> {
        self.create_checkout(request).await.map(Some)
    }

    async fn create_invoice(&self, request: &NewInvoice) -> anyhow::Result<InvoiceSnapshot> {
        let id = match &request.reserved_ref {
            Some(id) => id.clone(),
            None => self.create_checkout(request).await?,
        };
        let checkout = self.with_request(&id, &request.coin).await?;
        let snapshot = mapping::snapshot(&checkout, &id, request.coin.decimals);
        if snapshot.amount.is_none_or(|a| a.is_zero()) {
            return Err(Declined(format!("inqud checkout {id}: its request has no amount")).into());
        }
        // Checked before a payer sees it: an address of another network takes the funds
        // where nobody watches for them.
        request
            .coin
            .address
            .check(&snapshot.address)
            .map_err(|wrong| Declined(format!("inqud checkout {id}: {wrong}")))?;
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

    async fn verify_webhook(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), WebhookError> {
        webhook::verify(&self.config, headers, body)
    }

    fn parse_webhook(&self, body: &[u8]) -> Result<WebhookNotice, WebhookError> {
        webhook::parse(body)
    }
}
