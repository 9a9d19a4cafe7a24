//! `Access-Nonce` must be above the last nonce Coins.ph saw for the API key, so every request
//! made with one key in this process goes through one lane: a nonce that only grows
//! (`max(now in µs, last + 1)`, so a burst within one microsecond or a clock stepping back still
//! grows), and one request at a time, so the order the nonces were given is the order they
//! arrive. Two requests signed in order but in flight together could arrive the other way round
//! and the later one be refused; the price is one Coins.ph call at a time per key (retries
//! included), which a payment-request flow can afford. Several server instances sharing one key
//! cannot be ordered this way: each instance needs its own API key (see the README).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

/// The nonce source and turn of one API key.
#[derive(Default)]
pub struct NonceLane {
    last: AtomicU64,
    turn: tokio::sync::Mutex<()>,
}

impl NonceLane {
    /// The lane of `api_key`, shared by every client made with that key in this process.
    pub fn of(api_key: &str) -> Arc<NonceLane> {
        static LANES: OnceLock<Mutex<HashMap<String, Arc<NonceLane>>>> = OnceLock::new();
        // Keyed by a digest, so the map holds no second copy of the key.
        let id = hex::encode(Sha256::digest(api_key.as_bytes()));
        let mut lanes = LANES
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        lanes.entry(id).or_default().clone()
    }

    /// Waits for this key's turn; the request is signed and sent while the guard is held.
    pub async fn turn(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.turn.lock().await
    }

    /// The next nonce: microseconds since the epoch, and always above the one before.
    pub fn next(&self) -> u64 {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
            .unwrap_or(0);
        let previous = self
            .last
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |last| {
                Some(now.max(last.saturating_add(1)))
            })
            .unwrap_or_else(|last| last);
        now.max(previous.saturating_add(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_grow_strictly_across_threads_and_are_shared_per_key() {
        let lane = NonceLane::of("nonce-test-key");
        let all: Vec<u64> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| s.spawn(|| (0..500).map(|_| lane.next()).collect::<Vec<_>>()))
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap())
                .collect()
        });
        let mut sorted = all.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), all.len(), "no nonce given twice");
        // The same key is the same lane; another key another.
        let again = NonceLane::of("nonce-test-key");
        assert!(again.next() > *sorted.last().unwrap());
        assert!(!Arc::ptr_eq(&again, &NonceLane::of("other-key")));
    }

    #[test]
    fn a_nonce_is_microseconds_since_the_epoch() {
        let n = NonceLane::default().next();
        let micros = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_micros() as u64;
        assert!(n <= micros && micros - n < 5_000_000, "{n} vs {micros}");
    }
}
