//! One at a time per key, in this process and across the instances sharing its database: what
//! must not ask a provider twice at the same moment.
//!
//! - A pick, keyed by its checkout: twins of a pick (a double click, a retry racing the
//!   original, on this instance or another) wait for the first and then find its payment,
//!   instead of asking the provider at the same moment with the same reserved payment id.
//! - A settlement step, keyed by [`settlement`] of its payment: the merchant's resolve and a
//!   re-read resuming it (webhook, reconciler) would otherwise both read the invoice before
//!   either call took effect and both send a call that moves money.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

use crate::domain::now_ms;
use crate::error::AppResult;
use crate::store::lease::Holder;
use crate::store::Db;

/// How long a turn is leased to one instance: longer than a provider call with its retries,
/// so a live holder keeps it. Twins on other instances wait at most this long for an instance
/// that died holding it; that instance, restarted, takes it over at once.
pub const LEASE: Duration = Duration::from_secs(30);

/// How often a twin on another instance asks whether the turn is free.
const RETRY: Duration = Duration::from_millis(50);

type Turns = HashMap<String, Arc<AsyncMutex<()>>>;

static TURNS: LazyLock<Mutex<Turns>> = LazyLock::new(Default::default);

fn turns() -> MutexGuard<'static, Turns> {
    TURNS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Held while a pick runs; the checkout's entry goes with the last holder, and the lease is
/// given back.
pub struct Turn {
    checkout_id: String,
    guard: Option<OwnedMutexGuard<()>>,
    lease: Option<(Db, String)>,
}

/// The key of payment `payment_id`'s settlement steps (never a checkout id, so a pick that
/// re-reads and resumes a settlement does not wait for itself).
pub fn settlement(payment_id: &str) -> String {
    format!("settlement:{payment_id}")
}

/// Waits for `checkout_id`'s turn (a checkout id, or a [`settlement`] key): first among this
/// process's twins, then for the lease on the database.
pub async fn take(db: &Db, instance: &str, checkout_id: &str) -> AppResult<Turn> {
    let lock = turns().entry(checkout_id.to_owned()).or_default().clone();
    let mut turn = Turn {
        checkout_id: checkout_id.to_owned(),
        guard: Some(lock.lock_owned().await),
        lease: None,
    };
    let holder = Holder {
        instance: instance.to_owned(),
        turn: uuid::Uuid::new_v4().simple().to_string(),
    };
    let lease_ms = LEASE.as_millis() as i64;
    loop {
        let (key, me) = (checkout_id.to_owned(), holder.clone());
        let now = now_ms();
        let taken = db
            .run(move |s| s.leases().claim(&key, &me, now, now + lease_ms))
            .await?;
        if taken {
            turn.lease = Some((db.clone(), holder.turn));
            return Ok(turn);
        }
        tokio::time::sleep(RETRY).await;
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        if let Some((db, turn)) = self.lease.take() {
            let key = self.checkout_id.clone();
            // Given back in the background; if that fails, the lease runs out on its own.
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move {
                    let _ = db.run(move |s| s.leases().release(&key, &turn)).await;
                });
            }
        }
        self.guard.take();
        let mut turns = turns();
        // Only the map's own handle left: nobody holds or awaits this checkout's turn.
        if turns
            .get(&self.checkout_id)
            .is_some_and(|lock| Arc::strong_count(lock) == 1)
        {
            turns.remove(&self.checkout_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::store::sqlite::SqliteStore;

    fn sqlite_db(dir: &tempfile::TempDir) -> Db {
        Db::new(Arc::new(
            SqliteStore::open(&dir.path().join("checkout.db")).unwrap(),
        ))
    }

    #[tokio::test]
    async fn picks_of_one_checkout_take_turns_and_the_turn_is_forgotten_after() {
        let dir = tempfile::tempdir().unwrap();
        let db = sqlite_db(&dir);
        let first = take(&db, "one", "CCO-turn-1").await.unwrap();
        // Another checkout is not held up.
        let other = take(&db, "one", "CCO-turn-2").await.unwrap();
        let twin = db.clone();
        let waiting = tokio::spawn(async move { take(&twin, "one", "CCO-turn-1").await.unwrap() });
        tokio::time::sleep(Duration::from_millis(30)).await;
        assert!(!waiting.is_finished(), "the twin waits for the first pick");
        drop(first);
        let second = tokio::time::timeout(Duration::from_secs(2), waiting)
            .await
            .unwrap()
            .unwrap();
        drop((second, other));
        assert!(!turns().contains_key("CCO-turn-1"));
        assert!(!turns().contains_key("CCO-turn-2"));
    }

    /// Two instances on one PostgreSQL database: the twin on the other waits for the lease.
    #[test]
    fn a_twin_on_another_instance_waits_for_the_turn() {
        use crate::config::Secret;
        use crate::store::postgres::scratch::ScratchDatabase;
        use crate::store::postgres::PostgresStore;
        let runtime = crate::store::postgres::conformance::runtime();
        let database = runtime.block_on(ScratchDatabase::create());
        let instance = || {
            let url = Secret::new(database.url.clone());
            Db::new(Arc::new(
                runtime.block_on(PostgresStore::open(&url)).unwrap(),
            ))
        };
        let (a, b) = (instance(), instance());
        runtime.block_on(async {
            let first = take(&a, "a", "CCO-turn-pg").await.unwrap();
            // The process-wide map orders twins in one process: the other instance's turn
            // must wait for the lease alone, so it takes another process's view of the map.
            turns().remove("CCO-turn-pg");
            let waiting = tokio::spawn(async move { take(&b, "b", "CCO-turn-pg").await.unwrap() });
            tokio::time::sleep(Duration::from_millis(200)).await;
            assert!(
                !waiting.is_finished(),
                "the lease is held by the first instance"
            );
            drop(first);
            let second = tokio::time::timeout(Duration::from_secs(2), waiting).await;
            drop(second.expect("the lease was given back").unwrap());
            tokio::time::sleep(Duration::from_millis(100)).await;
        });
        let _guard = runtime.enter();
        drop(a);
        drop(database);
    }
}
