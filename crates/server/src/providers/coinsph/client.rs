//! Coins.ph's API, signed with its HMAC scheme: `Access-Key`, `Access-Nonce` and
//! `Access-Signature` = hex HMAC-SHA256 of nonce + URL + body, fresh for every attempt, each
//! nonce from the key's [`NonceLane`].

use std::sync::Arc;

use hmac::Hmac;
use reqwest::Method;
use sha2::Sha256;

use super::model::{Invoice, NewPaymentRequest, PaymentRequestBody};
use super::nonce::NonceLane;
use crate::config::{CoinsphConfig, Secret};
use crate::providers::json_api::{Call, JsonApi};
use crate::providers::webhook_auth::hex_mac;

pub const PAYMENT_REQUESTS: &str = "/api/v3/payment-requests/";

/// One invoice: `GET /api/v3/invoices/{id}/` (assumed: not in the public summary).
pub fn invoice_path(id: &str) -> String {
    format!("/api/v3/invoices/{id}/")
}

/// Hex HMAC-SHA256 of `nonce + url + body` under the API secret.
pub fn sign(secret: &Secret, nonce: &str, url: &str, body: &[u8]) -> String {
    let mut message = Vec::with_capacity(nonce.len() + url.len() + body.len());
    message.extend_from_slice(nonce.as_bytes());
    message.extend_from_slice(url.as_bytes());
    message.extend_from_slice(body);
    hex_mac::<Hmac<Sha256>>(secret.expose().as_bytes(), &message)
}

#[derive(Clone)]
pub struct CoinsphClient {
    api: JsonApi,
    api_key: Secret,
    api_secret: Secret,
    /// This key's nonces and turn, shared with every client of the same key.
    lane: Arc<NonceLane>,
}

impl CoinsphClient {
    pub fn new(config: &CoinsphConfig) -> anyhow::Result<CoinsphClient> {
        Ok(CoinsphClient {
            api: JsonApi::new(
                config.http,
                &config.base_url,
                &["invoice", "payment-request"],
            )?,
            api_key: config.api_key.clone(),
            api_secret: config.api_secret.clone(),
            lane: NonceLane::of(config.api_key.expose()),
        })
    }

    async fn call<T: serde::de::DeserializeOwned>(&self, call: Call<'_>) -> anyhow::Result<T> {
        // One request of this key in flight at a time, so nonces arrive in the order given.
        let _turn = self.lane.turn().await;
        self.api
            .call(call, |request, url, body| {
                // A fresh nonce (and so a fresh signature) for every attempt.
                let nonce = self.lane.next().to_string();
                let signature = sign(&self.api_secret, &nonce, url, body);
                request
                    .header("Access-Key", self.api_key.expose())
                    .header("Access-Nonce", nonce)
                    .header("Access-Signature", signature)
                    .header("Accept", "application/json")
            })
            .await
    }

    pub async fn create_payment_request(
        &self,
        request: &NewPaymentRequest<'_>,
    ) -> anyhow::Result<PaymentRequestBody> {
        self.call(Call {
            name: "coinsph create payment request",
            method: Method::POST,
            path: PAYMENT_REQUESTS,
            body: Some(serde_json::to_vec(request)?),
        })
        .await
    }

    pub async fn invoice(&self, id: &str) -> anyhow::Result<Invoice> {
        self.call(Call {
            name: "coinsph get invoice",
            method: Method::GET,
            path: &invoice_path(id),
            body: None,
        })
        .await
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
