//! The merchant's record of notification deliveries: a page of them, one with every attempt,
//! and a redelivery on request (same event id and body, signed afresh when sent).

use super::paging::{self, Page};
use crate::domain::now_ms;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store::outbox::{Attempt, Delivery, DeliveryQuery, DeliveryState};

fn unknown() -> AppError {
    AppError::not_found("no delivery with this event id")
}

/// One page of deliveries, newest first. `cursor` is what the previous page returned.
pub async fn list(
    state: &AppState,
    limit: u32,
    cursor: Option<&str>,
    delivery_state: Option<DeliveryState>,
    checkout_id: Option<String>,
) -> AppResult<Page<Delivery>> {
    let before_seq = cursor
        .map(|c| {
            c.parse::<i64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(paging::foreign_cursor)
        })
        .transpose()?;
    let query = DeliveryQuery {
        limit: limit + 1,
        before_seq,
        state: delivery_state,
        checkout_id,
    };
    let rows = state.db.run(move |s| s.outbox().deliveries(&query)).await?;
    Ok(Page::cut(rows, limit, |d| d.seq.to_string()))
}

/// The delivery and every attempt, oldest first.
pub async fn get(state: &AppState, event_id: String) -> AppResult<(Delivery, Vec<Attempt>)> {
    state
        .db
        .run(move |s| s.outbox().delivery(&event_id))
        .await?
        .ok_or_else(unknown)
}

/// Makes the delivery due now, whatever its state.
pub async fn redeliver(state: &AppState, event_id: String) -> AppResult<Delivery> {
    state
        .db
        .run(move |s| s.outbox().redeliver(&event_id, now_ms()))
        .await?
        .ok_or_else(unknown)
}
