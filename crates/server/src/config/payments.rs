//! `[payments]`: the tolerances the state machine applies to the amounts that arrive.

use serde::Deserialize;

use super::values::{duration_ms, percent_bp};

/// Tolerances and windows. The state machine takes them as they are configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    /// The share of the amount due that counts as paid (9950 = 99.5 %).
    #[serde(rename = "accept_share_percent", deserialize_with = "percent_bp")]
    pub accept_share_bp: u32,
    /// How far above the amount due a payment may go before it is OVERPAID (50 = 0.5 %).
    #[serde(rename = "overpay_tolerance_percent", deserialize_with = "percent_bp")]
    pub overpay_tolerance_bp: u32,
    /// How long after expiry funds are still watched for and recorded as PAID_LATE.
    #[serde(rename = "monitoring_window", deserialize_with = "duration_ms")]
    pub monitoring_window_ms: i64,
    /// How long after a quote's lock ends funds first seen still pay at the locked amount
    /// (transactions take a while to be seen); later ones are re-valued at a fresh rate.
    #[serde(rename = "quote_grace", deserialize_with = "duration_ms")]
    pub quote_grace_ms: i64,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            accept_share_bp: 9950,
            overpay_tolerance_bp: 50,
            monitoring_window_ms: 24 * 3600 * 1000,
            quote_grace_ms: 5 * 60 * 1000,
        }
    }
}
