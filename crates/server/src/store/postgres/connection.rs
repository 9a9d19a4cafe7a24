//! The connection pool to the database `database_url` names.

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio_postgres::config::SslMode;
use tokio_postgres::NoTls;

use crate::config::Secret;

/// Connections per instance: requests, background tasks and (later) the listener share them;
/// PostgreSQL's default allows 100 in all, so several instances fit.
const POOL_SIZE: usize = 16;

/// A pool for `url`. Nothing connects yet; the first use does. Errors never show the URL.
pub fn pool(url: &Secret) -> anyhow::Result<Pool> {
    let config = tokio_postgres::Config::from_str(url.expose())
        .map_err(|e| anyhow::anyhow!("database_url is not a valid PostgreSQL URL: {e}"))?;
    if config.get_ssl_mode() == SslMode::Require {
        anyhow::bail!(
            "database_url asks for sslmode=require, and this server speaks to PostgreSQL without \
             TLS: reach the database over loopback or a private network, without sslmode"
        );
    }
    let manager = Manager::from_config(
        config,
        NoTls,
        ManagerConfig {
            // A pooled connection is checked with a cheap query before reuse only when it
            // reported an error; a dead one fails the call and is dropped.
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Pool::builder(manager)
        .max_size(POOL_SIZE)
        .runtime(Runtime::Tokio1)
        // Calls wait for a free connection, but not forever: an unreachable database fails the
        // request instead of hanging it.
        .wait_timeout(Some(Duration::from_secs(10)))
        .create_timeout(Some(Duration::from_secs(5)))
        .build()
        .context("building the database pool")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(url: &str) -> String {
        format!("{:#}", pool(&Secret::new(url)).unwrap_err())
    }

    #[test]
    fn a_url_the_driver_cannot_use_is_refused_at_start_up_without_showing_it() {
        let bad_port = refusal("postgres://shop:pw_s3cret@db:port/checkout");
        assert!(
            bad_port.contains("not a valid PostgreSQL URL"),
            "{bad_port}"
        );
        let tls = refusal("postgres://shop:pw_s3cret@db/checkout?sslmode=require");
        assert!(tls.contains("sslmode=require"), "{tls}");
        for message in [bad_port, tls] {
            assert!(!message.contains("pw_s3cret"), "{message}");
        }
        pool(&Secret::new("postgres://shop:pw@db:5432/checkout")).unwrap();
    }
}
