//! The latest status of recently polled checkouts, ready to send, so an unchanged poll costs a
//! map look-up instead of a database read.
//!
//! It is filled by reads and refreshed by every committed change (the same place that feeds the
//! live streams), and only ever moves forward in version. An entry whose expiry has come is
//! ignored, so the read path can expire the checkout. With several server instances the
//! entries are also refreshed from the database's change notifications, like the live streams
//! (`services::remote_changes`), and dropped when notifications may have been missed.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use bytes::Bytes;
use http::HeaderValue;
use protocol::CheckoutStatus;

use crate::domain::checkout::CheckoutRecord;

/// Entries kept at most; the map is simply emptied when full (the next polls refill it).
const CAPACITY: usize = 100_000;

#[derive(Debug)]
pub struct CachedStatus {
    pub version: u64,
    /// `"<version>"`, made once: every unchanged poll sends it.
    pub etag: HeaderValue,
    /// The serialised `StatusView`.
    pub body: Bytes,
    /// Set while the checkout can still expire (NEW / WAITING_PAYMENT without funds).
    expires_at_ms: Option<i64>,
}

impl CachedStatus {
    fn of(record: &CheckoutRecord) -> CachedStatus {
        let expirable = matches!(
            record.status(),
            CheckoutStatus::New | CheckoutStatus::WaitingPayment
        ) && !record.state.funds_seen;
        CachedStatus {
            version: record.version,
            etag: HeaderValue::try_from(format!("\"{}\"", record.version))
                .expect("digits and quotes are a valid header value"),
            body: serde_json::to_vec(&record.status_view())
                .unwrap_or_default()
                .into(),
            expires_at_ms: expirable.then_some(record.state.expires_at_ms),
        }
    }
}

#[derive(Clone, Default)]
pub struct StatusCache {
    entries: Arc<RwLock<HashMap<String, Arc<CachedStatus>>>>,
}

impl StatusCache {
    /// The cached status, unless there is none or the checkout's expiry has come.
    pub fn get(&self, id: &str, now_ms: i64) -> Option<Arc<CachedStatus>> {
        let entries = self.entries.read().unwrap_or_else(|p| p.into_inner());
        let cached = entries.get(id)?;
        match cached.expires_at_ms {
            Some(at) if now_ms >= at => None,
            _ => Some(cached.clone()),
        }
    }

    /// The cached version of checkout `id`, expired or not.
    pub fn version(&self, id: &str) -> Option<u64> {
        let entries = self.entries.read().unwrap_or_else(|p| p.into_inner());
        entries.get(id).map(|c| c.version)
    }

    /// Forgets everything: the next polls read the database.
    pub fn clear(&self) {
        self.entries
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }

    /// Records `record`'s status unless a newer version is already there.
    pub fn put(&self, record: &CheckoutRecord) -> Arc<CachedStatus> {
        let fresh = Arc::new(CachedStatus::of(record));
        let mut entries = self.entries.write().unwrap_or_else(|p| p.into_inner());
        if let Some(existing) = entries.get(&record.id) {
            if existing.version > fresh.version {
                return existing.clone();
            }
        }
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(record.id.clone(), fresh.clone());
        fresh
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::currency::Catalogue;
    use crate::domain::spec::{CheckoutSpec, PricingInput, TextInput};
    use protocol::{Amount, CheckoutType, Money};

    fn record(version: u64, expires_at_ms: i64) -> CheckoutRecord {
        let spec = CheckoutSpec::build(
            TextInput::default(),
            PricingInput {
                checkout_type: Some(CheckoutType::FixedPrice),
                fixed_amount: Some(Money {
                    amount: Amount::parse("1").unwrap(),
                    currency: "USD".into(),
                }),
                ..Default::default()
            },
            "x",
            &Catalogue::new(&Default::default()),
        )
        .unwrap();
        let mut r = CheckoutRecord::new("CCO-1".into(), spec, expires_at_ms, 0);
        r.version = version;
        r
    }

    #[test]
    fn only_moves_forward_and_steps_aside_at_expiry() {
        let cache = StatusCache::default();
        cache.put(&record(3, 1000));
        assert_eq!(cache.put(&record(2, 1000)).version, 3);
        assert_eq!(cache.get("CCO-1", 999).unwrap().etag, "\"3\"");
        assert!(cache.get("CCO-1", 1000).is_none());
        assert!(cache.get("CCO-2", 0).is_none());
        let body: serde_json::Value =
            serde_json::from_slice(&cache.get("CCO-1", 0).unwrap().body).unwrap();
        assert_eq!(body["status"], "NEW");
        assert_eq!(cache.version("CCO-1"), Some(3));
        cache.clear();
        assert_eq!(cache.version("CCO-1"), None);
    }
}
