//! The sandbox's webhooks to this server: `X-Sandbox-Signature: sha256=<hex HMAC-SHA256 of the
//! raw body>`, checked with the MAC every provider's verification shares. The body only says
//! which invoice changed; the server re-reads the invoice for the facts.

use hmac::Hmac;
use http::HeaderMap;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::config::Secret;
use crate::providers::webhook_auth::{header, hex_mac, read_payload, verify_hex_mac};
use crate::providers::{WebhookError, WebhookNotice};

/// The header carrying `sha256=<hex HMAC-SHA256 of the raw body>`.
pub const SIGNATURE_HEADER: &str = "x-sandbox-signature";

/// The body of every sandbox webhook.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SandboxWebhook {
    pub id: String,
    #[serde(rename = "type")]
    pub event_type: String,
    pub invoice_ref: String,
    pub created_at: String,
}

/// `sha256=<hex>` for `body` under `secret`.
pub fn sign(secret: &Secret, body: &[u8]) -> String {
    format!(
        "sha256={}",
        hex_mac::<Hmac<Sha256>>(secret.expose().as_bytes(), body)
    )
}

/// Checks `header` (`sha256=<hex>`) against `body` in constant time.
pub fn verify(secret: &Secret, header: Option<&str>, body: &[u8]) -> Result<(), WebhookError> {
    let header = header.ok_or(WebhookError::MissingSignature)?;
    let hex_sig = header
        .trim()
        .strip_prefix("sha256=")
        .ok_or(WebhookError::MalformedSignature)?;
    verify_hex_mac::<Hmac<Sha256>>(secret.expose().as_bytes(), Some(hex_sig), body)
}

pub fn verify_headers(
    secret: &Secret,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), WebhookError> {
    verify(secret, header(headers, SIGNATURE_HEADER)?, body)
}

pub fn parse(body: &[u8]) -> Result<WebhookNotice, WebhookError> {
    let event: SandboxWebhook = read_payload(body)?;
    if event.id.is_empty() || event.id.len() > 200 {
        return Err(WebhookError::BadPayload(
            "id must be 1 to 200 characters".into(),
        ));
    }
    Ok(WebhookNotice {
        event_id: event.id,
        provider_ref: Some(event.invoice_ref),
        id_is_digest: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_only_for_the_exact_body_and_secret() {
        let secret = Secret::new("s3cret");
        let body = br#"{"id":"e1"}"#;
        let header = sign(&secret, body);
        assert!(header.starts_with("sha256="));
        assert_eq!(verify(&secret, Some(&header), body), Ok(()));
        assert_eq!(
            verify(&secret, Some(&header), br#"{"id":"e2"}"#),
            Err(WebhookError::BadSignature)
        );
        assert_eq!(
            verify(&Secret::new("other"), Some(&header), body),
            Err(WebhookError::BadSignature)
        );
        assert_eq!(
            verify(&secret, None, body),
            Err(WebhookError::MissingSignature)
        );
        assert_eq!(
            verify(&secret, Some("md5=abc"), body),
            Err(WebhookError::MalformedSignature)
        );
        assert_eq!(
            verify(&secret, Some("sha256=zz"), body),
            Err(WebhookError::MalformedSignature)
        );
    }
}
