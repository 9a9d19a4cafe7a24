//! Coins.ph's callbacks carry only `Authorization: Token <merchant API token>`: compared in
//! constant time, then the invoice is re-read, since nothing signs the body.

use http::HeaderMap;

use super::model::Callback;
use crate::config::CoinsphConfig;
use crate::providers::webhook_auth::{body_digest_id, header, read_payload, secrets_equal};
use crate::providers::{WebhookError, WebhookNotice};

pub fn verify(config: &CoinsphConfig, headers: &HeaderMap) -> Result<(), WebhookError> {
    let value = header(headers, "authorization")?.ok_or(WebhookError::MissingSignature)?;
    let token = value
        .strip_prefix("Token ")
        .ok_or(WebhookError::MalformedSignature)?;
    if secrets_equal(token.trim(), config.merchant_api_token.expose()) {
        Ok(())
    } else {
        Err(WebhookError::BadSignature)
    }
}

pub fn parse(body: &[u8]) -> Result<WebhookNotice, WebhookError> {
    let callback: Callback = read_payload(body)?;
    let id = callback
        .event
        .data
        .id
        .filter(|id| !id.is_empty())
        .ok_or_else(|| WebhookError::BadPayload("event.data.id is required".into()))?;
    Ok(WebhookNotice {
        // No event id is documented: the id is the body's digest, so a repeat still prompts a
        // re-read (`id_is_digest`).
        event_id: body_digest_id(body),
        provider_ref: Some(id),
        id_is_digest: true,
    })
}
