//! The companion server of the checkout widget: the source of truth for every checkout.
//!
//! [`app`] builds the router (tests drive it directly); [`start`] opens the store, starts the
//! background tasks and serves on a socket; [`run`] is `serve` from the command line.

pub mod cli;
pub mod config;
pub mod domain;
pub mod error;
pub mod expiry;
pub mod instance_id;
pub mod live;
pub mod logs;
pub mod metrics;
pub mod notify;
pub mod providers;
pub mod reconcile_health;
pub mod reconciler;
pub mod routes;
pub mod services;
pub mod state;
pub mod status_cache;
pub mod store;

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use config::Config;
pub use routes::app;

use crate::config::Database;
use crate::domain::currency::Catalogue;
use crate::live::Live;
use crate::providers::calypso::subscription::KeyStore;
use crate::providers::evm::{watcher, EvmProvider};
use crate::providers::registry::Registry;
use crate::providers::sandbox::ledger::postgres::PostgresLedger;
use crate::providers::sandbox::ledger::sqlite::SqliteLedger;
use crate::providers::sandbox::ledger::{Ledger, SandboxLedger};
use crate::providers::sandbox::{chain, SandboxProvider};
use crate::state::{AppState, Shared};
use crate::status_cache::StatusCache;
use crate::store::postgres::leader::Leadership;
use crate::store::postgres::PostgresStore;
use crate::store::sqlite::SqliteStore;
use crate::store::{Db, Store};

/// A running server: its address, and the means to stop it.
pub struct Server {
    pub addr: SocketAddr,
    /// Where `/metrics` is served, when `metrics_listen` is set.
    pub metrics_addr: Option<SocketAddr>,
    pub state: AppState,
    stop: watch::Sender<bool>,
    serving: JoinHandle<std::io::Result<()>>,
    background: Vec<JoinHandle<()>>,
}

impl Server {
    /// Stops accepting, ends live streams, waits for in-flight requests and background tasks.
    pub async fn stop(self) -> anyhow::Result<()> {
        let _ = self.stop.send(true);
        self.serving.await.context("the server task")??;
        for task in self.background {
            let _ = task.await;
        }
        Ok(())
    }
}

/// The address to reach a listener on from this machine (`0.0.0.0` is not a destination).
fn loopback(addr: SocketAddr) -> SocketAddr {
    let mut a = addr;
    if a.ip().is_unspecified() {
        a.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    a
}

/// Opens the store, seeds the demo if asked, binds, and starts serving in the background.
pub async fn start(config: Config) -> anyhow::Result<Server> {
    config.refuse_unsafe_keys()?;
    let Stores {
        db,
        sandbox,
        calypso_keys,
    } = open_stores(&config).await?;
    let (stop, shutdown) = watch::channel(false);
    let evm = config
        .evm
        .is_configured()
        .then(|| EvmProvider::new(&config.evm, db.clone()).map(Arc::new))
        .transpose()?;
    let providers =
        Registry::from_config(&config, sandbox.clone(), evm.clone(), calypso_keys.clone())?;
    services::calypso_subscription::subscribe_on_start(&config, calypso_keys).await;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("binding {}", config.listen))?;
    let addr = listener.local_addr()?;
    let metrics_listener = match config.metrics_listen {
        Some(at) => Some(
            tokio::net::TcpListener::bind(at)
                .await
                .with_context(|| format!("binding metrics_listen {at}"))?,
        ),
        None => None,
    };
    let sandbox_webhooks = webhook_urls(&config, &providers, addr);
    let instance_id = instance_id::load_or_create(&config.data_dir)?;
    let state = AppState::new(Shared {
        instance_id,
        catalogue: Catalogue::from_config(&config),
        config,
        db,
        live: Live::default(),
        status_cache: StatusCache::default(),
        reconcile: Default::default(),
        sandbox: sandbox.clone(),
        evm: evm.clone(),
        providers,
        shutdown: shutdown.clone(),
        metrics: Default::default(),
    });
    if state.config.demo {
        services::demo::seed(&state)
            .await
            .map_err(|e| anyhow::anyhow!("seeding the demo widgets: {e}"))?;
    }
    let mut background = background_tasks(&state, shutdown.clone());
    background.extend(listen_to_other_instances(&state, shutdown.clone())?);
    if let Some(sandbox) = sandbox {
        let leadership = match state.config.database()? {
            Database::Postgres(url) => Some(Leadership::new(url, chain::LEADER_KEY)),
            Database::Sqlite(_) => None,
        };
        let chain = chain::run(sandbox, sandbox_webhooks, leadership, shutdown.clone());
        background.push(tokio::spawn(chain));
    }
    if let Some(evm) = evm {
        background.extend(chain_watchers(&state, &evm, shutdown.clone())?);
    }
    let metrics_addr = match metrics_listener {
        Some(listener) => {
            let (at, task) = serve_metrics(listener, &state, shutdown.clone())?;
            background.push(task);
            Some(at)
        }
        None => None,
    };
    let serving = serve(listener, app(state.clone()), shutdown);
    Ok(Server {
        addr,
        metrics_addr,
        state,
        stop,
        serving,
        background,
    })
}

/// Serves `/metrics` on its own listener until the server stops; returns where.
fn serve_metrics(
    listener: tokio::net::TcpListener,
    state: &AppState,
    shutdown: watch::Receiver<bool>,
) -> anyhow::Result<(SocketAddr, JoinHandle<()>)> {
    let at = loopback(listener.local_addr()?);
    tracing::info!("metrics on http://{at}/metrics");
    let served = serve(listener, routes::metrics::router(state.clone()), shutdown);
    let task = tokio::spawn(async move {
        if let Ok(Err(e)) = served.await {
            tracing::error!("the metrics listener stopped: {e}");
        }
    });
    Ok((at, task))
}

/// The checkout store (`database_url`'s PostgreSQL database, else the SQLite file in
/// `data_dir`), and the sandbox with its ledger beside the store (in the same PostgreSQL
/// database, so instances share one chain, or in the SQLite file) when the sandbox is the
/// chosen provider: a production server has no simulated chain, no sandbox webhook endpoint and
/// no way to "pay" a payment by API.
async fn open_stores(config: &Config) -> anyhow::Result<Stores> {
    let with_sandbox = config.sandbox_enabled();
    let mut postgres = None;
    let (store, ledger): (Arc<dyn Store>, Option<Arc<dyn SandboxLedger>>) = match config
        .database()?
    {
        Database::Sqlite(path) => {
            let (store, ledger) = tokio::task::spawn_blocking(move || {
                let ledger = with_sandbox
                    .then(|| SqliteLedger::open(&path))
                    .transpose()?;
                anyhow::Ok((SqliteStore::open(&path)?, ledger))
            })
            .await
            .context("opening the store")??;
            let ledger = ledger.map(|l| Arc::new(l) as Arc<dyn SandboxLedger>);
            (Arc::new(store), ledger)
        }
        Database::Postgres(url) => {
            let store = Arc::new(PostgresStore::open(&url).await?);
            let ledger = with_sandbox
                .then(|| Arc::new(PostgresLedger::new(store.clone())) as Arc<dyn SandboxLedger>);
            postgres = Some(store.clone());
            (store, ledger)
        }
    };
    let sandbox = ledger.map(|ledger| {
        Arc::new(SandboxProvider::new(
            Ledger::new(ledger),
            config.sandbox.clone(),
        ))
    });
    let calypso_keys = match &config.calypso {
        Some(_) => Some(services::calypso_subscription::key_store(config, postgres).await?),
        None => None,
    };
    Ok(Stores {
        db: Db::new(store),
        sandbox,
        calypso_keys,
    })
}

/// What [`open_stores`] opened.
struct Stores {
    db: Db,
    sandbox: Option<Arc<SandboxProvider>>,
    /// Where Calypso's webhook subscriptions are kept, when Calypso is configured.
    calypso_keys: Option<Arc<dyn KeyStore>>,
}

/// Logs the webhook URL to register with each provider (from `public_url`) and returns where the
/// sandbox posts its own: its setting, else `public_url`, else this server's loopback address.
fn webhook_urls(config: &Config, providers: &Registry, addr: SocketAddr) -> String {
    for provider in providers.names() {
        if let Some(url) = config.webhook_url(provider) {
            tracing::info!(provider, %url, "the provider's webhooks go to this URL");
        }
    }
    config
        .sandbox
        .webhook_url
        .clone()
        .or_else(|| config.webhook_url("sandbox"))
        .unwrap_or_else(|| format!("http://{}/webhooks/sandbox", loopback(addr)))
}

/// The work that runs beside the requests: expiry sweep, reconciliation, notifications.
fn background_tasks(state: &AppState, shutdown: watch::Receiver<bool>) -> Vec<JoinHandle<()>> {
    vec![
        tokio::spawn(expiry::run(state.clone(), shutdown.clone())),
        tokio::spawn(reconciler::run(state.clone(), shutdown.clone())),
        tokio::spawn(notify::worker::run(
            state.db.clone(),
            state.config.notify.clone(),
            shutdown,
        )),
    ]
}

/// One watcher per configured chain; what each finds is applied through the services. On
/// PostgreSQL one instance at a time watches each chain (a leader per chain).
fn chain_watchers(
    state: &AppState,
    evm: &EvmProvider,
    shutdown: watch::Receiver<bool>,
) -> anyhow::Result<Vec<JoinHandle<()>>> {
    let shared = match state.config.database()? {
        Database::Postgres(url) => Some(url),
        Database::Sqlite(_) => None,
    };
    let findings_state = state.clone();
    let findings: watcher::Findings = Arc::new(move |references| {
        let state = findings_state.clone();
        Box::pin(async move { services::chain_findings::apply(&state, references).await })
    });
    Ok(evm
        .chains()
        .map(|chain| {
            tokio::spawn(watcher::run(
                chain.clone(),
                findings.clone(),
                shared.clone(),
                shutdown.clone(),
            ))
        })
        .collect())
}

/// With PostgreSQL, the LISTEN connection and what feeds its news to the live streams and the
/// status cache (changes other instances commit); nothing with SQLite, where every change is
/// made by this process.
fn listen_to_other_instances(
    state: &AppState,
    shutdown: watch::Receiver<bool>,
) -> anyhow::Result<Vec<JoinHandle<()>>> {
    let Database::Postgres(url) = state.config.database()? else {
        return Ok(Vec::new());
    };
    let (heard, hearing) = tokio::sync::mpsc::channel(1024);
    Ok(vec![
        tokio::spawn(store::postgres::listen::run(url, heard, shutdown)),
        tokio::spawn(services::remote_changes::run(state.clone(), hearing)),
    ])
}

/// Serves `router` on `listener` until `shutdown` turns true.
fn serve(
    listener: tokio::net::TcpListener,
    router: axum::Router,
    mut shutdown: watch::Receiver<bool>,
) -> JoinHandle<std::io::Result<()>> {
    tokio::spawn(async move {
        // `into_make_service` prepares the routes once; serving the `Router` itself would
        // rebuild them for every connection (about 9 KB each, which 10 000 live streams feel).
        // With the peer's address, which the public API's rate limit is keyed by.
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = shutdown.wait_for(|stop| *stop).await;
        })
        .await
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// `checkout-server serve`: runs until SIGTERM or Ctrl-C.
pub async fn run(config: Config) -> anyhow::Result<()> {
    if config.uses_demo_key() {
        tracing::warn!(
            "USING THE DEMO MERCHANT API KEY: anybody can create and resolve checkouts. \
             Set CHECKOUT_MERCHANT_API_KEY or merchant_api_key in the configuration file."
        );
    }
    if config.demo {
        tracing::warn!("demo mode: the demo merchant key is accepted and demo widgets are seeded");
    }
    let server = start(config).await?;
    tracing::info!(addr = %server.addr, "serving");
    // Scripts wait for exactly this line on stdout.
    println!("listening on http://{}", server.addr);
    let _ = std::io::stdout().flush();
    shutdown_signal().await;
    tracing::info!("shutting down");
    server.stop().await
}
