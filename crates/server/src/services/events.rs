//! The events of one checkout, as its merchant is told them: every event the outbox holds for
//! it, delivered or not, whether or not a notification URL is configured. Newest first, like
//! every listing; the bodies are the exact notifications (same ids, same fields).

use serde_json::Value;

use super::deliveries;
use super::paging::Page;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store::outbox::Delivery;

/// One page of checkout `checkout_id`'s events, newest first; 404 for an unknown checkout (an
/// empty page would not tell a typo from a checkout nothing happened to yet).
pub async fn list(
    state: &AppState,
    checkout_id: String,
    limit: u32,
    cursor: Option<&str>,
) -> AppResult<Page<Value>> {
    let id = checkout_id.clone();
    if state.db.run(move |s| s.checkout(&id)).await?.is_none() {
        return Err(AppError::not_found("no checkout with this id"));
    }
    let page = deliveries::list(state, limit, cursor, None, Some(checkout_id)).await?;
    let items = page
        .items
        .iter()
        .map(body)
        .collect::<AppResult<Vec<Value>>>()?;
    Ok(Page {
        items,
        next_cursor: page.next_cursor,
    })
}

/// The notification exactly as it is sent.
fn body(delivery: &Delivery) -> AppResult<Value> {
    serde_json::from_str(&delivery.body).map_err(|e| {
        AppError::internal(anyhow::anyhow!(
            "outbox event {} is not JSON: {e}",
            delivery.event_id
        ))
    })
}
