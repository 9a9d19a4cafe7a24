//! Calypso's API: every call is a POST of `{timestamp, account, payload}`, serialized once;
//! `Sign` is the hex HMAC-SHA512 of exactly those bytes under the secret key.

use hmac::Hmac;
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;
use sha2::Sha512;

use super::model::{
    ById, ByKey, CreateSingle, Envelope, Invoice, LinkedWidget, NewLinkedWidget, NewSubscription,
    Subscription,
};
use crate::config::{CalypsoConfig, HttpSettings, Secret};
use crate::domain::now_ms;
use crate::providers::json_api::{Call, JsonApi};
use crate::providers::webhook_auth::hex_mac;
use crate::providers::wire::json_number;
use crate::providers::{idempotency_key, NewInvoice};

pub const CREATE_SINGLE: &str = "/api/v1/invoice/single/create";
pub const CREATE_SINGLE_FIAT: &str = "/api/v1/invoice/single-fiat/create";
pub const GET_INVOICE: &str = "/api/v1/invoice";
pub const RETURN_TO_PAID: &str = "/api/v1/invoice/return-to-paid";
pub const CLOSE_INTERVENTION: &str = "/api/v1/invoice/close-intervention";
pub const CREATE_LINKED_WIDGET: &str = "/api/v1/payment-widget/unlimited-linked/create";
pub const FIND_LINKED_WIDGET: &str = "/api/v1/payment-widget/unlimited-linked/find";
pub const CREATE_SUBSCRIPTION: &str = "/api/v1/subscription/webhook/create";

/// Lower-case hex HMAC-SHA512 of `body` under `secret`.
pub fn sign(secret: &Secret, body: &[u8]) -> String {
    hex_mac::<Hmac<Sha512>>(secret.expose().as_bytes(), body)
}

#[derive(Clone)]
pub struct CalypsoClient {
    api: JsonApi,
    /// The same API without retries, for the intervention calls: Calypso does not say that
    /// they may be repeated, so each is sent once and, on any failure, the invoice is re-read
    /// to learn whether it took effect.
    once: JsonApi,
    account: String,
    api_key: Secret,
    secret_key: Secret,
}

impl CalypsoClient {
    pub fn new(config: &CalypsoConfig) -> anyhow::Result<CalypsoClient> {
        Ok(CalypsoClient {
            api: JsonApi::new(
                config.http,
                &config.base_url,
                &["data", "payload", "result"],
            )?,
            once: JsonApi::new(
                HttpSettings {
                    retries: 0,
                    ..config.http
                },
                &config.base_url,
                &["data", "payload", "result"],
            )?,
            account: config.account.clone(),
            api_key: config.api_key.clone(),
            secret_key: config.secret_key.clone(),
        })
    }

    /// POSTs `payload` to `path` and reads the answer as `T`.
    pub async fn call<P: Serialize, T: DeserializeOwned>(
        &self,
        name: &'static str,
        path: &str,
        payload: P,
    ) -> anyhow::Result<T> {
        self.send(&self.api, name, path, payload).await
    }

    async fn send<P: Serialize, T: DeserializeOwned>(
        &self,
        api: &JsonApi,
        name: &'static str,
        path: &str,
        payload: P,
    ) -> anyhow::Result<T> {
        let body = serde_json::to_vec(&Envelope {
            timestamp: now_ms(),
            account: &self.account,
            payload,
        })?;
        // Retries resend the same signed bytes: well inside the provider's 3-minute window,
        // and creates carry an idempotency key.
        let signature = sign(&self.secret_key, &body);
        let call = Call {
            name,
            method: Method::POST,
            path,
            body: Some(body),
        };
        api.call(call, |request, _, _| {
            request
                .header("Key", self.api_key.expose())
                .header("Sign", &signature)
        })
        .await
    }

    /// A SINGLE invoice priced in the coin (`amount`), or a SINGLE_FIAT one priced in fiat
    /// (`fiatAmount` + `fiatCurrency`; Calypso converts), in Calypso's `currency` code, keyed
    /// by our payment's uuid.
    pub async fn create_invoice(
        &self,
        request: &NewInvoice,
        currency: String,
    ) -> anyhow::Result<Invoice> {
        let (path, amount, fiat) = match (&request.amount, &request.fiat) {
            (Some(amount), _) => (CREATE_SINGLE, Some(json_number(*amount)), None),
            (None, Some(fiat)) => (CREATE_SINGLE_FIAT, None, Some(fiat)),
            (None, None) => anyhow::bail!("an invoice needs an amount in the coin or in fiat"),
        };
        let body = CreateSingle {
            currency,
            amount,
            fiat_amount: fiat.map(|f| json_number(f.amount)),
            fiat_currency: fiat.map(|f| &*f.currency),
            description: &request.title,
            idempotency_key: idempotency_key(&request.payment_id),
            external_id: &request.checkout_id,
        };
        self.call("calypso create invoice", path, body).await
    }

    pub async fn invoice(&self, key: &str) -> anyhow::Result<Invoice> {
        let by_key = ByKey {
            idempotency_key: key,
        };
        self.call("calypso get invoice", GET_INVOICE, by_key).await
    }

    /// Sent once (see `once`): the caller re-reads the invoice when it fails.
    pub async fn return_to_paid(&self, id: &str) -> anyhow::Result<()> {
        let name = "calypso return-to-paid";
        let _: serde_json::Value = self
            .send(&self.once, name, RETURN_TO_PAID, ById { id })
            .await?;
        Ok(())
    }

    /// Sent once (see `once`): the caller re-reads the invoice when it fails.
    pub async fn close_intervention(&self, id: &str) -> anyhow::Result<()> {
        let name = "calypso close-intervention";
        let _: serde_json::Value = self
            .send(&self.once, name, CLOSE_INTERVENTION, ById { id })
            .await?;
        Ok(())
    }

    pub async fn create_linked_widget(
        &self,
        widget: &NewLinkedWidget,
    ) -> anyhow::Result<LinkedWidget> {
        self.call("calypso create widget", CREATE_LINKED_WIDGET, widget)
            .await
    }

    /// Subscribes `url` to every invoice event; the answer carries the subscription's keys.
    pub async fn create_subscription(&self, url: &str) -> anyhow::Result<Subscription> {
        let body = NewSubscription {
            url,
            notification_service_types: ["INVOICE"],
        };
        self.call("calypso subscribe webhooks", CREATE_SUBSCRIPTION, body)
            .await
    }

    pub async fn find_linked_widget(&self, key: &str) -> anyhow::Result<LinkedWidget> {
        let by_key = ByKey {
            idempotency_key: key,
        };
        self.call("calypso find widget", FIND_LINKED_WIDGET, by_key)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_test_vector() {
        let secret = Secret::new("b823a6b9ea72408583cef9ec8d67fa52");
        let signature = sign(&secret, br#"{"timestamp":1}"#);
        assert!(
            signature.starts_with("b16e9d45f49f2069becbc4f108b237bee588cfc353fe9501"),
            "{signature}"
        );
        assert_eq!(signature.len(), 128);
    }

    #[test]
    fn the_envelope_is_compact_and_in_the_documented_order() {
        let body = serde_json::to_vec(&Envelope {
            timestamp: 1,
            account: "acc",
            payload: serde_json::json!({"id": "x"}),
        })
        .unwrap();
        assert_eq!(
            body,
            br#"{"timestamp":1,"account":"acc","payload":{"id":"x"}}"#
        );
    }
}
