//! Coins.ph: once the payer picks a coin, a payment request in that coin is created; Coins.ph
//! tracks it with an invoice, whose id is our reference (callbacks carry the invoice id, not
//! the request's). API calls are signed with Coins.ph's HMAC scheme (`Access-Key`,
//! `Access-Nonce`, `Access-Signature` = hex HMAC-SHA256 of nonce + URL + body). Callbacks
//! carry only `Authorization: Token <merchant API token>`: compared in constant time, then the
//! invoice is re-read, since nothing signs the body.

pub mod client;
pub mod mapping;
pub mod model;
pub mod webhook;

use async_trait::async_trait;
use http::HeaderMap;

use self::client::CoinsphClient;
use self::model::NewPaymentRequest;
use super::wire::json_number;
use super::{
    provider_currency, InvoiceSnapshot, NewInvoice, Provider, Quote, WebhookError, WebhookNotice,
};
use crate::config::CoinsphConfig;
use crate::domain::currency::Coin;

pub struct CoinsphProvider {
    client: CoinsphClient,
    config: CoinsphConfig,
}

impl CoinsphProvider {
    pub fn new(config: CoinsphConfig) -> anyhow::Result<CoinsphProvider> {
        Ok(CoinsphProvider {
            client: CoinsphClient::new(&config)?,
            config,
        })
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
        let payment_request = NewPaymentRequest {
            receiving_account: &self.config.receiving_account,
            amount: json_number(amount),
            currency: provider_currency(&self.config.currencies, &request.coin),
            message: &request.title,
        };
        let created = self.client.create_payment_request(&payment_request).await?;
        mapping::created(created, request.coin.decimals)
    }

    async fn fetch_invoice(
        &self,
        provider_ref: &str,
        decimals: u8,
    ) -> anyhow::Result<InvoiceSnapshot> {
        let invoice = self.client.invoice(provider_ref).await?;
        Ok(mapping::snapshot(&invoice, provider_ref, decimals))
    }

    fn verify_webhook(&self, headers: &HeaderMap, _body: &[u8]) -> Result<(), WebhookError> {
        webhook::verify(&self.config, headers)
    }

    fn parse_webhook(&self, body: &[u8]) -> Result<WebhookNotice, WebhookError> {
        webhook::parse(body)
    }
}
