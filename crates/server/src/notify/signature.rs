//! Signatures on outbound merchant webhooks, in the scheme Stripe made familiar:
//!
//! `Checkout-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">[,v1=…]`
//!
//! While a secret is being rotated the server signs with every configured secret, one `v1` each,
//! so a merchant holding either the old or the new secret verifies the same request. The
//! timestamp is inside the signed text, so a captured request cannot be replayed after the
//! tolerance has passed.
//!
//! [`verify`] is what a merchant written in Rust calls; its clock is a parameter so its
//! tolerance can be tested, and every way to fail has its own [`VerifyError`].

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The request header carrying the signature.
pub const SIGNATURE_HEADER: &str = "Checkout-Signature";

/// What receivers should accept by default: five minutes either way.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

/// Why a webhook was not accepted as genuine.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("the signature header is malformed")]
    MalformedHeader,
    #[error("the signature header has no timestamp")]
    MissingTimestamp,
    #[error("the signature header has no v1 signature")]
    NoSignature,
    #[error("the timestamp is {age_secs} s away from now, more than the tolerance allows")]
    OutsideTolerance { age_secs: i64 },
    #[error("no v1 signature matches the body with the given secrets")]
    Mismatch,
}

/// The hex HMAC-SHA256 of `"<t>.<body>"` with `secret`.
pub fn compute(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = mac(secret);
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

fn mac(secret: &str) -> Hmac<Sha256> {
    // HMAC takes keys of any length; `new_from_slice` cannot fail for it.
    <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).expect("HMAC accepts any key length")
}

/// The header value: one `v1` per secret, in the order given.
pub fn header_value<S: AsRef<str>>(secrets: &[S], timestamp: i64, body: &[u8]) -> String {
    let mut value = format!("t={timestamp}");
    for secret in secrets {
        value.push_str(",v1=");
        value.push_str(&compute(secret.as_ref(), timestamp, body));
    }
    value
}

/// The parts of a signature header; unknown schemes (`v0=`, future `v2=`) are skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedHeader {
    pub timestamp: i64,
    pub v1: Vec<Vec<u8>>,
}

/// Parses `t=…,v1=…` without judging the signature.
pub fn parse_header(header: &str) -> Result<ParsedHeader, VerifyError> {
    let mut timestamp = None;
    let mut v1 = Vec::new();
    for part in header.split(',') {
        let (key, value) = part
            .trim()
            .split_once('=')
            .ok_or(VerifyError::MalformedHeader)?;
        match key {
            "t" => {
                let t: i64 = value.parse().map_err(|_| VerifyError::MalformedHeader)?;
                timestamp = Some(t);
            }
            "v1" => v1.push(hex::decode(value).map_err(|_| VerifyError::MalformedHeader)?),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(VerifyError::MissingTimestamp)?;
    if v1.is_empty() {
        return Err(VerifyError::NoSignature);
    }
    Ok(ParsedHeader { timestamp, v1 })
}

/// Checks a merchant webhook: `body` exactly as received, the `Checkout-Signature` header, the
/// secrets the receiver accepts (one, or two while rotating), how far the timestamp may be
/// from `now`. Only after `Ok` should the body be parsed.
pub fn verify<S: AsRef<str>>(
    body: &[u8],
    header: &str,
    secrets: &[S],
    tolerance: Duration,
    now: SystemTime,
) -> Result<(), VerifyError> {
    let parsed = parse_header(header)?;
    let now = now
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let age = now.saturating_sub(parsed.timestamp);
    if age.unsigned_abs() > tolerance.as_secs() {
        return Err(VerifyError::OutsideTolerance { age_secs: age });
    }
    for secret in secrets {
        let mut expected = mac(secret.as_ref());
        expected.update(parsed.timestamp.to_string().as_bytes());
        expected.update(b".");
        expected.update(body);
        let expected = expected.finalize().into_bytes();
        // Constant-time comparison of each candidate (`subtle` via the hmac crate's output).
        if parsed.v1.iter().any(|given| {
            subtle::ConstantTimeEq::ct_eq(given.as_slice(), expected.as_slice()).into()
        }) {
            return Ok(());
        }
    }
    Err(VerifyError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = br#"{"id":"evt_1","type":"checkout.status_changed"}"#;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn a_signed_body_verifies_with_any_rotated_secret() {
        let header = header_value(&["whsec_new", "whsec_old"], 1_800_000_000, BODY);
        assert_eq!(header.matches(",v1=").count(), 2);
        for secret in ["whsec_new", "whsec_old"] {
            assert_eq!(
                verify(
                    BODY,
                    &header,
                    &[secret],
                    DEFAULT_TOLERANCE,
                    at(1_800_000_010)
                ),
                Ok(())
            );
        }
        assert_eq!(
            verify(
                BODY,
                &header,
                &["whsec_other"],
                DEFAULT_TOLERANCE,
                at(1_800_000_010)
            ),
            Err(VerifyError::Mismatch)
        );
    }

    #[test]
    fn every_failure_has_its_own_error() {
        let header = header_value(&["s"], 1_800_000_000, BODY);
        let now = at(1_800_000_000);
        let tol = DEFAULT_TOLERANCE;
        assert_eq!(
            verify(b"{}", &header, &["s"], tol, now),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            verify(BODY, &header, &["s"], tol, at(1_800_000_301)),
            Err(VerifyError::OutsideTolerance { age_secs: 301 })
        );
        assert_eq!(
            verify(BODY, &header, &["s"], tol, at(1_799_999_000)),
            Err(VerifyError::OutsideTolerance { age_secs: -1000 })
        );
        assert_eq!(
            verify(BODY, "garbage", &["s"], tol, now),
            Err(VerifyError::MalformedHeader)
        );
        assert_eq!(
            verify(BODY, "v1=00", &["s"], tol, now),
            Err(VerifyError::MissingTimestamp)
        );
        assert_eq!(
            verify(BODY, "t=1800000000", &["s"], tol, now),
            Err(VerifyError::NoSignature)
        );
        assert_eq!(
            verify(BODY, "t=1800000000,v1=zz", &["s"], tol, now),
            Err(VerifyError::MalformedHeader)
        );
        // An unknown scheme beside a good v1 is ignored.
        let with_v0 = format!("{header},v0=abc");
        assert_eq!(verify(BODY, &with_v0, &["s"], tol, now), Ok(()));
    }
}
