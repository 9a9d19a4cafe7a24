//! Checks shared by the providers' webhook verifications: every comparison of a secret or a
//! signature is constant-time, and every header is read as the exact bytes received.

use hmac::digest::KeyInit;
use hmac::Mac;
use http::HeaderMap;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::WebhookError;

/// The header as text; `None` when absent, an error when it is not visible ASCII.
pub fn header<'a>(headers: &'a HeaderMap, name: &str) -> Result<Option<&'a str>, WebhookError> {
    match headers.get(name) {
        None => Ok(None),
        Some(v) => v
            .to_str()
            .map(|s| Some(s.trim()))
            .map_err(|_| WebhookError::MalformedSignature),
    }
}

/// Checks a hex MAC (any case) of `body` under `key`, in constant time.
pub fn verify_hex_mac<M: Mac + KeyInit>(
    key: &[u8],
    signature_hex: Option<&str>,
    body: &[u8],
) -> Result<(), WebhookError> {
    let signature_hex = signature_hex.ok_or(WebhookError::MissingSignature)?;
    let signature = hex::decode(signature_hex).map_err(|_| WebhookError::MalformedSignature)?;
    let mut mac = <M as KeyInit>::new_from_slice(key).expect("HMAC takes any key");
    mac.update(body);
    mac.verify_slice(&signature)
        .map_err(|_| WebhookError::BadSignature)
}

/// Lower-case hex MAC of `body` under `key` (what a provider computes; tests sign with it).
pub fn hex_mac<M: Mac + KeyInit>(key: &[u8], body: &[u8]) -> String {
    let mut mac = <M as KeyInit>::new_from_slice(key).expect("HMAC takes any key");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// Equal, compared in constant time (lengths may leak, contents do not).
pub fn secrets_equal(given: &str, expected: &str) -> bool {
    given.as_bytes().ct_eq(expected.as_bytes()).into()
}

/// A verified body read as the provider's event; any failure is a bad payload.
pub fn read_payload<T: DeserializeOwned>(body: &[u8]) -> Result<T, WebhookError> {
    serde_json::from_slice(body).map_err(|e| WebhookError::BadPayload(e.to_string()))
}

/// An event id for providers whose webhooks carry none (Inqud, Coins.ph): the digest of the
/// exact body, so a redelivery of the same bytes is recognised as a duplicate.
pub fn body_digest_id(body: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(body)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::Sha512;

    #[test]
    fn mac_checks() {
        let sig = hex_mac::<hmac::Hmac<Sha512>>(b"k", b"body");
        assert_eq!(
            verify_hex_mac::<hmac::Hmac<Sha512>>(b"k", Some(&sig), b"body"),
            Ok(())
        );
        assert_eq!(
            verify_hex_mac::<hmac::Hmac<Sha512>>(b"k", Some(&sig.to_uppercase()), b"body"),
            Ok(())
        );
        assert_eq!(
            verify_hex_mac::<hmac::Hmac<Sha512>>(b"k", Some(&sig), b"bodx"),
            Err(WebhookError::BadSignature)
        );
        assert_eq!(
            verify_hex_mac::<hmac::Hmac<Sha512>>(b"k", None, b"body"),
            Err(WebhookError::MissingSignature)
        );
        assert_eq!(
            verify_hex_mac::<hmac::Hmac<Sha512>>(b"k", Some("xyz"), b"body"),
            Err(WebhookError::MalformedSignature)
        );
        assert!(secrets_equal("abc", "abc") && !secrets_equal("abc", "abd"));
        assert_ne!(body_digest_id(b"a"), body_digest_id(b"b"));
    }
}
