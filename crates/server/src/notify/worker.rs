//! The delivery worker: sends due outbox rows to the merchant, signed, and records every
//! attempt. Delivery is at least once: a row is marked delivered only after a 2xx answer, so a
//! crash between the answer and the record means one more delivery of the same event id.

use std::time::Instant;

use tokio::sync::watch;

use super::backoff;
use super::signature::{header_value, SIGNATURE_HEADER};
use super::NotifyConfig;
use crate::domain::now_ms;
use crate::store::outbox::{AfterAttempt, Attempt, Delivery};
use crate::store::Db;

/// What one delivery needs: where the outbox is, how to send and sign.
struct Sender {
    db: Db,
    config: NotifyConfig,
    client: reqwest::Client,
    url: String,
}

/// Runs until `shutdown` turns true. Idle while no URL is configured.
pub async fn run(db: Db, config: NotifyConfig, mut shutdown: watch::Receiver<bool>) {
    let Some(url) = config.url.clone() else {
        return;
    };
    let client = match reqwest::Client::builder()
        .timeout(config.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("checkout-server/", env!("CARGO_PKG_VERSION")))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::error!("the notification worker cannot build its HTTP client: {e}");
            return;
        }
    };
    let mut ticks = tokio::time::interval(config.poll_interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let sender = Sender {
        db,
        config,
        client,
        url,
    };
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = shutdown.changed() => return,
        }
        // A stop does not wait for slow merchants: an interrupted attempt is repeated after its
        // lease (at least once, never lost).
        tokio::select! {
            _ = sender.drain() => {}
            _ = shutdown.changed() => return,
        }
    }
}

impl Sender {
    /// Sends everything due before waiting again, so a burst is not paced by the poll interval.
    /// Claims as many rows as it sends at once, so every claimed row is on its way at once and
    /// its lease (twice the request timeout) outlives its attempt: another instance never sends
    /// the same row meanwhile; after a crash the rows are due again when the lease ends.
    async fn drain(&self) {
        let batch = u32::try_from(self.config.concurrency.max(1)).unwrap_or(u32::MAX);
        let timeout_ms = i64::try_from(self.config.timeout.as_millis()).unwrap_or(i64::MAX / 2);
        loop {
            let now = now_ms();
            let lease = now.saturating_add(2 * timeout_ms);
            let claimed = self
                .db
                .run(move |s| s.outbox().claim_due(now, batch, lease))
                .await;
            let claimed = match claimed {
                Ok(d) => d,
                Err(e) => {
                    tracing::warn!("claiming due notifications failed: {e}");
                    return;
                }
            };
            let full = claimed.len() as u32 == batch;
            futures_util::future::join_all(claimed.into_iter().map(|d| self.deliver(d, lease)))
                .await;
            if !full {
                return;
            }
        }
    }

    /// One attempt at one row claimed until `lease`: send, record.
    async fn deliver(&self, d: Delivery, lease: i64) {
        let now = now_ms();
        let started = Instant::now();
        let (http_status, error) = self.send(&d, now).await;
        let duration_ms = started.elapsed().as_millis() as i64;
        let after = if error.is_none() {
            AfterAttempt::Delivered
        } else {
            let failures = d.attempts + 1;
            match self.config.backoff.next_attempt_ms(
                d.created_at_ms,
                now_ms(),
                failures,
                backoff::random(),
            ) {
                Some(at) => AfterAttempt::RetryAt(at),
                None => AfterAttempt::GiveUp,
            }
        };
        if let Some(e) = &error {
            tracing::info!(event_id = %d.event_id, attempt = d.attempts + 1, "notification not delivered: {e}");
        }
        let attempt = Attempt {
            at_ms: now,
            duration_ms,
            http_status,
            error,
        };
        let id = d.event_id.clone();
        if let Err(e) = self
            .db
            .run(move |s| s.outbox().record_attempt(&id, lease, &attempt, after))
            .await
        {
            tracing::warn!("recording a notification attempt failed: {e}");
        }
    }

    /// Posts the stored body, signed at `now`: the merchant's status, and why it was no 2xx.
    async fn send(&self, d: &Delivery, now: i64) -> (Option<u16>, Option<String>) {
        let timestamp = now / 1000;
        let secrets: Vec<&str> = self.config.secrets.iter().map(|s| s.expose()).collect();
        let signature = header_value(&secrets, timestamp, d.body.as_bytes());
        let sent = self
            .client
            .post(&self.url)
            .header("content-type", "application/json")
            .header(SIGNATURE_HEADER, signature)
            .header("Checkout-Event-Id", &d.event_id)
            .body(d.body.clone())
            .send()
            .await;
        match &sent {
            Ok(r) if r.status().is_success() => (Some(r.status().as_u16()), None),
            Ok(r) => (
                Some(r.status().as_u16()),
                Some(format!("the endpoint answered {}", r.status().as_u16())),
            ),
            // Without the URL: it may carry credentials in its query.
            Err(e) => (None, Some(describe(e))),
        }
    }
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "could not connect".into()
    } else {
        "the request failed".into()
    }
}
