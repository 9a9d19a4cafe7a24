//! The one status vocabulary, shared by the server's state machine, the public API, the
//! widget's views and the `statusChanged` DOM event.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Where a checkout stands, as the payer and the merchant's front end see it.
///
/// NEW -> WAITING_PAYMENT -> PENDING_PAYMENT -> SUCCESS is the happy path; CONFLICT needs the
/// merchant; EXPIRED and CANCELLED end a checkout without payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CheckoutStatus {
    /// Created; the payer has not picked a currency yet.
    New,
    /// A payment address is shown; nothing has arrived on it.
    WaitingPayment,
    /// Funds were seen and are gaining confirmations.
    PendingPayment,
    /// Paid in full (at least the configured share of the amount) and confirmed.
    Success,
    /// Under- or overpaid: the merchant has to decide; see [`Exception`].
    Conflict,
    /// The checkout's time ran out before it was paid.
    Expired,
    /// Cancelled by the merchant.
    Cancelled,
}

impl CheckoutStatus {
    pub const ALL: [CheckoutStatus; 7] = [
        Self::New,
        Self::WaitingPayment,
        Self::PendingPayment,
        Self::Success,
        Self::Conflict,
        Self::Expired,
        Self::Cancelled,
    ];

    /// The wire name, e.g. `WAITING_PAYMENT`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::New => "NEW",
            Self::WaitingPayment => "WAITING_PAYMENT",
            Self::PendingPayment => "PENDING_PAYMENT",
            Self::Success => "SUCCESS",
            Self::Conflict => "CONFLICT",
            Self::Expired => "EXPIRED",
            Self::Cancelled => "CANCELLED",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == s)
    }

    /// Nothing can change a final status: live updates stop there.
    pub const fn is_final(self) -> bool {
        matches!(self, Self::Success | Self::Cancelled)
    }

    /// A status after which no further payer action is expected, though the merchant (CONFLICT)
    /// or a late payment (EXPIRED) may still move it.
    pub const fn is_settled(self) -> bool {
        matches!(
            self,
            Self::Success | Self::Cancelled | Self::Conflict | Self::Expired
        )
    }
}

impl fmt::Display for CheckoutStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a checkout is not a plain success or failure; shown beside the status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Exception {
    /// Less than the accepted share of the amount arrived.
    Underpaid,
    /// More than the amount arrived.
    Overpaid,
    /// Funds arrived after the checkout expired, within the monitoring window.
    PaidLate,
}

impl Exception {
    pub const ALL: [Exception; 3] = [Self::Underpaid, Self::Overpaid, Self::PaidLate];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Underpaid => "UNDERPAID",
            Self::Overpaid => "OVERPAID",
            Self::PaidLate => "PAID_LATE",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == s)
    }
}

impl fmt::Display for Exception {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip_through_serde_and_parse() {
        for status in CheckoutStatus::ALL {
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
            assert_eq!(
                serde_json::from_str::<CheckoutStatus>(&json).unwrap(),
                status
            );
            assert_eq!(CheckoutStatus::parse(status.as_str()), Some(status));
        }
        for exception in Exception::ALL {
            let json = serde_json::to_string(&exception).unwrap();
            assert_eq!(json, format!("\"{}\"", exception.as_str()));
            assert_eq!(Exception::parse(exception.as_str()), Some(exception));
        }
        assert_eq!(CheckoutStatus::parse("PAID"), None);
    }

    #[test]
    fn only_success_and_cancelled_are_final() {
        let finals: Vec<_> = CheckoutStatus::ALL
            .into_iter()
            .filter(|s| s.is_final())
            .collect();
        assert_eq!(finals, [CheckoutStatus::Success, CheckoutStatus::Cancelled]);
    }
}
