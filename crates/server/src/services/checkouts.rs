//! A checkout's life as the merchant and the clock see it: created, read (expired on read when
//! its time ran out), listed, cancelled, resolved, swept.

use std::sync::Arc;

use protocol::{CheckoutStatus, CheckoutView};

use super::paging::{self, Page};
use super::reread::{provider_of, reread};
use super::{modify, modify_existing, unknown_checkout};
use crate::domain::checkout::CheckoutRecord;
use crate::domain::now_ms;
use crate::domain::spec::CheckoutSpec;
use crate::domain::state_machine::Event;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::status_cache::CachedStatus;
use crate::store::{decode_cursor, encode_cursor, ListQuery, Modify};

/// Why the active provider cannot take `spec`'s price, if it cannot: a fiat price in a currency
/// it neither quotes nor takes (USD with Coins.ph, PHP with the others), or a coin price with a
/// provider that takes only pesos. Returns the request field that named the currency and the
/// explanation.
pub(super) fn unpayable_price(
    state: &AppState,
    spec: &CheckoutSpec,
) -> Option<(&'static str, String)> {
    let provider = state.provider();
    let code = spec.denomination_code()?;
    let denomination = state.catalogue.denomination(code)?;
    if provider.takes_price_in(denomination) {
        return None;
    }
    let field = if spec.price.is_some() {
        "fixedAmount.currency"
    } else {
        "amountCurrency"
    };
    let kind = if denomination.is_fiat() {
        "fiat currency"
    } else {
        "coin"
    };
    let why = format!(
        "{code} is a {kind} the configured provider ({}) cannot take a price in; {}",
        provider.name(),
        provider.price_hint()
    );
    Some((field, why))
}

/// Fits a new checkout's or widget's spec to the active provider: 400 when its price cannot be
/// paid there (so the merchant hears of it at creation instead of a payer meeting a provider
/// error), and only the coins the provider offers are kept (400 when none is left).
pub fn fit_to_provider(state: &AppState, spec: &mut CheckoutSpec) -> AppResult<()> {
    if let Some((field, why)) = unpayable_price(state, spec) {
        return Err(AppError::invalid_with_code(
            "unsupported_currency",
            field,
            why,
        ));
    }
    let provider = state.provider();
    let catalogue = &state.catalogue;
    spec.currencies.retain(|k| {
        catalogue
            .coin(&k.code, &k.network)
            .is_some_and(|coin| provider.offers(coin))
    });
    if spec.currencies.is_empty() {
        return Err(AppError::invalid_with_code(
            "unsupported_currency",
            "currencies",
            format!(
                "none of the currencies can be paid through the configured provider ({})",
                provider.name()
            ),
        ));
    }
    Ok(())
}

/// Inserts a new checkout (or returns the one with the same clientOrderId, with `false`).
pub async fn insert(state: &AppState, record: CheckoutRecord) -> AppResult<(CheckoutRecord, bool)> {
    Ok(state.db.run(move |s| s.insert_checkout(&record)).await?)
}

/// The checkout as it is now: expired first if its time ran out (expiry is checked on read
/// too, so nobody sees a stale WAITING_PAYMENT between two sweeps).
/// The checkout as payers see it on this server: a test checkout says so, and offers the
/// demo's test controls only when the server runs as the demo with its sandbox.
pub fn public_view(state: &AppState, record: &CheckoutRecord) -> CheckoutView {
    let mut view = record.public_view(&state.catalogue, state.provider().is_test());
    view.test_controls = view.test && test_controls_enabled(state);
    view
}

/// The demo's test controls exist: demo mode with the sandbox (never a production server,
/// which refuses to start in demo mode with a real provider's money behind the demo key).
pub fn test_controls_enabled(state: &AppState) -> bool {
    state.config.demo && state.config.sandbox_enabled()
}

pub async fn load(state: &AppState, id: &str) -> AppResult<CheckoutRecord> {
    let owned = id.to_owned();
    let record = state
        .db
        .run(move |s| s.checkout(&owned))
        .await?
        .ok_or_else(unknown_checkout)?;
    let now = now_ms();
    if !record.expiry_due(now) {
        return Ok(record);
    }
    match expire(state, &record, now).await? {
        Modify::Applied { record, .. } => Ok(*record),
        // The providers could not be asked: the checkout stays as it is until they can.
        _ => Ok(record),
    }
}

/// Expires `record` once its payments were re-read from their providers: funds that arrived
/// without a webhook make it paid (or paid late), never expired. When a provider cannot be
/// asked, nothing changes ([`Modify::NotFound`]) and the next sweep or read tries again.
async fn expire(state: &AppState, record: &CheckoutRecord, now: i64) -> AppResult<Modify> {
    for payment in &record.payments {
        let read = match provider_of(state, payment) {
            Ok(provider) => reread(state, &*provider, payment, None).await,
            Err(e) => Err(e),
        };
        if let Err(e) = read {
            tracing::warn!(
                checkout = %record.id,
                payment = %payment.id,
                "not expiring yet: the payment could not be re-read: {e}"
            );
            return Ok(Modify::NotFound);
        }
    }
    let policy = state.config.policy;
    modify(state, &record.id, None, move |rec| {
        rec.apply(&Event::Expire { now_ms: now }, &policy, now)?;
        Ok(())
    })
    .await
}

/// The checkout's status, from the cache when it is current there.
pub async fn status(state: &AppState, id: &str) -> AppResult<Arc<CachedStatus>> {
    if let Some(cached) = state.status_cache.get(id, now_ms()) {
        return Ok(cached);
    }
    let record = load(state, id).await?;
    Ok(state.status_cache.put(&record))
}

/// One page of checkouts, newest first. `cursor` is what the previous page returned.
pub async fn list(
    state: &AppState,
    limit: u32,
    cursor: Option<&str>,
    status: Option<CheckoutStatus>,
) -> AppResult<Page<CheckoutRecord>> {
    let before = cursor
        .map(|c| decode_cursor(c).ok_or_else(paging::foreign_cursor))
        .transpose()?;
    let query = ListQuery {
        limit: limit + 1,
        before,
        status,
    };
    let rows = state.db.run(move |s| s.list_checkouts(&query)).await?;
    Ok(Page::cut(rows, limit, encode_cursor))
}

/// Expires every checkout whose time has run out; returns how many changed.
pub async fn expire_due(state: &AppState) -> AppResult<usize> {
    let now = now_ms();
    let ids = state.db.run(move |s| s.expiry_candidates(now, 500)).await?;
    let mut expired = 0;
    for id in ids {
        let Some(record) = state.db.run(move |s| s.checkout(&id)).await? else {
            continue;
        };
        let outcome = expire(state, &record, now).await?;
        if let Modify::Applied {
            record,
            changed: true,
        } = outcome
        {
            if record.status() == CheckoutStatus::Expired {
                expired += 1;
            }
        }
    }
    Ok(expired)
}

pub async fn cancel(state: &AppState, id: &str) -> AppResult<CheckoutRecord> {
    load(state, id).await?;
    let policy = state.config.policy;
    modify_existing(state, id, move |rec| {
        rec.apply(&Event::Cancel, &policy, now_ms())?;
        Ok(())
    })
    .await
}
