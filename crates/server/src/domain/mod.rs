//! The business: money, currencies, checkouts, payments and the state machine. No I/O here.

pub mod address_check;
pub mod checkout;
pub mod currency;
pub mod error;
pub mod merchant_event;
pub mod money;
pub mod payment;
pub mod pricing;
pub mod qr;
pub mod settlement;
pub mod spec;
pub mod state_machine;
#[cfg(test)]
pub(crate) mod test_fixtures;
pub mod wallet_uri;

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Milliseconds since the Unix epoch: how times are stored and compared.
pub fn now_ms() -> i64 {
    (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// RFC 3339 in UTC, as every time is written on the wire.
pub fn rfc3339(ms: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// Parses an RFC 3339 time into milliseconds since the epoch.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let t = OffsetDateTime::parse(s, &Rfc3339).ok()?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
}

/// `CCO-<uuid v4>`.
pub fn new_checkout_id() -> String {
    format!("CCO-{}", uuid::Uuid::new_v4())
}

/// `PAY-<uuid v4>`.
pub fn new_payment_id() -> String {
    format!("PAY-{}", uuid::Uuid::new_v4())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip() {
        let ms = 1_790_000_000_123;
        assert_eq!(parse_rfc3339(&rfc3339(ms)), Some(ms));
        assert_eq!(
            parse_rfc3339("2026-01-01T00:00:00Z"),
            Some(1_767_225_600_000)
        );
        assert_eq!(parse_rfc3339("tomorrow"), None);
        assert!(new_checkout_id().starts_with("CCO-"));
        assert_eq!(new_payment_id().len(), 4 + 36);
    }
}
