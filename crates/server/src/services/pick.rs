//! The payer picks a coin (and an amount, when the checkout lets them): the same payment again
//! while its quote holds, otherwise a new invoice from the provider.

use protocol::{parse_payer_contact, CheckoutStatus, Money, PickCurrencyRequest};

use super::checkouts::{load, unpayable_price};
use super::{modify_existing, opening, turns};
use crate::domain::checkout::CheckoutRecord;
use crate::domain::currency::Coin;
use crate::domain::payment::{payment_page_url, Payment};
use crate::domain::pricing::{self, Terms};
use crate::domain::state_machine::{self, Event, Funds, Policy, Refusal};
use crate::domain::{new_payment_id, now_ms};
use crate::error::{AppError, AppResult};
use crate::providers::failure::Declined;
use crate::providers::{InvoiceSnapshot, NewInvoice};
use crate::state::AppState;

pub async fn pick(
    state: &AppState,
    id: &str,
    req: PickCurrencyRequest,
) -> AppResult<CheckoutRecord> {
    // What is wrong with the request itself is said first, whatever the checkout's state.
    let coin = known_coin(state, &req)?.clone();
    if req
        .payer_contact
        .as_ref()
        .is_some_and(|c| c.chars().count() > MAX_PAYER_CONTACT)
    {
        return Err(AppError::invalid_with_code(
            "invalid_payer_contact",
            "payerContact",
            format!("is longer than {MAX_PAYER_CONTACT} characters"),
        ));
    }
    // Twins of this pick wait here, then find its payment below instead of opening another.
    let _turn = turns::take(&state.db, &state.instance_id, id).await?;
    let record = load(state, id).await?;
    // An expired or cancelled checkout takes no pick, not even a repeated one.
    match record.status() {
        CheckoutStatus::Expired => return Err(Refusal::Expired.into()),
        CheckoutStatus::Cancelled => return Err(Refusal::Cancelled.into()),
        _ => {}
    }
    offered_by(&record, &coin)?;
    // Created before the provider was switched to one that cannot take its price or coin.
    if let Some((_, why)) = unpayable_price(state, &record.spec) {
        return Err(AppError::conflict("unsupported_currency", why));
    }
    if !state.provider().offers(&coin) {
        return Err(AppError::conflict(
            "unsupported_currency",
            format!(
                "{} on {} cannot be paid through the configured provider ({})",
                coin.code,
                coin.network,
                state.provider().name()
            ),
        ));
    }
    let payer_contact = payer_contact(&coin, req.payer_contact.as_deref())?;
    let requested = record.spec.payer_amount(req.amount, &state.catalogue)?;
    let now = now_ms();
    if let Some(payment_id) = live_payment_for(&record, &coin, requested.as_ref(), now) {
        if record.state.active_payment.as_deref() == Some(payment_id.as_str()) {
            return Ok(record);
        }
        return switch_to(state, id, payment_id, now).await;
    }
    // Refuse before asking the provider for an invoice that could never be used.
    state_machine::check_pick(&record.state, now)?;
    let payment = open_payment(state, &record, &coin, requested, payer_contact, now).await?;
    let policy = state.config.policy;
    modify_existing(state, id, move |rec| {
        add_once(rec, &payment, &policy, now)?;
        Ok(())
    })
    .await
}

/// Stores `payment` as the active one, unless a twin of this pick (the same reserved payment
/// id, from another server instance sharing the database) stored it first.
fn add_once(
    rec: &mut CheckoutRecord,
    payment: &Payment,
    policy: &Policy,
    now: i64,
) -> Result<(), Refusal> {
    if rec.payment(&payment.id).is_none() {
        rec.add_payment(payment.clone(), policy, now)?;
    }
    Ok(())
}

/// The coin the request names, if it exists and this checkout offers it.
/// The longest contact a pick may carry (an email address's limit), as the OpenAPI document says.
const MAX_PAYER_CONTACT: usize = 254;

/// The coin the request names, if the server knows it at all (any checkout's or none).
fn known_coin<'a>(state: &'a AppState, req: &PickCurrencyRequest) -> AppResult<&'a Coin> {
    let catalogue = &state.catalogue;
    if !catalogue.has_code(&req.currency) {
        return Err(AppError::invalid_with_code(
            "unknown_currency",
            "currency",
            format!("unknown currency {:?}", req.currency),
        ));
    }
    catalogue.coin(&req.currency, &req.network).ok_or_else(|| {
        AppError::invalid_with_code(
            "unknown_network",
            "network",
            format!(
                "{} is not available on network {:?}",
                req.currency, req.network
            ),
        )
    })
}

/// Refuses a coin the checkout does not offer.
fn offered_by(record: &CheckoutRecord, coin: &Coin) -> AppResult<()> {
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
    Ok(())
}

/// The payer's contact, normalised, for a coin paid on the provider's page (which names the
/// payer); `None` for every other coin, whose providers are never sent one.
fn payer_contact(coin: &Coin, given: Option<&str>) -> AppResult<Option<String>> {
    if !coin.paid_on_page() {
        return Ok(None);
    }
    let given = given.filter(|g| !g.trim().is_empty()).ok_or_else(|| {
        AppError::invalid_with_code(
            "payer_contact_required",
            "payerContact",
            "is required: an email, a phone number (+ and 8 to 15 digits) or a 32-character account id",
        )
    })?;
    let contact = parse_payer_contact(given).ok_or_else(|| {
        AppError::invalid_with_code(
            "invalid_payer_contact",
            "payerContact",
            "must be an email, a phone number (+ and 8 to 15 digits) or a 32-character account id",
        )
    })?;
    Ok(Some(contact.value))
}

/// The same pick made before, whose quote still holds: it is reused, not opened again.
fn live_payment_for(
    record: &CheckoutRecord,
    coin: &Coin,
    requested: Option<&Money>,
    now: i64,
) -> Option<String> {
    record
        .payments
        .iter()
        .rev()
        .find(|p| p.answers(coin.code, coin.network, requested) && p.quote_is_live(now))
        .map(|p| p.id.clone())
}

/// Makes an earlier payment the active one again (the payer switched back to its coin).
async fn switch_to(
    state: &AppState,
    id: &str,
    payment_id: String,
    now: i64,
) -> AppResult<CheckoutRecord> {
    let policy = state.config.policy;
    modify_existing(state, id, move |rec| {
        let picked = Event::Picked {
            payment_id: payment_id.clone(),
            now_ms: now,
        };
        rec.apply(&picked, &policy, now)?;
        Ok(())
    })
    .await
}

/// Prices the payment, asks the provider for its invoice and returns the payment to store.
async fn open_payment(
    state: &AppState,
    record: &CheckoutRecord,
    coin: &Coin,
    requested: Option<Money>,
    payer_contact: Option<String>,
    now: i64,
) -> AppResult<Payment> {
    let terms = terms_for(state, record, coin, requested.as_ref(), now).await?;
    let provider = state.provider();
    let request = NewInvoice {
        payment_id: new_payment_id(),
        checkout_id: record.id.clone(),
        coin: coin.clone(),
        amount: terms.amount,
        fiat: terms.fiat.clone(),
        expires_at_ms: record.state.expires_at_ms,
        title: record.spec.name.clone(),
        return_url: record.spec.return_url.clone(),
        reserved_ref: None,
        payer_contact,
    };
    // The same pick retried reuses its payment id and what the provider made for it.
    let (request, invoice) = opening::open_invoice(state, request, now).await?;
    let (amount, rate_expires_at_ms) = settled_amount(&terms, &invoice)?;
    let (address, payment_url) = destination(coin, invoice.address)?;
    Ok(Payment {
        id: request.payment_id,
        checkout_id: record.id.clone(),
        provider: provider.name().to_owned(),
        provider_ref: invoice.provider_ref,
        currency: coin.code.to_owned(),
        network: coin.network.to_owned(),
        address,
        payment_url,
        amount,
        requested,
        fiat: terms.fiat,
        rate: terms.rate,
        rate_expires_at_ms,
        created_at_ms: now,
        confirmations_required: coin.confirmations_required,
        funds: Funds::default(),
        provider_state: invoice.provider_state,
        closed_by_provider: false,
        test: provider.is_test(),
        requoted: false,
        settlement: None,
    })
}

/// Where the payer pays: the address, or for a coin paid on the provider's page, that page,
/// which must be `https` (anything else is refused before a payer could be sent there).
fn destination(coin: &Coin, given: String) -> AppResult<(String, Option<String>)> {
    if !coin.paid_on_page() {
        return Ok((given, None));
    }
    let url = payment_page_url(&given).ok_or_else(|| {
        AppError::upstream(anyhow::Error::new(Declined(
            "the provider's payment page is not an https URL".into(),
        )))
    })?;
    Ok((String::new(), Some(url)))
}

/// The terms of a new payment; asks the provider for a rate when the price is in fiat.
async fn terms_for(
    state: &AppState,
    record: &CheckoutRecord,
    coin: &Coin,
    requested: Option<&Money>,
    now: i64,
) -> AppResult<Terms> {
    let price = pricing::price_to_pay(&record.spec, requested)?;
    let denomination = state
        .catalogue
        .denomination(&price.currency)
        .ok_or_else(|| {
            AppError::internal(anyhow::anyhow!(
                "stored price currency {} unknown",
                price.currency
            ))
        })?;
    // A price in the very currency the payer pays in (pesos in a Coins.ph wallet) needs no rate.
    let rate = if denomination.is_fiat() && !coin.code.eq_ignore_ascii_case(&price.currency) {
        let quote = state
            .provider()
            .quote(coin, &price.currency)
            .await
            .map_err(AppError::upstream)?;
        quote.map(|q| q.as_rate())
    } else {
        None
    };
    let terms = pricing::terms(
        price,
        denomination,
        coin,
        rate,
        now,
        record.state.expires_at_ms,
    )?;
    Ok(terms)
}

/// The amount due and its lock: ours, or the provider's when it converted the price itself.
fn settled_amount(terms: &Terms, invoice: &InvoiceSnapshot) -> AppResult<(protocol::Amount, i64)> {
    if let Some(amount) = terms.amount {
        return Ok((amount, terms.locked_until_ms));
    }
    let amount = invoice.amount.filter(|a| !a.is_zero()).ok_or_else(|| {
        AppError::upstream(anyhow::anyhow!("the provider's invoice has no amount"))
    })?;
    let locked_until = invoice.rate_expires_at_ms.unwrap_or(terms.locked_until_ms);
    Ok((amount, locked_until))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::test_fixtures::{checkout, payment, NOW};

    #[test]
    fn a_payment_stored_by_a_twin_is_not_added_again() {
        let mut rec = checkout("CCO-1", NOW);
        let policy = Policy::default();
        let paid = payment("PAY-1", "CCO-1");
        add_once(&mut rec, &paid, &policy, NOW).unwrap();
        let once = rec.clone();
        add_once(&mut rec, &paid, &policy, NOW + 1).unwrap();
        assert_eq!(rec, once);
    }
}
