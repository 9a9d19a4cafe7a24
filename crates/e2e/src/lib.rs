//! The harness for the end-to-end journeys.
//!
//! Each journey runs the real server binary (sandbox provider, fresh SQLite database; or two
//! of them on a fresh PostgreSQL database behind nginx, [`instances`]) on one origin, serves
//! merchant pages from another origin, and drives a real headless Chromium through
//! ChromeDriver. Everything started here is stopped when its handle is dropped, so a run
//! leaves no process behind. `cargo xtask test` builds what is needed and sets the `E2E_*`
//! variables; running `cargo test -p e2e` alone explains what is missing instead of skipping.

pub mod balancer;
pub mod browser;
pub mod chain;
pub mod host;
pub mod instances;
pub mod journey;
pub mod merchant;
pub mod metrics;
pub mod notifications;
pub mod postgres;
pub mod server;
pub mod steps;

use std::path::PathBuf;
use std::time::Duration;

pub use balancer::Balancer;
pub use browser::Browser;
pub use host::HostSite;
pub use journey::Journey;
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
    /// axe-core's `axe.min.js`, for the accessibility journey.
    pub axe: PathBuf,
    /// The nginx binary, for the journeys behind a load balancer (`E2E_NGINX`; the screenshots
    /// and the bench do without).
    pub nginx: Option<PathBuf>,
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
            axe: var("E2E_AXE"),
            nginx: std::env::var_os("E2E_NGINX").map(PathBuf::from),
            artifacts,
        }
    }
}

/// Everything a journey needs: the merchant's site, the server, the merchant's backend.
pub struct Ctx {
    pub env: Env,
    pub site: HostSite,
    pub server: Server,
    pub merchant: Merchant,
}

impl Ctx {
    /// A fresh site and server (fresh database); `server_env` adds server settings.
    pub async fn start(server_env: &[(&str, &str)]) -> Ctx {
        let env = Env::from_env();
        let site = HostSite::start().await;
        let server = Server::start_with(&env, &site, server_env).await;
        let merchant = Merchant::new(&server.origin());
        Ctx {
            env,
            site,
            server,
            merchant,
        }
    }

    /// Publishes a page on the merchant's site embedding `body` with the widget's script tag.
    pub fn page(&self, name: &str, body: &str) -> String {
        self.site.page(name, &self.server.widget_js(), body, None)
    }

    pub async fn browser(&self) -> Browser {
        Browser::start(&self.env).await
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

/// `now + seconds` as RFC 3339 UTC, for `expiresAt`.
pub fn rfc3339_in(seconds: u64) -> String {
    let unix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs()
        + seconds;
    let (days, rest) = ((unix / 86_400) as i64, unix % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's well-known algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        (rest % 3600) / 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn rfc3339_has_the_right_shape() {
        let t = super::rfc3339_in(0);
        assert_eq!(t.len(), 20, "{t}");
        assert!(t.starts_with("20") && t.ends_with('Z'), "{t}");
    }
}
