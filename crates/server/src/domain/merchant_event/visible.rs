//! The facts a payer sees, at one version of a checkout, and which of them a version changed.

use protocol::{Amount, CheckoutStatus, Exception};

use super::{
    Confirmations, CONFIRMED, EXCEPTION_CHANGED, FUNDS_SEEN, PAYMENT_SWITCHED, STATUS_CHANGED,
};
use crate::domain::checkout::{CheckoutChange, CheckoutRecord};
use crate::domain::payment::Payment;

/// The checkout-wide facts on screen at one version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Shown {
    pub status: CheckoutStatus,
    pub exception: Option<Exception>,
    pub payment_id: Option<String>,
}

impl Shown {
    /// A checkout nobody picked a coin for yet (the state before its creation).
    pub fn unpicked() -> Shown {
        Shown {
            status: CheckoutStatus::New,
            exception: None,
            payment_id: None,
        }
    }

    pub fn of_record(record: &CheckoutRecord) -> Shown {
        Shown {
            status: record.state.status,
            exception: record.state.exception,
            payment_id: record.state.active_payment.clone(),
        }
    }

    pub fn of_change(change: &CheckoutChange) -> Shown {
        Shown {
            status: change.to,
            exception: change.exception,
            payment_id: change.payment_id.clone(),
        }
    }
}

/// The payment on screen before and after the mutation, as the payer sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Progress {
    pub paid_before: Amount,
    pub paid: Amount,
    pub confirmations_before: u32,
    pub confirmations: u32,
    pub required: u32,
}

impl Progress {
    /// The progress of the payment `change` shows, when `change` is the last of the mutation's
    /// versions (`fresh`) to show it: that is where its progress is announced, once.
    pub fn announced_at(
        before: Option<&CheckoutRecord>,
        after: &CheckoutRecord,
        change: &CheckoutChange,
        fresh: &[&CheckoutChange],
    ) -> Option<Progress> {
        let pid = change.payment_id.as_deref()?;
        let last_showing = fresh
            .iter()
            .rev()
            .find(|c| c.payment_id.as_deref() == Some(pid))?;
        if last_showing.version != change.version {
            return None;
        }
        let now = after.payment(pid)?;
        let earlier = before.and_then(|b| b.payment(pid));
        let unpaid = Amount::from_units(0, now.amount.scale()).unwrap_or(Amount::ZERO);
        Some(Progress {
            paid_before: earlier.map_or(unpaid, Payment::paid),
            paid: now.paid(),
            confirmations_before: earlier.map_or(0, shown_confirmations),
            confirmations: shown_confirmations(now),
            required: now.confirmations_required,
        })
    }

    pub fn confirmations(&self) -> Confirmations {
        Confirmations {
            previous: self.confirmations_before,
            count: self.confirmations,
            required: self.required,
            confirmed: self.confirmations >= self.required,
        }
    }
}

/// What the payer's view shows: never more than the required number.
fn shown_confirmations(payment: &Payment) -> u32 {
    payment
        .funds
        .confirmations
        .min(payment.confirmations_required)
}

/// The event types of the facts that differ between `previous` and `now`, in the order they are
/// announced (`super::EVENT_TYPES`).
pub(super) fn changed(
    previous: &Shown,
    now: &Shown,
    progress: Option<&Progress>,
) -> Vec<&'static str> {
    let switched = matches!(
        (&previous.payment_id, &now.payment_id),
        (Some(a), Some(b)) if a != b
    );
    let paid_more = progress.is_some_and(|p| p.paid.units() != p.paid_before.units());
    let confirmed = progress.is_some_and(|p| p.confirmations != p.confirmations_before);
    [
        (switched, PAYMENT_SWITCHED),
        (paid_more, FUNDS_SEEN),
        (confirmed, CONFIRMED),
        (previous.exception != now.exception, EXCEPTION_CHANGED),
        (previous.status != now.status, STATUS_CHANGED),
    ]
    .into_iter()
    .filter_map(|(changed, event_type)| changed.then_some(event_type))
    .collect()
}
