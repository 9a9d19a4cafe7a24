//! Calypso's webhooks: `Sign` is the hex HMAC-SHA512 of the raw body under the subscription's
//! secret; `Key`, when configured, must be the subscription's public key. The body only says
//! which invoice changed (by idempotency key); the invoice is re-read for the facts.

use hmac::Hmac;
use http::HeaderMap;
use sha2::Sha512;

use super::model::Notification;
use crate::config::Secret;
use crate::providers::webhook_auth::{header, read_payload, secrets_equal, verify_hex_mac};
use crate::providers::{WebhookError, WebhookNotice};

/// Checks a delivery against one subscription's keys: `Sign` under `secret`, and `Key` equal
/// to `key` when it is known.
pub fn verify(
    secret: &Secret,
    key: Option<&Secret>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), WebhookError> {
    if let Some(expected) = key {
        let key = header(headers, "key")?.ok_or(WebhookError::MissingSignature)?;
        if !secrets_equal(key, expected.expose()) {
            return Err(WebhookError::BadSignature);
        }
    }
    verify_hex_mac::<Hmac<Sha512>>(secret.expose().as_bytes(), header(headers, "sign")?, body)
}

pub fn parse(body: &[u8]) -> Result<WebhookNotice, WebhookError> {
    let event: Notification = read_payload(body)?;
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
        id_is_digest: false,
    })
}
