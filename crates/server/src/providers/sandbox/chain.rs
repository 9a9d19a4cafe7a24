//! The sandbox's simulated chain: a block every `block_interval` adds one confirmation to every
//! unconfirmed transaction, and every change is reported through a signed webhook to the
//! server's own `/webhooks/sandbox` endpoint. Notifications are queued in the database in the
//! same transaction as the change and delivered in order until acknowledged, so a failed or
//! interrupted delivery is retried on the next block.
//!
//! With PostgreSQL every instance on the database shares one chain (its ledger is there), and
//! only the instance holding the advisory lock [`LEADER_KEY`] mines it and sends its webhooks;
//! when that instance dies the lock is released and another takes over at its next block.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use super::{sign, SandboxProvider, SandboxWebhook, SIGNATURE_HEADER};
use crate::domain::{now_ms, rfc3339};
use crate::store::postgres::leader::Leadership;

/// The advisory lock key of the sandbox chain's leader ("sbxchain" in ASCII).
pub const LEADER_KEY: i64 = 0x7362_7863_6861_696e;

/// Runs until `shutdown` turns true; with `leadership`, only while this instance leads.
pub async fn run(
    sandbox: Arc<SandboxProvider>,
    webhook_url: String,
    mut leadership: Option<Leadership>,
    mut shutdown: watch::Receiver<bool>,
) {
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::error!("the sandbox chain cannot build its HTTP client: {e}");
            return;
        }
    };
    let mut blocks = tokio::time::interval(sandbox.config().block_interval);
    let half_block_ms = i64::try_from(sandbox.config().block_interval.as_millis() / 2).unwrap_or(0);
    blocks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let wake = sandbox.wake();
    loop {
        let leads = match leadership.as_mut() {
            Some(l) => l.lead().await,
            None => true,
        };
        tokio::select! {
            _ = blocks.tick() => {
                // A follower only waits for its next chance to lead.
                if !leads {
                    continue;
                }
                // A transaction waits at least half a block in the mempool before its first
                // confirmation, as on a real chain: "funds seen" is never skipped.
                let now = now_ms();
                let seen_by = now - half_block_ms;
                if let Err(e) = sandbox.ledger().run(move |l| l.mine_block(now, seen_by)).await {
                    tracing::warn!("sandbox block failed: {e}");
                }
            }
            _ = wake.notified() => {}
            _ = shutdown.changed() => return,
        }
        if leads {
            deliver(&sandbox, &client, &webhook_url).await;
        }
    }
}

/// Sends queued notifications in order; stops at the first failure to keep the order.
async fn deliver(sandbox: &SandboxProvider, client: &reqwest::Client, url: &str) {
    let pending = match sandbox.ledger().run(|l| l.undelivered(100)).await {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!("reading sandbox notifications failed: {e}");
            return;
        }
    };
    for n in pending {
        let body = SandboxWebhook {
            id: n.event_id.clone(),
            event_type: "invoice.updated".into(),
            invoice_ref: n.invoice_ref.clone(),
            created_at: rfc3339(n.created_at_ms),
        };
        let Ok(body) = serde_json::to_vec(&body) else {
            return;
        };
        let signature = sign(&sandbox.config().webhook_secret, &body);
        let sent = client
            .post(url)
            .header(SIGNATURE_HEADER, signature)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await;
        let event_id = n.event_id.clone();
        match sent {
            Ok(r) if r.status().is_success() => {
                let _ = sandbox
                    .ledger()
                    .run(move |l| l.mark_delivered(&event_id, now_ms()))
                    .await;
            }
            outcome => {
                match outcome {
                    Ok(r) => {
                        tracing::warn!(status = r.status().as_u16(), "sandbox webhook refused")
                    }
                    Err(e) => tracing::warn!("sandbox webhook not delivered: {e}"),
                }
                let _ = sandbox
                    .ledger()
                    .run(move |l| l.note_attempt(&event_id))
                    .await;
                return;
            }
        }
    }
}
