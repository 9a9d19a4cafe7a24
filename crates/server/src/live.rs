//! Live status fan-out for the server-sent event streams.
//!
//! One `tokio::sync::watch` channel per checkout that somebody is watching, kept in a map and
//! removed when its last subscriber leaves. A change wakes only the streams of that checkout,
//! and an idle stream costs one receiver. `watch` keeps only the latest value, which is all a
//! status stream needs: a slow reader skips to the newest version instead of queueing.
//!
//! With several server instances (PostgreSQL), `publish` is also fed from the database's
//! notifications (`services::remote_changes`); subscribers do not change.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use protocol::{CheckoutStatus, CheckoutView};
use tokio::sync::watch;

/// One version of a checkout's public view, serialised once for every stream.
#[derive(Debug)]
pub struct Published {
    pub version: u64,
    pub status: CheckoutStatus,
    pub json: String,
}

type Slot = watch::Sender<Option<Arc<Published>>>;

#[derive(Clone, Default)]
pub struct Live {
    channels: Arc<Mutex<HashMap<String, Slot>>>,
    /// Subscriptions alive: one per open stream.
    streams: Arc<AtomicUsize>,
}

impl Live {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, Slot>> {
        self.channels.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Starts watching checkout `id`. Subscribe before reading the current state, so no change
    /// can fall between the two.
    pub fn subscribe(&self, id: &str) -> Subscription {
        let rx = self
            .map()
            .entry(id.to_owned())
            .or_insert_with(|| watch::channel(None).0)
            .subscribe();
        self.streams.fetch_add(1, Ordering::Relaxed);
        Subscription {
            id: id.to_owned(),
            rx: Some(rx),
            live: self.clone(),
        }
    }

    /// Tells the streams of this checkout about its new view. Costs nothing when nobody watches.
    pub fn publish(&self, view: &CheckoutView) {
        let map = self.map();
        let Some(slot) = map.get(&view.id) else {
            return;
        };
        let json = match serde_json::to_string(view) {
            Ok(json) => json,
            Err(e) => {
                tracing::error!("serialising a checkout view: {e}");
                return;
            }
        };
        let published = Arc::new(Published {
            version: view.version,
            status: view.status,
            json,
        });
        // Never move backwards if two publishes race.
        slot.send_if_modified(|current| match current {
            Some(c) if c.version >= published.version => false,
            _ => {
                *current = Some(published);
                true
            }
        });
    }

    /// Whether a stream of checkout `id` is open.
    pub fn is_watched(&self, id: &str) -> bool {
        self.map().contains_key(id)
    }

    /// The checkouts with at least one stream open.
    pub fn watched_ids(&self) -> Vec<String> {
        self.map().keys().cloned().collect()
    }

    /// How many checkouts have at least one stream open.
    pub fn watched(&self) -> usize {
        self.map().len()
    }

    /// How many streams are open.
    pub fn streams(&self) -> usize {
        self.streams.load(Ordering::Relaxed)
    }
}

pub struct Subscription {
    id: String,
    rx: Option<watch::Receiver<Option<Arc<Published>>>>,
    live: Live,
}

impl Subscription {
    /// Waits for the next published version; `None` only if the channel was dropped.
    pub async fn next(&mut self) -> Option<Arc<Published>> {
        let rx = self.rx.as_mut()?;
        loop {
            rx.changed().await.ok()?;
            if let Some(p) = rx.borrow_and_update().clone() {
                return Some(p);
            }
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        drop(self.rx.take());
        self.live.streams.fetch_sub(1, Ordering::Relaxed);
        let mut map = self.live.map();
        if map
            .get(&self.id)
            .is_some_and(|slot| slot.receiver_count() == 0)
        {
            map.remove(&self.id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::CheckoutType;

    fn view(id: &str, version: u64) -> CheckoutView {
        CheckoutView {
            id: id.into(),
            checkout_type: CheckoutType::FixedPrice,
            status: CheckoutStatus::New,
            exception: None,
            name: "n".into(),
            description: None,
            logo_url: None,
            return_url: None,
            support_url: None,
            expires_at: String::new(),
            price: None,
            amount_currency: None,
            suggested_amounts: vec![],
            min_amount: None,
            max_amount: None,
            currencies: vec![],
            payment: None,
            version,
            test: false,
            payer_contact_required: false,
            test_controls: false,
        }
    }

    #[tokio::test]
    async fn only_the_watched_checkout_wakes_and_the_map_is_cleaned() {
        let live = Live::default();
        let mut a = live.subscribe("a");
        let a2 = live.subscribe("a");
        let b = live.subscribe("b");
        assert_eq!(live.watched(), 2);
        let mut ids = live.watched_ids();
        ids.sort();
        assert_eq!(ids, ["a", "b"]);
        assert!(live.is_watched("b") && !live.is_watched("c"));
        live.publish(&view("a", 2));
        live.publish(&view("a", 1));
        assert_eq!(a.next().await.unwrap().version, 2);
        live.publish(&view("zzz", 1));
        assert_eq!(live.watched(), 2);
        drop(b);
        assert_eq!(live.watched(), 1);
        drop(a);
        assert_eq!(live.watched(), 1);
        drop(a2);
        assert_eq!(live.watched(), 0);
    }
}
