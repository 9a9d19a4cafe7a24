//! Leadership of work only one instance may do at a time (the sandbox's block task): a
//! session-level advisory lock held on a connection of its own. PostgreSQL releases it when
//! that connection ends, so when the leading instance dies (or its connection does) another
//! takes the lock at its next try; nothing has to expire.
//!
//! Why a leader rather than row claims here: a block is one step of one shared chain, and two
//! instances mining at once would confirm twice per interval; the chain has no row to claim per
//! step, and the lock costs one idle connection per instance.

use std::str::FromStr;
use std::time::Duration;

use tokio::task::JoinHandle;
use tokio_postgres::{Client, NoTls};

use crate::config::Secret;

/// The name the leader's connection shows in `pg_stat_activity`.
pub const APPLICATION_NAME: &str = "checkout-server leader";

/// One leadership (one lock key) an instance may hold.
pub struct Leadership {
    url: Secret,
    key: i64,
    held: Option<(Client, JoinHandle<()>)>,
}

impl Leadership {
    pub fn new(url: Secret, key: i64) -> Leadership {
        Leadership {
            url,
            key,
            held: None,
        }
    }

    /// Whether this instance leads now: still holding the lock, or it just took it. Never
    /// waits for the lock; a failure to reach the database means not leading.
    pub async fn lead(&mut self) -> bool {
        if let Some((client, _)) = &self.held {
            if !client.is_closed() {
                return true;
            }
            tracing::warn!("lost the leader's connection to the database");
            self.held = None;
        }
        match self.try_take().await {
            Ok(taken) => taken,
            Err(e) => {
                tracing::warn!("trying to lead: {e:#}");
                false
            }
        }
    }

    async fn try_take(&mut self) -> anyhow::Result<bool> {
        let mut config = tokio_postgres::Config::from_str(self.url.expose())
            .map_err(|e| anyhow::anyhow!("database_url: {e}"))?;
        config.application_name(APPLICATION_NAME);
        config.connect_timeout(Duration::from_secs(5));
        let (client, connection) = config.connect(NoTls).await?;
        let driver = tokio::spawn(async move {
            let _ = connection.await;
        });
        let taken: bool = client
            .query_one("SELECT pg_try_advisory_lock($1)", &[&self.key])
            .await?
            .get(0);
        if taken {
            tracing::info!(key = self.key, "this instance leads");
            self.held = Some((client, driver));
        } else {
            drop(client);
            driver.abort();
        }
        Ok(taken)
    }
}

impl Drop for Leadership {
    fn drop(&mut self) {
        // Closing the connection releases the lock at once for the next instance.
        if let Some((client, driver)) = self.held.take() {
            drop(client);
            driver.abort();
        }
    }
}
