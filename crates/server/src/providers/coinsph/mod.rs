//! Coins.ph, as documented: a checkout priced in pesos offers one option, the payer's Coins.ph
//! wallet; picking it creates a payment request for the price in `PHP` (no rate: the request is
//! in the checkout's own currency), naming the payer (`payer_contact_info`, required) and our
//! checkout id (`message`), and the payer pays on the request's `payment_url`. Coins.ph tracks
//! it with an invoice, whose id is our reference (callbacks carry the invoice id, not the
//! request's). Coin prices are not offered: the public documentation shows only peso requests
//! (an assumption, see the README). API calls are signed with Coins.ph's HMAC scheme (`Access-Key`,
//! `Access-Nonce`, `Access-Signature` = hex HMAC-SHA256 of nonce + URL + body). Callbacks
//! carry only `Authorization: Token <merchant API token>`: compared in constant time, then the
//! invoice is re-read, since nothing signs the body.

pub mod client;
pub mod mapping;
pub mod model;
pub mod nonce;
pub mod webhook;

use async_trait::async_trait;
use http::HeaderMap;

use self::client::CoinsphClient;
use self::model::NewPaymentRequest;
use super::{
    provider_currency, InvoiceSnapshot, NewInvoice, Provider, Quote, WebhookError, WebhookNotice,
};
use crate::config::CoinsphConfig;
use protocol::Amount;

use crate::domain::currency::{Coin, Denomination, COINSPH_NETWORK};

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

    /// Payment requests are priced in pesos; nothing else is documented.
    fn takes_price_in(&self, denomination: Denomination) -> bool {
        denomination.is_fiat() && denomination.code() == PESOS
    }

    fn price_hint(&self) -> &'static str {
        "Coins.ph payment requests are priced in pesos: price this checkout in PHP"
    }

    /// Only the payer's Coins.ph wallet, paid on Coins.ph's page.
    fn offers(&self, coin: &Coin) -> bool {
        coin.paid_on_page() && coin.network == COINSPH_NETWORK
    }

    async fn quote(&self, coin: &Coin, fiat: &str) -> anyhow::Result<Option<Quote>> {
        anyhow::bail!(
            "Coins.ph documents no rate: a {fiat} price cannot be converted to {}",
            coin.code
        )
    }

    async fn create_invoice(&self, request: &NewInvoice) -> anyhow::Result<InvoiceSnapshot> {
        let coin = &request.coin;
        if !self.offers(coin) {
            anyhow::bail!(
                "Coins.ph takes payments from a Coins.ph wallet only, not {}",
                coin.code
            );
        }
        let amount = request
            .amount
            .ok_or_else(|| anyhow::anyhow!("Coins.ph needs the amount in pesos"))?;
        let contact = request.payer_contact.as_deref().ok_or_else(|| {
            anyhow::anyhow!("Coins.ph needs the payer's contact (payer_contact_info)")
        })?;
        let currency = provider_currency(&self.config.currencies, coin);
        let payment_request = NewPaymentRequest {
            payer_contact_info: contact,
            receiving_account: &self.config.receiving_account,
            amount: request_amount(amount)?,
            currency: currency.clone(),
            message: message(&request.checkout_id, &request.title),
        };
        let created = self.client.create_payment_request(&payment_request).await?;
        mapping::created(created, &amount, &currency, coin.decimals)
    }

    async fn fetch_invoice(
        &self,
        provider_ref: &str,
        decimals: u8,
    ) -> anyhow::Result<InvoiceSnapshot> {
        let invoice = self.client.invoice(provider_ref).await?;
        Ok(mapping::snapshot(&invoice, provider_ref, decimals))
    }

    async fn verify_webhook(&self, headers: &HeaderMap, _body: &[u8]) -> Result<(), WebhookError> {
        webhook::verify(&self.config, headers)
    }

    fn parse_webhook(&self, body: &[u8]) -> Result<WebhookNotice, WebhookError> {
        webhook::parse(body)
    }
}

/// The currency of Coins.ph's payment requests.
const PESOS: &str = "PHP";

/// The amount as the documented example writes it: a decimal string at 8 places.
fn request_amount(amount: Amount) -> anyhow::Result<String> {
    amount
        .with_scale(8)
        .map(|a| a.to_string())
        .ok_or_else(|| anyhow::anyhow!("the amount {amount} does not fit 8 decimal places"))
}

/// The request's message: what is paid for, and our checkout id, by which the merchant finds the
/// request in Coins.ph. Cut to 200 characters of the name so the id is always whole.
fn message(checkout_id: &str, title: &str) -> String {
    let title: String = title.chars().take(200).collect();
    format!("{title} (checkout {checkout_id})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_carries_the_documented_amount_form_and_our_checkout_id() {
        let amount = Amount::parse("20").unwrap();
        assert_eq!(request_amount(amount).unwrap(), "20.00000000");
        let m = message("CCO-1", &"x".repeat(300));
        assert!(m.ends_with("(checkout CCO-1)") && m.len() < 230, "{m}");
    }
}
