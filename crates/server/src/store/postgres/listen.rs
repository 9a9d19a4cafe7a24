//! The one LISTEN connection of an instance: every committed change of a checkout is announced
//! on [`CHANNEL`] (by `changes::write`, inside the change's transaction, so a rolled-back change
//! is never heard), and this connection hands what it hears to the services, which re-read the
//! checkout and feed their live streams and status cache.
//!
//! It is a connection of its own, not one of the pool: a pooled connection is returned and
//! reused, and LISTEN belongs to the session. When it drops (database restart, network,
//! `pg_terminate_backend`) it reconnects with back-off; notifications sent meanwhile are gone,
//! so every (re)connection is reported as [`Heard::Listening`] and the listener re-reads what
//! it watches.

use std::str::FromStr;
use std::time::Duration;

use futures_util::future::poll_fn;
use tokio::sync::{mpsc, watch};
use tokio_postgres::{AsyncMessage, NoTls};

use crate::config::Secret;

/// The notification channel; the payload is `<version>:<checkout id>`.
pub const CHANNEL: &str = "checkout_changes";

/// The name this connection shows in `pg_stat_activity` (operators and tests find it by it).
pub const APPLICATION_NAME: &str = "checkout-server listen";

/// The first wait before reconnecting, doubled after each failure up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(200);
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// What the LISTEN connection reports.
#[derive(Debug, PartialEq, Eq)]
pub enum Heard {
    /// Listening (again): anything committed before may have been missed.
    Listening,
    /// Checkout `id` reached `version`.
    Changed { id: String, version: u64 },
}

/// Parses a payload of [`CHANNEL`]; `None` for anything else.
pub fn parse_payload(payload: &str) -> Option<Heard> {
    let (version, id) = payload.split_once(':')?;
    Some(Heard::Changed {
        id: id.to_owned(),
        version: version.parse().ok()?,
    })
}

/// Listens on `url` until `shutdown`, reconnecting with back-off; what it hears goes to `out`.
pub async fn run(url: Secret, out: mpsc::Sender<Heard>, mut shutdown: watch::Receiver<bool>) {
    let mut backoff = FIRST_BACKOFF;
    loop {
        let listened = tokio::select! {
            r = listen_once(&url, &out) => r,
            _ = shutdown.wait_for(|stop| *stop) => return,
        };
        match listened {
            // Heard something before dropping: the next failure starts from a short wait.
            Ok(()) => backoff = FIRST_BACKOFF,
            Err(e) => tracing::warn!("the database's LISTEN connection: {e:#}"),
        }
        if out.is_closed() {
            return;
        }
        tokio::select! {
            _ = tokio::time::sleep(backoff) => {}
            _ = shutdown.wait_for(|stop| *stop) => return,
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// One connection's life: connect, LISTEN, report, forward notifications until it ends. `Ok`
/// when it was listening before it ended.
async fn listen_once(url: &Secret, out: &mpsc::Sender<Heard>) -> anyhow::Result<()> {
    let mut config = tokio_postgres::Config::from_str(url.expose())
        .map_err(|e| anyhow::anyhow!("database_url: {e}"))?;
    config.application_name(APPLICATION_NAME);
    config.connect_timeout(Duration::from_secs(5));
    let (client, mut connection) = config
        .connect(NoTls)
        .await
        .map_err(|e| anyhow::anyhow!("connecting: {e}"))?;
    let (tx, mut messages) = mpsc::unbounded_channel();
    // The connection object does the I/O; its messages (the notifications) come out here.
    let driver = tokio::spawn(async move {
        loop {
            match poll_fn(|cx| connection.poll_message(cx)).await {
                Some(Ok(message)) => {
                    if tx.send(message).is_err() {
                        return Ok(());
                    }
                }
                Some(Err(e)) => return Err(e),
                None => return Ok(()),
            }
        }
    });
    let listening = client.batch_execute(&format!("LISTEN {CHANNEL}")).await;
    if let Err(e) = listening {
        driver.abort();
        anyhow::bail!("LISTEN: {e}");
    }
    tracing::info!("listening for changes made by every instance");
    if out.send(Heard::Listening).await.is_err() {
        driver.abort();
        return Ok(());
    }
    while let Some(message) = messages.recv().await {
        let AsyncMessage::Notification(n) = message else {
            continue;
        };
        match parse_payload(n.payload()) {
            Some(heard) if n.channel() == CHANNEL => {
                if out.send(heard).await.is_err() {
                    break;
                }
            }
            _ => tracing::warn!(payload = n.payload(), "an unexpected notification"),
        }
    }
    drop(client);
    match driver.await {
        Ok(Err(e)) => tracing::warn!("the LISTEN connection ended: {e}"),
        _ => tracing::warn!("the LISTEN connection ended"),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payload_is_a_version_and_an_id() {
        assert_eq!(
            parse_payload("7:chk_a:b"),
            Some(Heard::Changed {
                id: "chk_a:b".into(),
                version: 7
            })
        );
        assert_eq!(parse_payload("x:chk"), None);
        assert_eq!(parse_payload("chk"), None);
    }
}
