//! Coins.ph's invoices onto our funds. Wallet transfers settle at once: what Coins.ph counts
//! as received is final.

use super::model::{Invoice, PaymentRequestBody};
use crate::domain::state_machine::Funds;
use crate::providers::decimal::ceil_to_scale;
use crate::providers::funds::{judged_by_provider, received_units};
use crate::providers::InvoiceSnapshot;

pub fn snapshot(invoice: &Invoice, reference: &str, decimals: u8) -> InvoiceSnapshot {
    let received = received_units(invoice.amount_received, decimals);
    let state = invoice.status.clone().unwrap_or_else(|| {
        let due = received_units(invoice.amount, decimals);
        match received {
            0 => "pending",
            r if r < due => "partially_paid",
            _ => "fully_paid",
        }
        .to_owned()
    });
    InvoiceSnapshot {
        provider_ref: reference.to_owned(),
        address: String::new(),
        funds: judged_by_provider(received, received, None),
        // Coins.ph's invoices end as `expired` (or `canceled`) when nobody paid in time.
        closed: matches!(state.as_str(), "expired" | "canceled" | "cancelled"),
        provider_state: state,
        amount: invoice.amount.and_then(|a| ceil_to_scale(a, decimals)),
        rate_expires_at_ms: None,
    }
}

/// A new payment request: tracked by its invoice; paid through its page (no address).
pub fn created(request: PaymentRequestBody, decimals: u8) -> anyhow::Result<InvoiceSnapshot> {
    let invoice = request
        .invoice
        .filter(|i| !i.is_empty())
        .ok_or_else(|| anyhow::anyhow!("coinsph: the payment request has no invoice"))?;
    let url = request
        .payment_url
        .filter(|u| !u.is_empty())
        .ok_or_else(|| anyhow::anyhow!("coinsph: the payment request has no payment_url"))?;
    Ok(InvoiceSnapshot {
        provider_ref: invoice,
        // No address: the payer pays through the payment page.
        address: url,
        funds: Funds::default(),
        provider_state: request.status.unwrap_or_else(|| "pending".to_owned()),
        amount: request.amount.and_then(|a| ceil_to_scale(a, decimals)),
        rate_expires_at_ms: None,
        closed: false,
    })
}
