//! A synchronous storage interface as async code holds it: every call moves onto the blocking
//! thread pool, so database work never stalls the async runtime.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use crate::store::error::{StoreError, StoreResult};

pub struct Blocking<S: ?Sized> {
    inner: Arc<S>,
    /// Calls started and not yet answered (running, or waiting for a thread or a connection):
    /// how busy the database is from this instance's side, for `/metrics`.
    in_flight: Arc<AtomicUsize>,
}

impl<S: ?Sized> Clone for Blocking<S> {
    fn clone(&self) -> Self {
        Blocking {
            inner: self.inner.clone(),
            in_flight: self.in_flight.clone(),
        }
    }
}

/// Counts a call while it is alive, also when its caller gives up waiting.
struct InFlight(Arc<AtomicUsize>);

impl InFlight {
    fn start(counter: &Arc<AtomicUsize>) -> InFlight {
        counter.fetch_add(1, Ordering::Relaxed);
        InFlight(counter.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl<S: ?Sized + Send + Sync + 'static> Blocking<S> {
    pub fn new(inner: Arc<S>) -> Blocking<S> {
        Blocking {
            inner,
            in_flight: Arc::default(),
        }
    }

    /// Runs `work` on the blocking pool.
    pub async fn run<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&S) -> StoreResult<T> + Send + 'static,
    {
        let inner = self.inner.clone();
        let counted = InFlight::start(&self.in_flight);
        tokio::task::spawn_blocking(move || {
            let _counted = counted;
            work(&*inner)
        })
        .await
        .map_err(|e| StoreError::Database(anyhow::anyhow!("database task failed: {e}")))?
    }

    /// Database calls started and not yet finished.
    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::Relaxed)
    }
}
