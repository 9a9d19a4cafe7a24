//! The background sweep that expires checkouts whose time ran out. Reads check expiry too
//! (see `services::checkouts::load`), so the sweep only decides how soon a change is pushed to live streams.

use tokio::sync::watch;

use crate::services::checkouts;
use crate::state::AppState;

pub async fn run(state: AppState, mut shutdown: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(state.config.expiry_sweep);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {
                match checkouts::expire_due(&state).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(expired = n, "expired checkouts"),
                    Err(e) => tracing::warn!("expiry sweep failed: {e}"),
                }
            }
            _ = shutdown.changed() => return,
        }
    }
}
