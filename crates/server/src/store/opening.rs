//! Payments being opened with their provider: the payment id reserved for one pick (its coin
//! and terms) and the provider's reference once it has one, kept until the payment is stored.
//!
//! A pick that fails after the provider created something (Inqud's checkout, before its
//! request) is retried by the payer; the retry finds the reservation and goes on with the same
//! payment id and the provider's object instead of opening another.

use crate::store::error::StoreResult;

/// What is reserved for a pick.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opening {
    pub payment_id: String,
    /// The provider's first object, once recorded.
    pub provider_ref: Option<String>,
}

pub trait OpeningStore: Send + Sync {
    /// The opening of `pick_key` on checkout `checkout_id`: reserves `payment_id` for it unless
    /// one is reserved already, and returns the reservation that stands.
    fn reserve(
        &self,
        checkout_id: &str,
        pick_key: &str,
        payment_id: &str,
        now_ms: i64,
    ) -> StoreResult<Opening>;

    /// Records the provider's reference for the opening of `payment_id` unless one is recorded
    /// already; returns the one that stands (`None`: no such opening any more).
    fn record_ref(&self, payment_id: &str, provider_ref: &str) -> StoreResult<Option<String>>;
}
