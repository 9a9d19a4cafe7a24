//! The EVM provider's records onto our funds: it counts confirmations itself, so a transfer is
//! final once the chain it has read is `confirmations` blocks past it (its own block counts).

use crate::domain::state_machine::Funds;
use crate::providers::InvoiceSnapshot;
use crate::store::evm::{EvmInvoice, EvmTransfer};

/// A deposit address with what was counted for it, and the newest block read on its chain.
pub struct InvoiceView {
    pub invoice: EvmInvoice,
    pub transfers: Vec<EvmTransfer>,
    pub tip: Option<u64>,
}

pub fn snapshot(view: &InvoiceView, required: u32) -> InvoiceSnapshot {
    let confirmations_of = |block: u64| -> u32 {
        match view.tip {
            Some(tip) if tip >= block => u32::try_from(tip - block + 1).unwrap_or(u32::MAX),
            _ => 0,
        }
    };
    let seen_units: u128 = view.transfers.iter().map(|t| t.amount_units).sum();
    let confirmed_units: u128 = view
        .transfers
        .iter()
        .filter(|t| confirmations_of(t.block_number) >= required)
        .map(|t| t.amount_units)
        .sum();
    let confirmations = view
        .transfers
        .iter()
        .map(|t| confirmations_of(t.block_number))
        .min()
        .unwrap_or(0);
    let state = if view.transfers.is_empty() {
        "WAITING"
    } else if confirmed_units < seen_units {
        "CONFIRMING"
    } else {
        "CONFIRMED"
    };
    InvoiceSnapshot {
        provider_ref: view.invoice.reference.clone(),
        address: view.invoice.address.clone(),
        funds: Funds {
            seen_units,
            confirmed_units,
            confirmations,
            first_seen_at_ms: view.transfers.iter().map(|t| t.block_time_ms).min(),
            signal: None,
            as_of_block: view.tip,
        },
        provider_state: state.to_owned(),
        amount: Some(view.invoice.amount),
        rate_expires_at_ms: None,
        closed: false,
    }
}
