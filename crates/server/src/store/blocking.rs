//! A synchronous storage interface as async code holds it: every call moves onto the blocking
//! thread pool, so database work never stalls the async runtime.

use std::sync::Arc;

use crate::error::{AppError, AppResult};

pub struct Blocking<S: ?Sized>(Arc<S>);

impl<S: ?Sized> Clone for Blocking<S> {
    fn clone(&self) -> Self {
        Blocking(self.0.clone())
    }
}

impl<S: ?Sized + Send + Sync + 'static> Blocking<S> {
    pub fn new(inner: Arc<S>) -> Blocking<S> {
        Blocking(inner)
    }

    /// Runs `work` on the blocking pool.
    pub async fn run<T, F>(&self, work: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&S) -> AppResult<T> + Send + 'static,
    {
        let inner = self.0.clone();
        tokio::task::spawn_blocking(move || work(&*inner))
            .await
            .map_err(|e| AppError::internal(anyhow::anyhow!("database task failed: {e}")))?
    }
}
