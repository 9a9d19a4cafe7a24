//! Opening a payment's invoice with the provider so that a retried pick reuses what the
//! provider already made.
//!
//! The payer's pick gets a payment id reserved in the store for its coin and terms before the
//! provider is asked; a retry of the same pick (after a refusal, a timeout or a crash) finds it
//! and sends the same id again, which providers take as their idempotency key or order id. A
//! provider that opens an invoice in two calls ([`Provider::reserve_invoice`], Inqud) has its
//! first object's reference stored before the second call, so the retry continues with that
//! object instead of making another. A crash during the first call itself can still leave one
//! unused object at the provider: nothing names it on our side until its answer arrives.
//!
//! A pick of another coin, or on other terms (a payer amount, a moved rate), is another
//! opening: another payment id and another invoice. Twins of a pick take turns
//! (`services::turns`, across instances too), so they never ask the provider at once.

use crate::error::{AppError, AppResult};
use crate::providers::{InvoiceSnapshot, NewInvoice, Provider};
use crate::state::AppState;

/// Opens `request`'s invoice; returns the request as sent (its payment id may be the one an
/// earlier attempt of the same pick reserved) and the provider's invoice.
pub async fn open_invoice(
    state: &AppState,
    mut request: NewInvoice,
    now_ms: i64,
) -> AppResult<(NewInvoice, InvoiceSnapshot)> {
    let provider = state.provider();
    let key = pick_key(provider.name(), &request);
    let checkout_id = request.checkout_id.clone();
    let fresh = request.payment_id.clone();
    let opening = state
        .db
        .run(move |s| s.openings().reserve(&checkout_id, &key, &fresh, now_ms))
        .await?;
    request.payment_id = opening.payment_id;
    request.reserved_ref = match opening.provider_ref {
        Some(reference) => Some(reference),
        None => reserve_with(state, &*provider, &request).await?,
    };
    let invoice = provider
        .create_invoice(&request)
        .await
        .map_err(AppError::upstream)?;
    Ok((request, invoice))
}

/// The provider's first call, its reference stored before anything else is asked.
async fn reserve_with(
    state: &AppState,
    provider: &dyn Provider,
    request: &NewInvoice,
) -> AppResult<Option<String>> {
    let Some(made) = provider
        .reserve_invoice(request)
        .await
        .map_err(AppError::upstream)?
    else {
        return Ok(None);
    };
    let payment_id = request.payment_id.clone();
    let recorded = made.clone();
    let standing = state
        .db
        .run(move |s| s.openings().record_ref(&payment_id, &recorded))
        .await?;
    // A twin of this pick on another instance recorded its object first: go on with that one.
    Ok(Some(standing.unwrap_or(made)))
}

/// What makes two picks the same: the provider, the coin and network, and the terms.
fn pick_key(provider: &str, request: &NewInvoice) -> String {
    let amount = request.amount.map(|a| a.to_string()).unwrap_or_default();
    let fiat = request
        .fiat
        .as_ref()
        .map(|m| format!("{} {}", m.amount, m.currency))
        .unwrap_or_default();
    format!(
        "{provider}|{}/{}|{amount}|{fiat}",
        request.coin.code, request.coin.network
    )
}
