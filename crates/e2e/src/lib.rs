//! The harness for the end-to-end journeys.
//!
//! Each journey runs the real server binary (sandbox provider, fresh SQLite database) on one
//! origin, serves merchant pages from another origin, and drives a real headless Chromium
//! through ChromeDriver. Everything started here is stopped when its handle is dropped, so a run
//! leaves no process behind. `cargo xtask test` builds what is needed and sets the `E2E_*`
//! variables; running `cargo test -p e2e` alone explains what is missing instead of skipping.

pub mod browser;
pub mod host;
pub mod merchant;
pub mod server;

use std::path::PathBuf;
use std::time::Duration;

pub use browser::Browser;
pub use host::HostSite;
pub use merchant::Merchant;
pub use server::Server;

/// Paths the harness needs, from the environment `cargo xtask test` sets.
#[derive(Debug, Clone)]
pub struct Env {
    pub dist: PathBuf,
    pub server_bin: PathBuf,
    pub chromedriver: PathBuf,
    pub chromium: PathBuf,
    pub artifacts: PathBuf,
}

impl Env {
    pub fn from_env() -> Env {
        let var = |name: &str| -> PathBuf {
            match std::env::var_os(name) {
                Some(v) => PathBuf::from(v),
                None => panic!(
                    "{name} is not set: the end-to-end journeys need the built widget, the server \
                     binary and Chromium; run them with `cargo xtask test`"
                ),
            }
        };
        let artifacts = std::env::var_os("E2E_ARTIFACTS")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/e2e-artifacts")
            });
        Env {
            dist: var("E2E_DIST"),
            server_bin: var("E2E_SERVER_BIN"),
            chromedriver: var("E2E_CHROMEDRIVER"),
            chromium: var("E2E_CHROMIUM"),
            artifacts,
        }
    }
}

/// A port nobody listens on right now (the OS picks it).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("an ephemeral port")
}

/// Polls `check` until it returns `Some`, or fails with `what` after `timeout`.
pub async fn eventually<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> Result<T, String>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if let Some(value) = check().await {
            return Ok(value);
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(format!("timed out after {timeout:?} waiting for {what}"));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
