//! Turns shared by every instance on one database: a short lease per key, so that work which
//! must not run twice at the same moment (a pick asking its provider, a settlement step that
//! moves money) is ordered across instances, not only inside one (`services::turns`).
//!
//! A lease rather than a lock held on a connection: the holder keeps no connection while it
//! waits for its provider, and a holder that dies only delays the next one until its lease ends.

use crate::store::error::StoreResult;

/// Who asks for a lease: the instance (stable across its restarts, from its data directory) and
/// the turn (one per take).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub instance: String,
    pub turn: String,
}

pub trait LeaseStore: Send + Sync {
    /// Takes `key` for `holder` until `until_ms`, unless another instance's lease on it runs
    /// past `now_ms`; whether it was taken. A lease of the same instance is taken over: in a
    /// live process its twins are ordered before they get here, so such a lease was left by
    /// that instance before a crash, and waiting for it would only delay the restart.
    fn claim(&self, key: &str, holder: &Holder, now_ms: i64, until_ms: i64) -> StoreResult<bool>;

    /// Gives `key` back if `turn` still holds it.
    fn release(&self, key: &str, turn: &str) -> StoreResult<()>;
}
