//! The sandbox's ledger onto our funds: unlike the real providers, it counts confirmations
//! itself, so a transaction is final once it has the confirmations its coin requires.

use super::ledger::{SandboxInvoice, SandboxTx};
use crate::providers::funds::{counted_by_confirmations, Counted};
use crate::providers::InvoiceSnapshot;

pub fn snapshot(invoice: &SandboxInvoice, txs: &[SandboxTx]) -> InvoiceSnapshot {
    let counted: Vec<Counted> = txs
        .iter()
        .map(|t| Counted {
            units: t.amount_units,
            confirmations: t.confirmations,
            required: t.required,
            at_ms: t.seen_at_ms,
        })
        .collect();
    let (funds, state) = counted_by_confirmations(&counted);
    InvoiceSnapshot {
        provider_ref: invoice.reference.clone(),
        address: invoice.address.clone(),
        funds,
        provider_state: state.to_owned(),
        amount: Some(invoice.amount),
        rate_expires_at_ms: None,
        closed: false,
    }
}
