//! Inqud's webhooks: `X-Payload-Digest` is the hex HMAC-SHA1 of the raw body, which we require
//! although Inqud makes the secret optional. The body is the checkout; only its id matters
//! before re-reading.

use hmac::Hmac;
use http::HeaderMap;
use serde::Deserialize;
use sha1::Sha1;

use crate::config::InqudConfig;
use crate::providers::webhook_auth::{body_digest_id, header, read_payload, verify_hex_mac};
use crate::providers::{WebhookError, WebhookNotice};

pub const DIGEST_HEADER: &str = "x-payload-digest";

#[derive(Deserialize)]
struct Delivery {
    id: Option<String>,
}

pub fn verify(config: &InqudConfig, headers: &HeaderMap, body: &[u8]) -> Result<(), WebhookError> {
    verify_hex_mac::<Hmac<Sha1>>(
        config.webhook_secret.expose().as_bytes(),
        header(headers, DIGEST_HEADER)?,
        body,
    )
}

pub fn parse(body: &[u8]) -> Result<WebhookNotice, WebhookError> {
    let delivery: Delivery = read_payload(body)?;
    let id = delivery
        .id
        .filter(|id| !id.is_empty())
        .ok_or_else(|| WebhookError::BadPayload("id (the checkout id) is required".into()))?;
    Ok(WebhookNotice {
        // No event id is documented: the id is the body's digest, so a repeat still prompts a
        // re-read (`id_is_digest`).
        event_id: body_digest_id(body),
        provider_ref: Some(id),
        id_is_digest: true,
    })
}
