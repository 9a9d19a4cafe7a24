//! How each chain's node answers the watcher, kept in memory for `/healthz` and the logs: a
//! node that keeps failing is logged as an error once, and again when it answers.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde::Serialize;

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ChainHealth {
    /// The newest block the node reported.
    pub head: Option<u64>,
    /// The next block the watcher reads.
    pub next_block: Option<u64>,
    pub consecutive_failures: u32,
    /// Failed three times in a row: payments on this chain are not being seen.
    pub failing: bool,
    /// What went wrong last, without the node's URL.
    pub last_error: Option<String>,
    pub last_success_at_ms: Option<i64>,
    /// Another instance on the database reads this chain (PostgreSQL); this one takes over
    /// when that one stops.
    pub watched_by_another_instance: bool,
}

/// After this many failures in a row a chain is reported failing.
const FAILING_AFTER: u32 = 3;

#[derive(Debug, Default)]
pub struct Health {
    chains: Mutex<BTreeMap<String, ChainHealth>>,
}

impl Health {
    fn update(&self, network: &str, change: impl FnOnce(&mut ChainHealth)) {
        let mut chains = self.chains.lock().unwrap_or_else(|e| e.into_inner());
        change(chains.entry(network.to_owned()).or_default());
    }

    pub fn succeeded(&self, network: &str, head: u64, next_block: u64, at_ms: i64) {
        self.update(network, |h| {
            if h.failing {
                tracing::info!(network, "the chain's node answers again");
            }
            *h = ChainHealth {
                head: Some(head),
                next_block: Some(next_block),
                last_success_at_ms: Some(at_ms),
                ..ChainHealth::default()
            };
        });
    }

    pub fn following(&self, network: &str) {
        self.update(network, |h| {
            *h = ChainHealth {
                watched_by_another_instance: true,
                ..ChainHealth::default()
            }
        });
    }

    pub fn failed(&self, network: &str, error: &anyhow::Error) {
        self.update(network, |h| {
            h.consecutive_failures += 1;
            h.last_error = Some(format!("{error:#}"));
            if !h.failing && h.consecutive_failures >= FAILING_AFTER {
                h.failing = true;
                tracing::error!(network, "the chain's node keeps failing: {error:#}");
            }
        });
    }

    pub fn chains(&self) -> BTreeMap<String, ChainHealth> {
        self.chains
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chain_fails_after_three_errors_until_it_answers() {
        let h = Health::default();
        for _ in 0..2 {
            h.failed("ETHEREUM", &anyhow::anyhow!("timed out"));
        }
        assert!(!h.chains()["ETHEREUM"].failing);
        h.failed("ETHEREUM", &anyhow::anyhow!("timed out"));
        let failing = &h.chains()["ETHEREUM"];
        assert!(failing.failing && failing.last_error.as_deref() == Some("timed out"));
        h.succeeded("ETHEREUM", 10, 11, 5);
        let back = &h.chains()["ETHEREUM"];
        assert_eq!(
            (back.failing, back.head, back.consecutive_failures),
            (false, Some(10), 0)
        );
    }
}
