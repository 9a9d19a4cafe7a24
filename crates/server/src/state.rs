//! What every handler and background task shares.

use std::ops::Deref;
use std::sync::Arc;

use tokio::sync::watch;

use crate::config::Config;
use crate::domain::currency::Catalogue;
use crate::live::Live;
use crate::metrics::Metrics;
use crate::providers::evm::EvmProvider;
use crate::providers::registry::Registry;
use crate::providers::sandbox::SandboxProvider;
use crate::providers::Provider;
use crate::reconcile_health::ReconcileMonitor;
use crate::status_cache::StatusCache;
use crate::store::Db;

pub struct Shared {
    pub config: Config,
    /// This instance's name on a shared database (`instance_id`).
    pub instance_id: String,
    pub db: Db,
    pub catalogue: Catalogue,
    pub live: Live,
    pub status_cache: StatusCache,
    /// What the reconciler has seen of each provider.
    pub reconcile: ReconcileMonitor,
    /// Only when the sandbox is the chosen provider.
    pub sandbox: Option<Arc<SandboxProvider>>,
    /// When chains are configured (`[evm]`): their watchers' provider.
    pub evm: Option<Arc<EvmProvider>>,
    /// Every configured provider, and the one new payments are opened with.
    pub providers: Registry,
    /// Turns true when the server is stopping; long-lived responses (live streams) end then.
    pub shutdown: watch::Receiver<bool>,
    /// What `/metrics` reports (on its own listener, `metrics_listen`).
    pub metrics: Metrics,
}

impl Shared {
    /// The provider new payments are opened with.
    pub fn provider(&self) -> Arc<dyn Provider> {
        self.providers.active()
    }

    /// The provider a stored payment or an inbound webhook belongs to.
    pub fn provider_named(&self, name: &str) -> Option<Arc<dyn Provider>> {
        self.providers.named(name)
    }
}

#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> AppState {
        AppState(Arc::new(shared))
    }
}

impl Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}
