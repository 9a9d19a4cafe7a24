//! The use cases, one module per feature: each loads what it needs, asks the domain, stores the
//! result in one transaction and tells the live streams. Routes stay thin (HTTP in, HTTP out)
//! and the domain stays pure (no I/O).
//!
//! Every change of a checkout goes through [`modify`]: one read-modify-write in one store
//! transaction (with the outbox row for the merchant), then the status cache and the live
//! streams hear of it. Nothing else writes a checkout's state.

pub mod calypso_subscription;
pub mod chain_findings;
pub mod checkouts;
pub mod deliveries;
pub mod demo;
pub mod events;
pub mod metrics;
pub mod opening;
pub mod paging;
pub mod pick;
pub mod reconcile;
pub mod remote_changes;
pub mod reread;
pub mod resolve;
pub mod sandbox;
pub mod test_actions;
pub mod turns;
pub mod webhooks;
pub mod widgets;

use crate::domain::checkout::CheckoutRecord;
use crate::domain::error::DomainError;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store::{InboundEvent, Modify};

fn unknown_checkout() -> AppError {
    AppError::not_found("no checkout with this id")
}

/// Runs `mutation` on checkout `id` in one transaction and publishes the result if it changed.
async fn modify<F>(
    state: &AppState,
    id: &str,
    inbound: Option<InboundEvent>,
    mut mutation: F,
) -> AppResult<Modify>
where
    F: FnMut(&mut CheckoutRecord) -> Result<(), DomainError> + Send + 'static,
{
    let id = id.to_owned();
    let outcome = state
        .db
        .run(move |s| s.modify_checkout(&id, inbound.as_ref(), &mut mutation))
        .await?;
    if let Modify::Applied {
        record,
        changed: true,
    } = &outcome
    {
        state.status_cache.put(record);
        state.live.publish(&checkouts::public_view(state, record));
    }
    Ok(outcome)
}

/// [`modify`] for a checkout that must exist.
async fn modify_existing<F>(state: &AppState, id: &str, mutation: F) -> AppResult<CheckoutRecord>
where
    F: FnMut(&mut CheckoutRecord) -> Result<(), DomainError> + Send + 'static,
{
    match modify(state, id, None, mutation).await? {
        Modify::Applied { record, .. } => Ok(*record),
        Modify::NotFound | Modify::DuplicateEvent => Err(unknown_checkout()),
    }
}
