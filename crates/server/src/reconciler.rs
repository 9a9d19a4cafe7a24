//! The background task that re-reads open payments from their providers (see
//! `services::reconcile`). At start-up every open payment is made due first: webhooks sent
//! while the server was down are lost.

use tokio::sync::watch;

use crate::services::reconcile;
use crate::state::AppState;

pub async fn run(state: AppState, mut shutdown: watch::Receiver<bool>) {
    match reconcile::everything_due_now(&state).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(payments = n, "re-reading open payments after the start"),
        Err(e) => tracing::warn!("could not schedule the start-up reconciliation: {e}"),
    }
    let mut tick = tokio::time::interval(state.config.reconcile.tick);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {
                match reconcile::reconcile_due(&state).await {
                    Ok(pass) if pass.reread + pass.failed > 0 => tracing::debug!(
                        reread = pass.reread,
                        failed = pass.failed,
                        "reconciliation pass"
                    ),
                    Ok(_) => {}
                    Err(e) => tracing::warn!("reconciliation pass failed: {e}"),
                }
            }
            _ = shutdown.changed() => return,
        }
    }
}
