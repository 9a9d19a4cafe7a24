//! The merchant settles a CONFLICT. Where the provider holds the funds it is told first, in as
//! many steps as it documents (Calypso: return-to-paid, then close-intervention once the
//! invoice is COMPLETED), and the checkout moves once the funds went where the merchant said.
//!
//! Each step is recorded on the payment (`Payment::settlement`): the request before the
//! provider is asked, the step left after it answered. Every re-read of a payment with a step
//! left asks the provider again ([`resume`]), which is how the last step follows the invoice's
//! completion and how a restart resumes: the provider reads its invoice before acting, so
//! asking again never repeats a step it took.

use super::{modify, modify_existing, turns};
use crate::domain::checkout::CheckoutRecord;
use crate::domain::now_ms;
use crate::domain::state_machine::Resolution;
use crate::error::{AppError, AppResult};
use crate::providers::{Provider, SettlementProgress};
use crate::state::AppState;

/// Settles checkout `id`'s CONFLICT with `resolution`. Answers with the checkout once the
/// provider did its part so far: SUCCESS or CANCELLED, with the payment's settlement still
/// recorded while the provider has a step left.
pub async fn resolve(
    state: &AppState,
    id: &str,
    resolution: Resolution,
) -> AppResult<CheckoutRecord> {
    let requested = modify_existing(state, id, move |rec| {
        rec.request_settlement(resolution)?;
        Ok(())
    })
    .await?;
    let payment = requested.active_payment();
    // Taken before the provider's invoice is read, so a re-read resuming this settlement at the
    // same moment cannot send the same step too.
    let _turn = match payment {
        Some(p) => {
            Some(turns::take(&state.db, &state.instance_id, &turns::settlement(&p.id)).await?)
        }
        None => None,
    };
    let provider = payment.and_then(|p| state.provider_named(&p.provider));
    let (Some(payment), Some(provider)) = (payment, provider) else {
        let payment_id = payment.map(|p| p.id.clone()).unwrap_or_default();
        return settle(
            state,
            id,
            payment_id,
            resolution,
            SettlementProgress::Settled,
        )
        .await;
    };
    match provider
        .resolve_conflict(&payment.provider_ref, resolution)
        .await
    {
        Ok(progress) => settle(state, id, payment.id.clone(), resolution, progress).await,
        Err(e) => {
            let payment_id = payment.id.clone();
            modify(state, id, None, move |rec| {
                rec.withdraw_settlement(&payment_id);
                Ok(())
            })
            .await?;
            Err(AppError::upstream(e))
        }
    }
}

/// Takes the next step of a settlement recorded on `payment_id`, if one is left: called after
/// every re-read of that payment (webhook, reconciler, start-up pass). Returns the checkout as
/// it is then, when there was a step to ask about.
pub async fn resume(
    state: &AppState,
    provider: &dyn Provider,
    record: &CheckoutRecord,
    payment_id: &str,
) -> AppResult<Option<CheckoutRecord>> {
    let Some(payment) = record.payment(payment_id) else {
        return Ok(None);
    };
    if payment.settlement.is_none() {
        return Ok(None);
    }
    let _turn = turns::take(
        &state.db,
        &state.instance_id,
        &turns::settlement(payment_id),
    )
    .await?;
    // Read again in the turn: whoever held it may have taken the step (or finished) meanwhile.
    // A plain read: `checkouts::load` may expire the checkout, which re-reads and resumes.
    let checkout_id = record.id.clone();
    let Some(record) = state.db.run(move |s| s.checkout(&checkout_id)).await? else {
        return Ok(None);
    };
    let Some(settlement) = record.payment(payment_id).and_then(|p| p.settlement) else {
        return Ok(None);
    };
    let Some(payment) = record.payment(payment_id) else {
        return Ok(None);
    };
    let progress = provider
        .resolve_conflict(&payment.provider_ref, settlement.action)
        .await
        .map_err(AppError::upstream)?;
    let id = &record.id;
    let settled = settle(
        state,
        id,
        payment_id.to_owned(),
        settlement.action,
        progress,
    )
    .await?;
    Ok(Some(settled))
}

/// Records where the provider stands and applies the merchant's resolution.
async fn settle(
    state: &AppState,
    id: &str,
    payment_id: String,
    resolution: Resolution,
    progress: SettlementProgress,
) -> AppResult<CheckoutRecord> {
    let policy = state.config.policy;
    let pending = progress == SettlementProgress::AwaitingProvider;
    modify_existing(state, id, move |rec| {
        rec.settle(&payment_id, resolution, pending, &policy, now_ms())?;
        Ok(())
    })
    .await
}
