//! One at a time, in this process, per key: what must not ask a provider twice at the same moment.
//!
//! - A pick, keyed by its checkout: twins of a pick (a double click, a retry racing the
//!   original) wait for the first and then find its payment, instead of asking the provider at
//!   the same moment with the same reserved payment id. Several instances sharing one database
//!   are not ordered by this; there the stored reservation (`services::opening`) and
//!   `pick::add_once` keep a twin from opening or storing a second payment.
//! - A settlement step, keyed by [`settlement`] of its payment: the merchant's resolve and a
//!   re-read resuming it (webhook, reconciler) would otherwise both read the invoice before
//!   either call took effect and both send a call that moves money.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};

use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

type Turns = HashMap<String, Arc<AsyncMutex<()>>>;

static TURNS: LazyLock<Mutex<Turns>> = LazyLock::new(Default::default);

fn turns() -> MutexGuard<'static, Turns> {
    TURNS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Held while a pick runs; the checkout's entry goes with the last holder.
pub struct Turn {
    checkout_id: String,
    guard: Option<OwnedMutexGuard<()>>,
}

/// The key of payment `payment_id`'s settlement steps (never a checkout id, so a pick that
/// re-reads and resumes a settlement does not wait for itself).
pub fn settlement(payment_id: &str) -> String {
    format!("settlement:{payment_id}")
}

/// Waits for `checkout_id`'s turn (a checkout id, or a [`settlement`] key).
pub async fn take(checkout_id: &str) -> Turn {
    let lock = turns().entry(checkout_id.to_owned()).or_default().clone();
    Turn {
        checkout_id: checkout_id.to_owned(),
        guard: Some(lock.lock_owned().await),
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
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

    #[tokio::test]
    async fn picks_of_one_checkout_take_turns_and_the_turn_is_forgotten_after() {
        let first = take("CCO-turn-1").await;
        // Another checkout is not held up.
        let other = take("CCO-turn-2").await;
        let waiting = tokio::spawn(async { take("CCO-turn-1").await });
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
}
