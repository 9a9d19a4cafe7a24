//! The merchant's (and the demo's) way to pay a sandbox payment: a simulated transaction enters
//! the sandbox chain's mempool, and the sandbox reports it like any provider, by webhook.

use protocol::{Amount, CheckoutStatus};
use serde::Serialize;

use super::checkouts::load;
use crate::domain::now_ms;
use crate::error::{AppError, AppResult};
use crate::providers::Provider;
use crate::state::AppState;

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

fn unknown_payment() -> AppError {
    AppError::not_found("no payment with this id")
}

/// Puts a transaction paying `amount` to a sandbox payment's address into the mempool.
pub async fn pay(state: &AppState, payment_id: &str, amount: Amount) -> AppResult<SandboxPayment> {
    let pid = payment_id.to_owned();
    let checkout_id = state
        .db
        .run(move |s| s.checkout_of_payment(&pid))
        .await?
        .ok_or_else(unknown_payment)?;
    let record = load(state, &checkout_id).await?;
    let payment = record.payment(payment_id).ok_or_else(unknown_payment)?;
    let sandbox = state
        .sandbox
        .as_ref()
        .ok_or_else(|| AppError::not_found("the sandbox provider is not configured"))?;
    if payment.provider != sandbox.name() {
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
    let tx = sandbox.pay(&payment.provider_ref, units).await?;
    Ok(SandboxPayment {
        txid: tx.txid,
        payment_id: payment.id.clone(),
        amount: amount.with_scale(coin.decimals).unwrap_or(amount),
        confirmations: tx.confirmations,
        confirmations_required: tx.required,
    })
}
