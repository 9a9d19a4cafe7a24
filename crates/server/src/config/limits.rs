//! `[limits]`: the public API's rate limit and every request's deadline.

use std::time::Duration;

use serde::Deserialize;

use super::values::duration;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LimitsConfig {
    /// Sustained requests per second per client on the public API; 0 turns the limit off.
    pub public_per_second: u32,
    /// Requests a client may make at once before the sustained rate applies.
    pub public_burst: u32,
    /// The longest any request may take to be answered (streams: until their first byte).
    #[serde(deserialize_with = "duration")]
    pub request_timeout: Duration,
    /// Key clients by the last `X-Forwarded-For` address (set this only behind a proxy that
    /// appends it; otherwise a caller could pick its own key).
    pub trust_forwarded_for: bool,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            public_per_second: 20,
            public_burst: 100,
            request_timeout: Duration::from_secs(30),
            trust_forwarded_for: false,
        }
    }
}
