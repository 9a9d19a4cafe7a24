//! The use cases: each loads what it needs, asks the domain, and stores the result in one
//! transaction, then tells the live streams. Routes stay thin and the domain stays pure.

use std::sync::Arc;

use axum::http::HeaderMap;
use protocol::{Amount, CheckoutStatus, PickCurrencyRequest};
use serde::Serialize;

use crate::domain::checkout::{CheckoutRecord, CheckoutSpec};
use crate::domain::currency::{Coin, Denomination};
use crate::domain::money::fiat_to_coin;
use crate::domain::payment::Payment;
use crate::domain::state_machine::{self, Event, Funds, Refusal, Resolution};
use crate::domain::{new_checkout_id, new_payment_id, now_ms};
use crate::error::{AppError, AppResult};
use crate::providers::{NewInvoice, Provider, WebhookError};
use crate::state::AppState;
use crate::status_cache::CachedStatus;
use crate::store::{InboundEvent, Modify, WidgetRecord};

/// How a refusal of the state machine reads to the caller.
pub fn refusal_error(refusal: Refusal) -> AppError {
    let message = refusal.to_string();
    match refusal {
        Refusal::FundsAlreadyReceived => AppError::conflict("funds_received", message),
        Refusal::Expired => AppError::gone("checkout_expired", message),
        Refusal::Cancelled => AppError::conflict("checkout_cancelled", message),
        Refusal::CannotCancel(_) | Refusal::NotConflict(_) => {
            AppError::conflict("invalid_state", message)
        }
    }
}

/// Why the active provider cannot take `spec`'s price, if it cannot: a fiat price with a
/// provider that prices only in the coin (Coins.ph). Returns the request field that named the
/// currency and the explanation.
fn unpayable_price(state: &AppState, spec: &CheckoutSpec) -> Option<(&'static str, String)> {
    let provider = state.provider();
    let code = spec.denomination_code()?;
    let fiat = matches!(
        state.catalogue.denomination(code),
        Some(Denomination::Fiat { .. })
    );
    if !fiat || provider.prices_in_fiat() {
        return None;
    }
    let field = if spec.price.is_some() {
        "fixedAmount.currency"
    } else {
        "amountCurrency"
    };
    let why = format!(
        "{code} is a fiat currency, and the configured provider ({}) only takes prices in the \
         coin itself; price this checkout in a coin, e.g. USDT",
        provider.name()
    );
    Some((field, why))
}

/// 400 when a new checkout or widget has a price the active provider cannot take, so the
/// merchant hears of it at creation instead of a payer meeting a provider error.
pub fn check_price_is_payable(state: &AppState, spec: &CheckoutSpec) -> AppResult<()> {
    match unpayable_price(state, spec) {
        Some((field, why)) => Err(AppError::invalid_with_code(
            "unsupported_currency",
            field,
            why,
        )),
        None => Ok(()),
    }
}

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
    F: FnMut(&mut CheckoutRecord) -> AppResult<()> + Send + 'static,
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
        state.live.publish(&record.public_view(&state.catalogue));
    }
    Ok(outcome)
}

async fn modify_existing<F>(state: &AppState, id: &str, mutation: F) -> AppResult<CheckoutRecord>
where
    F: FnMut(&mut CheckoutRecord) -> AppResult<()> + Send + 'static,
{
    match modify(state, id, None, mutation).await? {
        Modify::Applied { record, .. } => Ok(*record),
        Modify::NotFound | Modify::DuplicateEvent => Err(unknown_checkout()),
    }
}

/// Inserts a new checkout (or returns the one with the same clientOrderId, with `false`).
pub async fn insert_checkout(
    state: &AppState,
    record: CheckoutRecord,
) -> AppResult<(CheckoutRecord, bool)> {
    state.db.run(move |s| s.insert_checkout(&record)).await
}

/// The checkout as it is now: expired first if its time ran out (expiry is checked on read
/// too, so nobody sees a stale WAITING_PAYMENT between two sweeps).
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
    let policy = state.config.policy;
    modify_existing(state, id, move |rec| {
        rec.apply(&Event::Expire { now_ms: now }, &policy, now)
            .map(drop)
            .map_err(refusal_error)
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

/// Expires every checkout whose time has run out; returns how many changed.
pub async fn expire_due(state: &AppState) -> AppResult<usize> {
    let now = now_ms();
    let ids = state.db.run(move |s| s.expiry_candidates(now, 500)).await?;
    let policy = state.config.policy;
    let mut expired = 0;
    for id in ids {
        let outcome = modify(state, &id, None, move |rec| {
            rec.apply(&Event::Expire { now_ms: now }, &policy, now)
                .map(drop)
                .map_err(refusal_error)
        })
        .await?;
        if matches!(outcome, Modify::Applied { changed: true, .. }) {
            expired += 1;
        }
    }
    Ok(expired)
}

fn coin_for_pick<'a>(
    state: &'a AppState,
    record: &CheckoutRecord,
    req: &PickCurrencyRequest,
) -> AppResult<&'a Coin> {
    let catalogue = &state.catalogue;
    if !catalogue.has_code(&req.currency) {
        return Err(AppError::invalid_with_code(
            "unknown_currency",
            "currency",
            format!("unknown currency {:?}", req.currency),
        ));
    }
    let coin = catalogue.coin(&req.currency, &req.network).ok_or_else(|| {
        AppError::invalid_with_code(
            "unknown_network",
            "network",
            format!(
                "{} is not available on network {:?}",
                req.currency, req.network
            ),
        )
    })?;
    if !record.spec.currencies.contains(&coin.key()) {
        return Err(AppError::invalid_with_code(
            "currency_not_offered",
            "currency",
            format!(
                "{} on {} is not offered by this checkout",
                coin.code, coin.network
            ),
        ));
    }
    Ok(coin)
}

/// The payer picks a coin (and an amount, when the checkout lets them).
pub async fn pick(
    state: &AppState,
    id: &str,
    req: PickCurrencyRequest,
) -> AppResult<CheckoutRecord> {
    let record = load(state, id).await?;
    // An expired or cancelled checkout takes no pick, not even a repeated one.
    match record.status() {
        CheckoutStatus::Expired => return Err(refusal_error(Refusal::Expired)),
        CheckoutStatus::Cancelled => return Err(refusal_error(Refusal::Cancelled)),
        _ => {}
    }
    let coin = coin_for_pick(state, &record, &req)?.clone();
    // Created before the provider was switched to one that cannot take its price.
    if let Some((_, why)) = unpayable_price(state, &record.spec) {
        return Err(AppError::conflict("unsupported_currency", why));
    }
    let requested = record.spec.payer_amount(req.amount, &state.catalogue)?;
    let now = now_ms();
    let policy = state.config.policy;

    // The same pick again: the same payment, as long as its quote holds.
    let same =
        record.payments.iter().rev().find(|p| {
            p.answers(coin.code, coin.network, requested.as_ref()) && p.quote_is_live(now)
        });
    if let Some(p) = same {
        if record.state.active_payment.as_deref() == Some(p.id.as_str()) {
            return Ok(record);
        }
        let payment_id = p.id.clone();
        return modify_existing(state, id, move |rec| {
            rec.apply(
                &Event::Picked {
                    payment_id: payment_id.clone(),
                    now_ms: now,
                },
                &policy,
                now,
            )
            .map(drop)
            .map_err(refusal_error)
        })
        .await;
    }

    // Refuse before asking the provider for an invoice that could never be used.
    state_machine::apply(
        &record.state,
        &Event::Picked {
            payment_id: String::new(),
            now_ms: now,
        },
        &policy,
    )
    .map_err(refusal_error)?;

    let price = match (&record.spec.price, &requested) {
        (Some(price), _) => price.clone(),
        (None, Some(requested)) => requested.clone(),
        (None, None) => return Err(AppError::invalid("amount", "is required")),
    };
    let provider = state.provider();
    // `amount` is None when the provider converts fiat itself (its invoice tells the amount).
    let (amount, fiat, rate, rate_expires_at_ms) =
        match state.catalogue.denomination(&price.currency) {
            Some(Denomination::Fiat { .. }) => match provider
                .quote(&coin, &price.currency)
                .await
                .map_err(AppError::upstream)?
            {
                Some(quote) => {
                    let amount = fiat_to_coin(price.amount, quote.rate, coin.quote_decimals)
                        // Quoted coarser, stored at the coin's own scale like every amount.
                        .and_then(|a| a.with_scale(coin.decimals))
                        .ok_or_else(|| AppError::invalid("amount", "is too large to convert"))?;
                    let lock_ms = i64::try_from(quote.valid_for.as_millis()).unwrap_or(i64::MAX);
                    (
                        Some(amount),
                        Some(price.clone()),
                        Some(quote.rate),
                        now.saturating_add(lock_ms),
                    )
                }
                None => (None, Some(price.clone()), None, record.state.expires_at_ms),
            },
            Some(Denomination::Crypto { .. }) => {
                // Priced in this very coin (the offer is limited to it): no conversion, no lock.
                let amount = price
                    .amount
                    .with_scale(coin.decimals)
                    .ok_or_else(|| AppError::invalid("amount", "is more precise than the coin"))?;
                (Some(amount), None, None, record.state.expires_at_ms)
            }
            None => {
                return Err(AppError::internal(anyhow::anyhow!(
                    "stored price currency {} unknown",
                    price.currency
                )))
            }
        };

    let payment_id = new_payment_id();
    let invoice = provider
        .create_invoice(&NewInvoice {
            payment_id: payment_id.clone(),
            checkout_id: record.id.clone(),
            coin: coin.clone(),
            amount,
            fiat: fiat.clone(),
            expires_at_ms: record.state.expires_at_ms,
            title: record.spec.name.clone(),
        })
        .await
        .map_err(AppError::upstream)?;
    let (amount, rate_expires_at_ms) = match amount {
        Some(amount) => (amount, rate_expires_at_ms),
        None => (
            invoice.amount.filter(|a| !a.is_zero()).ok_or_else(|| {
                AppError::upstream(anyhow::anyhow!("the provider's invoice has no amount"))
            })?,
            invoice.rate_expires_at_ms.unwrap_or(rate_expires_at_ms),
        ),
    };
    let payment = Payment {
        id: payment_id,
        checkout_id: record.id.clone(),
        provider: provider.name().to_owned(),
        provider_ref: invoice.provider_ref,
        currency: coin.code.to_owned(),
        network: coin.network.to_owned(),
        address: invoice.address,
        amount,
        requested,
        fiat,
        rate,
        rate_expires_at_ms,
        created_at_ms: now,
        confirmations_required: coin.confirmations_required,
        funds: Funds::default(),
        provider_state: invoice.provider_state,
    };
    modify_existing(state, id, move |rec| {
        rec.add_payment(payment.clone(), &policy, now)
            .map_err(refusal_error)
    })
    .await
}

pub async fn cancel(state: &AppState, id: &str) -> AppResult<CheckoutRecord> {
    load(state, id).await?;
    let policy = state.config.policy;
    modify_existing(state, id, move |rec| {
        rec.apply(&Event::Cancel, &policy, now_ms())
            .map(drop)
            .map_err(refusal_error)
    })
    .await
}

pub async fn resolve(
    state: &AppState,
    id: &str,
    resolution: Resolution,
) -> AppResult<CheckoutRecord> {
    let record = load(state, id).await?;
    if record.status() != CheckoutStatus::Conflict {
        return Err(refusal_error(Refusal::NotConflict(record.status())));
    }
    if let Some(p) = record.active_payment() {
        if let Some(provider) = state.provider_named(&p.provider) {
            provider
                .resolve_conflict(&p.provider_ref, resolution)
                .await
                .map_err(AppError::upstream)?;
        }
    }
    let policy = state.config.policy;
    modify_existing(state, id, move |rec| {
        rec.apply(&Event::Resolve(resolution), &policy, now_ms())
            .map(drop)
            .map_err(refusal_error)
    })
    .await
}

/// The scale a payment's funds are counted in: its coin's decimals.
async fn coin_decimals(state: &AppState, checkout_id: &str, payment_id: &str) -> AppResult<u8> {
    let id = checkout_id.to_owned();
    let record = state
        .db
        .run(move |s| s.checkout(&id))
        .await?
        .ok_or_else(unknown_checkout)?;
    let payment = record
        .payment(payment_id)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("payment missing from its checkout")))?;
    Ok(state
        .catalogue
        .coin(&payment.currency, &payment.network)
        .map(|c| c.decimals)
        .unwrap_or(payment.amount.scale()))
}

/// What became of an inbound webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WebhookOutcome {
    Applied,
    Duplicate,
    /// Verified but about nothing we know; stored so the provider stops retrying.
    Ignored,
}

/// Verifies, de-duplicates, re-reads and applies one provider webhook. Answers only after the
/// event and its effect are committed together.
pub async fn handle_webhook(
    state: &AppState,
    provider: &dyn Provider,
    headers: &HeaderMap,
    body: &[u8],
) -> AppResult<WebhookOutcome> {
    provider.verify_webhook(headers, body).map_err(|e| {
        let mut err = AppError::unauthorized(e.to_string());
        err.code = match e {
            WebhookError::MissingSignature => "missing_signature",
            _ => "invalid_signature",
        };
        err
    })?;
    let notice = provider
        .parse_webhook(body)
        .map_err(|e| AppError::bad_request("invalid_payload", e.to_string()))?;
    let name = provider.name();
    let event_id = notice.event_id.clone();
    if state
        .db
        .run(move |s| s.inbound_event_seen(name, &event_id))
        .await?
    {
        return Ok(WebhookOutcome::Duplicate);
    }
    let inbound = InboundEvent {
        provider: name.to_owned(),
        event_id: notice.event_id.clone(),
        payment_ref: notice.provider_ref.clone(),
        body: String::from_utf8_lossy(body).into_owned(),
        received_at_ms: now_ms(),
    };
    let target = match notice.provider_ref.clone() {
        Some(reference) => {
            state
                .db
                .run(move |s| s.payment_by_ref(name, &reference))
                .await?
        }
        None => None,
    };
    let Some((checkout_id, payment_id)) = target else {
        let stored = state
            .db
            .run(move |s| s.record_inbound_event(&inbound))
            .await?;
        tracing::info!(
            provider = name,
            "webhook about an unknown invoice stored and ignored"
        );
        return Ok(if stored {
            WebhookOutcome::Ignored
        } else {
            WebhookOutcome::Duplicate
        });
    };
    let reference = notice.provider_ref.unwrap_or_default();
    let decimals = coin_decimals(state, &checkout_id, &payment_id).await?;
    let snapshot = provider
        .fetch_invoice(&reference, decimals)
        .await
        .map_err(AppError::upstream)?;
    let policy = state.config.policy;
    let outcome = modify(state, &checkout_id, Some(inbound), move |rec| {
        let now = now_ms();
        rec.record_funds(
            &payment_id,
            &snapshot.funds,
            &snapshot.provider_state,
            &policy,
            now,
        )
        .map(drop)
        .map_err(refusal_error)
    })
    .await?;
    Ok(match outcome {
        Modify::DuplicateEvent => WebhookOutcome::Duplicate,
        Modify::NotFound => WebhookOutcome::Ignored,
        Modify::Applied { .. } => WebhookOutcome::Applied,
    })
}

/// The sandbox chain's receipt for a simulated transaction.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SandboxPayment {
    pub txid: String,
    pub payment_id: String,
    pub amount: Amount,
    pub confirmations: u32,
    pub confirmations_required: u32,
}

/// Puts a transaction paying `amount` to a sandbox payment's address into the mempool.
pub async fn sandbox_pay(
    state: &AppState,
    payment_id: &str,
    amount: Amount,
) -> AppResult<SandboxPayment> {
    let pid = payment_id.to_owned();
    let checkout_id = state
        .db
        .run(move |s| s.checkout_of_payment(&pid))
        .await?
        .ok_or_else(|| AppError::not_found("no payment with this id"))?;
    let record = load(state, &checkout_id).await?;
    let payment = record
        .payment(payment_id)
        .ok_or_else(|| AppError::not_found("no payment with this id"))?;
    if payment.provider != state.sandbox.name() {
        return Err(AppError::conflict(
            "not_sandbox",
            "this payment is not handled by the sandbox provider",
        ));
    }
    let coin = state
        .catalogue
        .coin(&payment.currency, &payment.network)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("payment coin not in catalogue")))?;
    if amount.is_zero() {
        return Err(AppError::invalid_with_code(
            "invalid_amount",
            "amount",
            "must be greater than zero",
        ));
    }
    let units = amount.units_at(coin.decimals).ok_or_else(|| {
        AppError::invalid_with_code(
            "invalid_amount",
            "amount",
            format!(
                "has more than {} decimal places for {}",
                coin.decimals, coin.code
            ),
        )
    })?;
    let window_end = record
        .state
        .expires_at_ms
        .saturating_add(state.config.policy.monitoring_window_ms);
    if record.status() == CheckoutStatus::Expired && now_ms() > window_end {
        return Err(AppError::conflict(
            "not_monitored",
            "the checkout expired longer ago than the monitoring window; its address is no longer watched",
        ));
    }
    let tx = state.sandbox.pay(&payment.provider_ref, units).await?;
    Ok(SandboxPayment {
        txid: tx.txid,
        payment_id: payment.id.clone(),
        amount: amount.with_scale(coin.decimals).unwrap_or(amount),
        confirmations: tx.confirmations,
        confirmations_required: tx.required,
    })
}

/// Stores a reusable widget unless its key exists (idempotent on the key).
pub async fn insert_widget(
    state: &AppState,
    widget: WidgetRecord,
) -> AppResult<(WidgetRecord, bool)> {
    state.db.run(move |s| s.insert_widget(&widget)).await
}

/// A payer opened a widget key: a fresh checkout with the widget's settings.
pub async fn open_widget_checkout(state: &AppState, key: &str) -> AppResult<CheckoutRecord> {
    let unknown = || AppError::not_found("no widget with this key");
    let key = uuid::Uuid::parse_str(key)
        .map_err(|_| unknown())?
        .to_string();
    let lookup = key.clone();
    let widget = state
        .db
        .run(move |s| s.widget(&lookup))
        .await?
        .ok_or_else(unknown)?;
    let now = now_ms();
    let ttl = i64::try_from(state.config.checkout_ttl.as_millis()).unwrap_or(i64::MAX);
    let mut record =
        CheckoutRecord::new(new_checkout_id(), widget.spec, now.saturating_add(ttl), now);
    record.external_id = widget.external_id;
    record.widget_key = Some(key);
    Ok(insert_checkout(state, record).await?.0)
}
