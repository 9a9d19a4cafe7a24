//! The sandbox's ledger onto our funds: unlike the real providers, it counts confirmations
//! itself, so a transaction is final once it has the confirmations its coin requires.

use super::ledger::{SandboxInvoice, SandboxTx};
use crate::domain::state_machine::Funds;
use crate::providers::InvoiceSnapshot;

pub fn snapshot(invoice: &SandboxInvoice, txs: &[SandboxTx]) -> InvoiceSnapshot {
    let seen_units: u128 = txs.iter().map(|t| t.amount_units).sum();
    let confirmed_units: u128 = txs
        .iter()
        .filter(|t| t.confirmations >= t.required)
        .map(|t| t.amount_units)
        .sum();
    let confirmations = txs.iter().map(|t| t.confirmations).min().unwrap_or(0);
    let state = if txs.is_empty() {
        "WAITING"
    } else if confirmed_units < seen_units {
        "CONFIRMING"
    } else {
        "CONFIRMED"
    };
    InvoiceSnapshot {
        provider_ref: invoice.reference.clone(),
        address: invoice.address.clone(),
        funds: Funds {
            seen_units,
            confirmed_units,
            confirmations,
            first_seen_at_ms: txs.iter().map(|t| t.seen_at_ms).min(),
            signal: None,
            as_of_block: None,
        },
        provider_state: state.to_owned(),
        amount: Some(invoice.amount),
        rate_expires_at_ms: None,
        closed: false,
    }
}
