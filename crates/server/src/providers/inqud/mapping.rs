//! Inqud's statuses onto our funds. The request's status list is not complete in the public
//! text: an unknown one is kept raw, logged, and treated as unconfirmed (never as paid).

use super::model::Checkout;
use crate::domain::state_machine::{Funds, ProviderSignal};
use crate::providers::decimal::ceil_to_scale;
use crate::providers::funds::{due_units, judged_by_provider, received_units};
use crate::providers::InvoiceSnapshot;

/// The state we keep raw: the request's status when there is a request, else the checkout's.
pub fn state(checkout: &Checkout) -> String {
    checkout
        .request
        .as_ref()
        .and_then(|r| r.status.clone())
        .or_else(|| checkout.status.clone())
        .unwrap_or_else(|| "UNKNOWN".to_owned())
}

pub fn funds(checkout: &Checkout, decimals: u8) -> Funds {
    let request = checkout.request.clone().unwrap_or_default();
    let paid = received_units(request.paid_amount, decimals);
    let due = due_units(request.pay_amount, decimals);
    let payment_ok = request
        .payment
        .as_ref()
        .and_then(|p| p.status.as_deref())
        .is_none_or(|s| s != "FAILED");
    let status = state(checkout);
    let (seen, confirmed, signal) = match status.as_str() {
        "NEW" | "WAITING_PAYMENT" => (paid, 0, None),
        "PENDING_PAYMENT" => (paid, 0, Some(ProviderSignal::InFlight)),
        "SUCCESS" if payment_ok => {
            let total = if paid == 0 { due } else { paid };
            (total, total, None)
        }
        "CONFLICT" => {
            let signal = if request.is_overpaid() {
                ProviderSignal::HeldOverpaid
            } else if paid < due {
                ProviderSignal::HeldUnderpaid
            } else {
                ProviderSignal::Held
            };
            (paid, paid, Some(signal))
        }
        // Over with money on it: whatever arrived is recorded, the state machine judges it.
        "EXPIRED" | "CANCELLED" if paid > 0 => (paid, paid, None),
        "EXPIRED" | "CANCELLED" => (0, 0, None),
        other => {
            tracing::warn!(
                status = other,
                "unknown Inqud status; kept raw and treated as unconfirmed"
            );
            (paid, 0, None)
        }
    };
    judged_by_provider(seen, confirmed, signal)
}

pub fn snapshot(checkout: &Checkout, reference: &str, decimals: u8) -> InvoiceSnapshot {
    let request = checkout.request.clone().unwrap_or_default();
    InvoiceSnapshot {
        provider_ref: reference.to_owned(),
        address: request.address.clone().unwrap_or_default(),
        funds: funds(checkout, decimals),
        provider_state: state(checkout),
        amount: request.pay_amount.and_then(|a| ceil_to_scale(a, decimals)),
        rate_expires_at_ms: None,
        closed: matches!(state(checkout).as_str(), "EXPIRED" | "CANCELLED"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Checkout {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn statuses_map_and_amounts_stay_exact() {
        let c = parse(
            r#"{"id":"CCO-1","status":"WAITING_PAYMENT","request":{"status":"SUCCESS",
                "payAmount":99.46291,"paidAmount":99.46291,"payment":{"status":"SUCCESS"}}}"#,
        );
        let f = funds(&c, 6);
        assert_eq!((f.seen_units, f.confirmed_units), (99_462_910, 99_462_910));
        let c = parse(r#"{"request":{"status":"CONFLICT","payAmount":10,"paidAmount":4}}"#);
        assert_eq!(funds(&c, 6).signal, Some(ProviderSignal::HeldUnderpaid));
        let c = parse(
            r#"{"request":{"status":"CONFLICT","payAmount":10,"paidAmount":12,"overpaid":2}}"#,
        );
        assert_eq!(funds(&c, 6).signal, Some(ProviderSignal::HeldOverpaid));
        let c = parse(
            r#"{"request":{"status":"CONFLICT","payAmount":10,"paidAmount":12,"overpaid":true}}"#,
        );
        assert_eq!(funds(&c, 6).signal, Some(ProviderSignal::HeldOverpaid));
        let c = parse(
            r#"{"request":{"status":"CONFLICT","payAmount":10,"paidAmount":10,"overpaid":0.0}}"#,
        );
        assert_eq!(funds(&c, 6).signal, Some(ProviderSignal::Held));
        let c = parse(r#"{"request":{"status":"PENDING_PAYMENT","payAmount":10}}"#);
        assert_eq!(funds(&c, 6).signal, Some(ProviderSignal::InFlight));
        let c = parse(r#"{"status":"HALF_MOON","request":null}"#);
        let s = snapshot(&c, "CCO-1", 6);
        assert_eq!(
            (s.provider_state.as_str(), s.funds.seen_units),
            ("HALF_MOON", 0)
        );
        let c = parse(
            r#"{"request":{"status":"SUCCESS","paidAmount":1,"payment":{"status":"FAILED"}}}"#,
        );
        assert_eq!(funds(&c, 6).confirmed_units, 0);
    }
}
