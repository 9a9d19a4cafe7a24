//! What the reconciler has seen, kept in memory per instance: when it last ran, and how each
//! provider answered its re-reads. Read by the merchant's reconciliation report; a provider
//! that keeps failing is logged as an error once, and again when it recovers.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde::Serialize;

/// What the reconciler has seen of each provider, for health and logs.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ProviderHealth {
    pub consecutive_failures: u32,
    pub failing: bool,
    pub last_success_at_ms: Option<i64>,
    pub last_failure_at_ms: Option<i64>,
}

/// The reconciler's own state, kept in memory: when it last ran and how each provider answers.
#[derive(Debug, Default)]
pub struct ReconcileMonitor {
    inner: Mutex<MonitorState>,
}

#[derive(Debug, Default, Clone)]
struct MonitorState {
    last_pass_at_ms: Option<i64>,
    providers: BTreeMap<String, ProviderHealth>,
}

impl ReconcileMonitor {
    fn lock(&self) -> std::sync::MutexGuard<'_, MonitorState> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn passed(&self, at_ms: i64) {
        self.lock().last_pass_at_ms = Some(at_ms);
    }

    pub fn succeeded(&self, provider: &str, at_ms: i64) {
        let mut state = self.lock();
        let health = state.providers.entry(provider.to_owned()).or_default();
        if health.failing {
            tracing::info!(provider, "provider answers re-reads again");
        }
        *health = ProviderHealth {
            last_success_at_ms: Some(at_ms),
            last_failure_at_ms: health.last_failure_at_ms,
            ..ProviderHealth::default()
        };
    }

    pub fn failed(&self, provider: &str, at_ms: i64, failing_after: u32) {
        let mut state = self.lock();
        let health = state.providers.entry(provider.to_owned()).or_default();
        health.consecutive_failures += 1;
        health.last_failure_at_ms = Some(at_ms);
        if !health.failing && health.consecutive_failures >= failing_after {
            health.failing = true;
            tracing::error!(
                provider,
                failures = health.consecutive_failures,
                "provider keeps failing: open payments cannot be re-read"
            );
        }
    }

    pub fn last_pass_at_ms(&self) -> Option<i64> {
        self.lock().last_pass_at_ms
    }

    pub fn providers(&self) -> BTreeMap<String, ProviderHealth> {
        self.lock().providers.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_provider_is_reported_failing_after_the_threshold_until_it_answers() {
        let m = ReconcileMonitor::default();
        m.failed("calypso", 1, 3);
        m.failed("calypso", 2, 3);
        assert!(!m.providers()["calypso"].failing);
        m.failed("calypso", 3, 3);
        assert!(m.providers()["calypso"].failing);
        m.succeeded("calypso", 4);
        let h = &m.providers()["calypso"];
        assert!(!h.failing);
        assert_eq!((h.consecutive_failures, h.last_success_at_ms), (0, Some(4)));
        assert_eq!(h.last_failure_at_ms, Some(3));
    }
}
