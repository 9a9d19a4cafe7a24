//! `[reconcile]`: how often open payments are re-read from their provider, whatever webhooks
//! did or did not arrive.

use std::time::Duration;

use serde::Deserialize;

use super::values::duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReconcileConfig {
    /// How often the reconciler looks for payments due for a re-read.
    #[serde(deserialize_with = "duration")]
    pub tick: Duration,
    /// Between two re-reads of a payment nobody has paid yet.
    #[serde(deserialize_with = "duration")]
    pub waiting: Duration,
    /// Between two re-reads while funds are seen but not confirmed.
    #[serde(deserialize_with = "duration")]
    pub confirming: Duration,
    /// Between two re-reads of a payment that waits for the merchant (CONFLICT) or of an expired
    /// checkout's address while it is still watched.
    #[serde(deserialize_with = "duration")]
    pub settled: Duration,
    /// The longest wait after failed re-reads (the wait doubles from `confirming` per failure).
    #[serde(deserialize_with = "duration")]
    pub max_backoff: Duration,
    /// Consecutive failures after which a provider is reported as failing (health, logs).
    pub failing_after: u32,
}

impl Default for ReconcileConfig {
    fn default() -> Self {
        ReconcileConfig {
            tick: Duration::from_secs(5),
            waiting: Duration::from_secs(120),
            confirming: Duration::from_secs(30),
            settled: Duration::from_secs(300),
            max_backoff: Duration::from_secs(1800),
            failing_after: 3,
        }
    }
}
