//! Inbound provider webhooks: verified on the raw bytes, then treated as a hint to re-read the
//! invoice from the provider, whose answer goes through the state machine in one transaction
//! with the stored event.

use http::HeaderMap;
use serde::Serialize;

use super::reread::reread;
use crate::domain::now_ms;
use crate::domain::payment::Payment;
use crate::error::{AppError, AppResult};
use crate::providers::{Provider, WebhookError, WebhookNotice};
use crate::state::AppState;
use crate::store::{InboundEvent, Modify};

/// What became of an inbound webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WebhookOutcome {
    Applied,
    Duplicate,
    /// Verified but about nothing we know; stored so the provider stops retrying.
    Ignored,
}

impl WebhookOutcome {
    /// As the answer's `status` says it (and `/metrics` counts it).
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookOutcome::Applied => "applied",
            WebhookOutcome::Duplicate => "duplicate",
            WebhookOutcome::Ignored => "ignored",
        }
    }
}

/// Verifies, re-reads and applies one provider webhook. Answers only after the event and its
/// effect are committed together.
pub async fn handle(
    state: &AppState,
    provider: &dyn Provider,
    headers: &HeaderMap,
    body: &[u8],
) -> AppResult<WebhookOutcome> {
    let notice = verified_notice(provider, headers, body).await?;
    let name = provider.name();
    if notice.id_is_digest {
        return handle_digest_identified(state, provider, notice, body).await;
    }
    // A delivery already applied is answered without asking the provider again. This read only
    // saves that round trip: the event's insert inside the transaction is what makes a
    // duplicate a no-op when two deliveries race.
    let event_id = notice.event_id.clone();
    if state
        .db
        .run(move |s| s.inbound_event_seen(name, &event_id))
        .await?
    {
        return Ok(WebhookOutcome::Duplicate);
    }
    let inbound = inbound_event(name, &notice, body);
    match payment_of(state, name, &notice).await? {
        Some(payment) => apply_fresh_read(state, provider, payment, inbound).await,
        None => record_unrelated(state, inbound).await,
    }
}

/// A provider without event ids: the event is recorded (for the record and to answer
/// `duplicate` truthfully), but the payment is re-read whether or not the same bytes came
/// before, so a forged copy sent first cannot make the genuine event a no-op.
async fn handle_digest_identified(
    state: &AppState,
    provider: &dyn Provider,
    notice: WebhookNotice,
    body: &[u8],
) -> AppResult<WebhookOutcome> {
    let name = provider.name();
    let inbound = inbound_event(name, &notice, body);
    let first_time = state
        .db
        .run(move |s| s.record_inbound_event(&inbound))
        .await?;
    let Some(payment) = payment_of(state, name, &notice).await? else {
        return Ok(if first_time {
            WebhookOutcome::Ignored
        } else {
            WebhookOutcome::Duplicate
        });
    };
    reread(state, provider, &payment, None).await?;
    Ok(if first_time {
        WebhookOutcome::Applied
    } else {
        WebhookOutcome::Duplicate
    })
}

fn inbound_event(provider: &str, notice: &WebhookNotice, body: &[u8]) -> InboundEvent {
    InboundEvent {
        provider: provider.to_owned(),
        event_id: notice.event_id.clone(),
        payment_ref: notice.provider_ref.clone(),
        body: String::from_utf8_lossy(body).into_owned(),
        received_at_ms: now_ms(),
    }
}

/// The payment a webhook names, if it is one of ours.
async fn payment_of(
    state: &AppState,
    provider: &'static str,
    notice: &WebhookNotice,
) -> AppResult<Option<Payment>> {
    let Some(reference) = notice.provider_ref.clone() else {
        return Ok(None);
    };
    Ok(state
        .db
        .run(move |s| s.payment_by_ref(provider, &reference))
        .await?)
}

/// The signature first, over the exact bytes; only then is the body parsed.
async fn verified_notice(
    provider: &dyn Provider,
    headers: &HeaderMap,
    body: &[u8],
) -> AppResult<WebhookNotice> {
    provider.verify_webhook(headers, body).await.map_err(|e| {
        let code = match e {
            WebhookError::MissingSignature => "missing_signature",
            _ => "invalid_signature",
        };
        AppError::unauthorized_with_code(code, e.to_string())
    })?;
    provider
        .parse_webhook(body)
        .map_err(|e| AppError::bad_request("invalid_payload", e.to_string()))
}

/// An event about no payment of ours: stored, so a retry is recognised, and otherwise ignored.
async fn record_unrelated(state: &AppState, inbound: InboundEvent) -> AppResult<WebhookOutcome> {
    let provider = inbound.provider.clone();
    let stored = state
        .db
        .run(move |s| s.record_inbound_event(&inbound))
        .await?;
    tracing::info!(
        provider,
        "webhook about an unknown invoice stored and ignored"
    );
    Ok(if stored {
        WebhookOutcome::Ignored
    } else {
        WebhookOutcome::Duplicate
    })
}

/// Re-reads the invoice and applies what the provider says now, with the event, in one
/// transaction.
async fn apply_fresh_read(
    state: &AppState,
    provider: &dyn Provider,
    payment: Payment,
    inbound: InboundEvent,
) -> AppResult<WebhookOutcome> {
    Ok(
        match reread(state, provider, &payment, Some(inbound)).await? {
            Modify::DuplicateEvent => WebhookOutcome::Duplicate,
            Modify::NotFound => WebhookOutcome::Ignored,
            Modify::Applied { .. } => WebhookOutcome::Applied,
        },
    )
}
