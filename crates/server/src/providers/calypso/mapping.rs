//! Calypso's invoice states onto our funds and signals. The list is open: a state we do not
//! know is kept raw, logged, and treated as "nothing certain yet" (never as paid).

use super::model::Invoice;
use crate::domain::state_machine::{Funds, ProviderSignal};
use crate::providers::decimal::ceil_to_scale;
use crate::providers::funds::{due_units, judged_by_provider, received_units};
use crate::providers::InvoiceSnapshot;

/// The funds Calypso reports for an invoice, counted at `decimals`.
pub fn funds(invoice: &Invoice, decimals: u8) -> Funds {
    let received = received_units(invoice.total_debit_amount, decimals);
    let due = due_units(invoice.amount, decimals);
    let state = invoice.state.as_deref().unwrap_or("");
    let (seen, confirmed, signal) = match state {
        "PENDING_PAYMENT" => (received, 0, None),
        "MEM_POOL_FOUND" | "PENDING_COMPLIANCE_CHECK" => {
            (received, 0, Some(ProviderSignal::InFlight))
        }
        "DECLINED" => (received, received, Some(ProviderSignal::Held)),
        // Paid in Calypso's judgement: when it gives no total, the amount due arrived.
        "PAID" | "COMPLETED" => {
            let total = if received == 0 { due } else { received };
            (total, total, None)
        }
        "PENDING_INTERVENTION" => {
            let signal = match invoice.intervention_type.as_deref() {
                Some("UNDERPAY") => ProviderSignal::HeldUnderpaid,
                Some("OVERPAY") => ProviderSignal::HeldOverpaid,
                other => {
                    tracing::warn!(
                        intervention = other.unwrap_or("<none>"),
                        "unknown Calypso intervention type; shown as a CONFLICT"
                    );
                    ProviderSignal::Held
                }
            };
            (received, received, Some(signal))
        }
        // Archived: expired unpaid (our own expiry handles that) or done; whatever arrived
        // counts as arrived and the state machine judges the amount.
        "ARCHIVED" => (received, received, None),
        other => {
            tracing::warn!(
                state = other,
                "unknown Calypso invoice state; kept raw and treated as unconfirmed"
            );
            (received, 0, None)
        }
    };
    // Calypso decides finality itself.
    judged_by_provider(seen, confirmed, signal)
}

/// Our snapshot of a Calypso invoice known to us by `reference` (its idempotency key).
pub fn snapshot(invoice: &Invoice, reference: &str, decimals: u8) -> InvoiceSnapshot {
    InvoiceSnapshot {
        provider_ref: reference.to_owned(),
        address: invoice.invoice_address.clone().unwrap_or_default(),
        funds: funds(invoice, decimals),
        provider_state: invoice
            .state
            .clone()
            .unwrap_or_else(|| "UNKNOWN".to_owned()),
        amount: invoice.amount.and_then(|a| ceil_to_scale(a, decimals)),
        rate_expires_at_ms: None,
        // Calypso has no EXPIRED state: an invoice nobody paid in time is ARCHIVED.
        closed: invoice.state.as_deref() == Some("ARCHIVED"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::Amount;

    fn invoice(state: &str, amount: &str, total: &str, intervention: Option<&str>) -> Invoice {
        Invoice {
            state: Some(state.into()),
            amount: Some(Amount::parse(amount).unwrap()),
            total_debit_amount: Some(Amount::parse(total).unwrap()),
            intervention_type: intervention.map(Into::into),
            ..Invoice::default()
        }
    }

    #[test]
    fn every_documented_state_maps() {
        let f = funds(&invoice("PENDING_PAYMENT", "0.001", "0", None), 8);
        assert_eq!((f.seen_units, f.signal), (0, None));
        let f = funds(&invoice("MEM_POOL_FOUND", "0.001", "0", None), 8);
        assert_eq!(f.signal, Some(ProviderSignal::InFlight));
        let f = funds(
            &invoice("PENDING_COMPLIANCE_CHECK", "0.001", "0.001", None),
            8,
        );
        assert_eq!((f.seen_units, f.confirmed_units), (100_000, 0));
        let f = funds(&invoice("DECLINED", "0.001", "0.001", None), 8);
        assert_eq!(f.signal, Some(ProviderSignal::Held));
        let f = funds(&invoice("PAID", "0.001", "0", None), 8);
        assert_eq!((f.seen_units, f.confirmed_units), (100_000, 100_000));
        let f = funds(&invoice("COMPLETED", "0.001", "0.00100001", None), 8);
        assert_eq!(f.confirmed_units, 100_001);
        let f = funds(
            &invoice("PENDING_INTERVENTION", "0.001", "0.0005", Some("UNDERPAY")),
            8,
        );
        assert_eq!(f.signal, Some(ProviderSignal::HeldUnderpaid));
        let f = funds(
            &invoice("PENDING_INTERVENTION", "0.001", "0.002", Some("OVERPAY")),
            8,
        );
        assert_eq!(f.signal, Some(ProviderSignal::HeldOverpaid));
        let f = funds(
            &invoice("PENDING_INTERVENTION", "0.001", "0.002", Some("REFUND?")),
            8,
        );
        assert_eq!(f.signal, Some(ProviderSignal::Held));
        let f = funds(&invoice("ARCHIVED", "0.001", "0", None), 8);
        assert_eq!((f.seen_units, f.first_seen_at_ms), (0, None));
        // Unknown: kept as unconfirmed, never a success.
        let f = funds(&invoice("TELEPORTED", "0.001", "0.001", None), 8);
        assert_eq!((f.seen_units, f.confirmed_units), (100_000, 0));
        let s = snapshot(&invoice("TELEPORTED", "0.001", "0", None), "k", 8);
        assert_eq!(s.provider_state, "TELEPORTED");
    }
}
