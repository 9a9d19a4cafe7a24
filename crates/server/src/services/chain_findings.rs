//! What the EVM watcher found: payments whose funds or confirmations changed on a chain. Each
//! is re-read from the provider and applied through the state machine, exactly as after a
//! provider's webhook ([`reread`]); a failure here is picked up by the reconciler, which
//! re-reads open payments on its own schedule.

use super::reread::reread;
use crate::providers::Provider;
use crate::state::AppState;

pub async fn apply(state: &AppState, references: Vec<String>) {
    let Some(provider) = state.evm.clone() else {
        return;
    };
    let name = provider.name();
    for reference in references {
        let found = state
            .db
            .run(move |s| s.payment_by_ref(name, &reference))
            .await;
        let payment = match found {
            Ok(Some(payment)) => payment,
            Ok(None) => continue,
            Err(e) => {
                tracing::warn!("reading a payment the chain paid: {e}");
                continue;
            }
        };
        if let Err(e) = reread(state, &*provider, &payment, None).await {
            tracing::warn!(payment = %payment.id, "applying what the chain shows: {e}");
        }
    }
}
