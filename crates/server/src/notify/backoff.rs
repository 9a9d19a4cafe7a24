//! When to try a failed delivery again: exponential backoff with jitter, and when to give up.
//!
//! The n-th retry waits `min(cap, base * 2^(n-1))`, of which the second half is random ("equal
//! jitter"): retries of many events that failed together (the merchant was down) spread out
//! instead of arriving in waves, and no wait is shorter than half the nominal one. With the
//! defaults (30 s base, 6 h cap, give up 3 days after the event) an event is tried about
//! twenty times, the last ones six hours apart.

use std::time::Duration;

/// The settings (`retry_base`, `retry_cap`, `give_up_after`) are the configuration's; the
/// schedule they make is this module's.
pub use crate::config::Backoff;

impl Backoff {
    /// The wait after the `failures`-th failed attempt (1 for the first); `random` is any
    /// uniformly random number.
    pub fn delay(&self, failures: u32, random: u64) -> Duration {
        let exp = failures.saturating_sub(1).min(40);
        let nominal = self
            .base
            .saturating_mul(1u32.checked_shl(exp.min(31)).unwrap_or(u32::MAX))
            .min(self.cap);
        let nominal_ms = u64::try_from(nominal.as_millis()).unwrap_or(u64::MAX);
        let half = nominal_ms / 2;
        let jitter = if half == 0 { 0 } else { random % (half + 1) };
        Duration::from_millis(nominal_ms - half + jitter)
    }

    /// When to try next after `failures` failures at `now_ms`, or `None` when the event is too
    /// old to be tried again.
    pub fn next_attempt_ms(
        &self,
        created_at_ms: i64,
        now_ms: i64,
        failures: u32,
        random: u64,
    ) -> Option<i64> {
        let wait = i64::try_from(self.delay(failures, random).as_millis()).unwrap_or(i64::MAX);
        let at = now_ms.saturating_add(wait);
        let limit = created_at_ms
            .saturating_add(i64::try_from(self.give_up_after.as_millis()).unwrap_or(i64::MAX));
        (at <= limit).then_some(at)
    }
}

/// A random number from the operating system's generator (via a v4 UUID: no extra crate).
pub fn random() -> u64 {
    uuid::Uuid::new_v4().as_u64_pair().0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn grows_exponentially_up_to_the_cap_and_gives_up_after_three_days() {
        let b = Backoff::default();
        assert_eq!(b.delay(1, 0), Duration::from_secs(15));
        assert!(b.delay(1, u64::MAX) <= Duration::from_secs(30));
        assert_eq!(b.delay(3, 0), Duration::from_secs(60));
        assert_eq!(b.delay(30, 0), Duration::from_secs(3 * 3600));
        // Worst case (no jitter added): count the attempts before giving up.
        let (mut now, mut failures) = (0i64, 0u32);
        while let Some(at) = b.next_attempt_ms(0, now, failures + 1, u64::MAX) {
            now = at;
            failures += 1;
        }
        assert!((15..=30).contains(&failures), "{failures} attempts");
        assert!(now > 2 * 24 * 3600 * 1000, "last try at {now} ms");
    }

    proptest! {
        #[test]
        fn fuzz_delay_stays_within_half_and_whole_of_nominal(failures in 0u32..200, random: u64) {
            let b = Backoff::default();
            let d = b.delay(failures, random);
            prop_assert!(d <= b.cap);
            prop_assert!(d >= b.base / 2);
        }
    }
}
