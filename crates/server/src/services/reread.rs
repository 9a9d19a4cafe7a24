//! The one way a provider's word reaches a checkout: re-read the payment from its provider and
//! apply what it says through the state machine, in one transaction (with the webhook's event
//! when a webhook prompted it). Webhooks, the reconciler and the expiry all come through here,
//! and so does the next step of a merchant's settlement the provider was not ready for.

use super::{modify, resolve};
use crate::domain::currency::Coin;
use crate::domain::now_ms;
use crate::domain::payment::Payment;
use crate::domain::pricing::{self, Rate};
use crate::error::{AppError, AppResult};
use crate::providers::Provider;
use crate::state::AppState;
use crate::store::{InboundEvent, Modify};

pub async fn reread(
    state: &AppState,
    provider: &dyn Provider,
    payment: &Payment,
    inbound: Option<InboundEvent>,
) -> AppResult<Modify> {
    // Funds are counted at the coin's scale (the amount's own scale for a coin no longer listed).
    let decimals = state
        .catalogue
        .coin(&payment.currency, &payment.network)
        .map(|c| c.decimals)
        .unwrap_or(payment.amount.scale());
    let snapshot = provider
        .fetch_invoice(&payment.provider_ref, decimals)
        .await
        .map_err(AppError::upstream)?;
    let policy = state.config.policy;
    let first_seen = snapshot.funds.first_seen_at_ms.unwrap_or_else(now_ms);
    let late = snapshot.funds.seen_units > 0
        && pricing::needs_requote(payment, first_seen, policy.quote_grace_ms);
    let requote = match late {
        true => fresh_rate(state, provider, payment).await?,
        false => None,
    };
    let payment_id = payment.id.clone();
    let mut outcome = modify(state, &payment.checkout_id, inbound, move |rec| {
        if let Some((rate, coin)) = &requote {
            let grace = policy.quote_grace_ms;
            rec.requote_payment(&payment_id, rate, coin, first_seen, grace, now_ms())?;
        }
        rec.record_funds(
            &payment_id,
            &snapshot.funds,
            &snapshot.provider_state,
            &policy,
            now_ms(),
        )?;
        if snapshot.closed {
            rec.close_payment(&payment_id, &policy, now_ms())?;
        }
        Ok(())
    })
    .await?;
    if let Modify::Applied { record, .. } = &mut outcome {
        // A settlement with a step left takes it now if the provider is ready for it. Failing
        // here fails nothing already recorded: the step stays, and the next re-read tries again.
        match resolve::resume(state, provider, record, &payment.id).await {
            Ok(Some(settled)) => **record = settled,
            Ok(None) => {}
            Err(e) => tracing::warn!(
                payment = %payment.id,
                provider = %payment.provider,
                "the merchant's settlement is still waiting on the provider: {e}"
            ),
        }
    }
    Ok(outcome)
}

/// A fresh rate for re-valuing `payment` (and its coin), from the provider that priced it. Failing
/// to get one fails the re-read: funds are never settled at a quote that has ended.
async fn fresh_rate(
    state: &AppState,
    provider: &dyn Provider,
    payment: &Payment,
) -> AppResult<Option<(Rate, Coin)>> {
    let (Some(fiat), Some(coin)) = (
        payment.fiat.as_ref(),
        state.catalogue.coin(&payment.currency, &payment.network),
    ) else {
        return Ok(None);
    };
    let quote = provider
        .quote(coin, &fiat.currency)
        .await
        .map_err(AppError::upstream)?;
    Ok(quote.map(|q| (q.as_rate(), coin.clone())))
}

/// The provider a stored payment was opened with; an error when it is no longer configured.
pub fn provider_of(state: &AppState, payment: &Payment) -> AppResult<std::sync::Arc<dyn Provider>> {
    state.provider_named(&payment.provider).ok_or_else(|| {
        AppError::upstream(anyhow::anyhow!(
            "payment {} was opened with provider {}, which is no longer configured",
            payment.id,
            payment.provider
        ))
    })
}
