//! The demo's test controls: a person trying the demo pays a test checkout from the widget
//! itself, as a wallet and a chain would (pay in full, pay part, mine a block, let it expire).
//! Only on a demo server with the sandbox (the route does not exist otherwise), and only for
//! checkouts whose payments are the sandbox's: nothing here can touch a real payment.

use protocol::{Amount, TestAction};

use super::checkouts::{load, public_view, test_controls_enabled};
use super::{modify_existing, sandbox};
use crate::domain::checkout::CheckoutRecord;
use crate::domain::now_ms;
use crate::domain::state_machine::Event;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Does `action` to test checkout `id` and answers with its public view.
pub async fn act(
    state: &AppState,
    id: &str,
    action: TestAction,
) -> AppResult<protocol::CheckoutView> {
    if !test_controls_enabled(state) {
        return Err(AppError::not_found("no such route"));
    }
    let record = load(state, id).await?;
    if !record.is_test(state.provider().is_test()) {
        return Err(AppError::conflict(
            "not_a_test_checkout",
            "test controls act on sandbox checkouts only",
        ));
    }
    let record = match action {
        TestAction::PayInFull => pay(state, &record, false).await?,
        TestAction::PayPart => pay(state, &record, true).await?,
        TestAction::MineBlock => mine(state, &record).await?,
        TestAction::Expire => expire_now(state, id).await?,
    };
    Ok(public_view(state, &record))
}

/// A transaction for what is still due on the payment on screen (half of it for a part).
async fn pay(state: &AppState, record: &CheckoutRecord, part: bool) -> AppResult<CheckoutRecord> {
    let payment = record.active_payment().ok_or_else(|| {
        AppError::conflict(
            "no_payment",
            "pick a currency first: there is nothing to pay yet",
        )
    })?;
    let remaining = payment.amount.saturating_sub(payment.paid());
    if remaining.is_zero() {
        return Err(AppError::conflict(
            "nothing_due",
            "the payment is already paid in full",
        ));
    }
    let amount = if part { half(remaining) } else { remaining };
    sandbox::pay(state, &payment.id, amount).await?;
    load(state, &record.id).await
}

/// Half of `amount`, rounded down at its scale; the whole of a single smallest unit.
fn half(amount: Amount) -> Amount {
    Amount::from_units(amount.units() / 2, amount.scale())
        .filter(|h| !h.is_zero())
        .unwrap_or(amount)
}

/// A block on the sandbox chain, now.
async fn mine(state: &AppState, record: &CheckoutRecord) -> AppResult<CheckoutRecord> {
    let sandbox = state
        .sandbox
        .as_ref()
        .ok_or_else(|| AppError::not_found("the sandbox provider is not configured"))?;
    sandbox.mine_block().await?;
    load(state, &record.id).await
}

/// The checkout's time runs out now, through the same state machine as a real expiry.
async fn expire_now(state: &AppState, id: &str) -> AppResult<CheckoutRecord> {
    let policy = state.config.policy;
    modify_existing(state, id, move |record| {
        let now = now_ms();
        record.state.expires_at_ms = record.state.expires_at_ms.min(now);
        record.apply(&Event::Expire { now_ms: now }, &policy, now)?;
        Ok(())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_part_is_half_rounded_down_and_never_nothing() {
        let a = |s: &str| Amount::parse(s).unwrap();
        assert_eq!(half(a("0.00100001")), a("0.00050000"));
        assert_eq!(half(a("0.00000001")), a("0.00000001"));
    }
}
