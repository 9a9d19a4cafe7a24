//! The merchant's settlement of a CONFLICT, as recorded on the payment while the provider has
//! steps to take (Calypso: return-to-paid, then close-intervention once the invoice is
//! COMPLETED). The record is what makes a restart resume: it is written before the provider is
//! asked and after each step it took. None of it is shown to the payer, so none of it is a new
//! version by itself; the checkout's status moves only when the merchant's resolution applies.

use protocol::CheckoutStatus;

use super::checkout::CheckoutRecord;
use super::payment::{Settlement, SettlementStep};
use super::state_machine::{Event, Policy, Refusal, Resolution};

impl CheckoutRecord {
    /// The merchant asked to settle this CONFLICT with `action`: recorded on the payment on
    /// screen before its provider is asked. Returns that payment's id (`None` when there is
    /// none, so no provider to tell).
    pub fn request_settlement(&mut self, action: Resolution) -> Result<Option<String>, Refusal> {
        if self.status() != CheckoutStatus::Conflict {
            return Err(Refusal::NotConflict(self.status()));
        }
        let Some(id) = self.state.active_payment.clone() else {
            return Ok(None);
        };
        if let Some(payment) = self.payments.iter_mut().find(|p| p.id == id) {
            payment.settlement = Some(Settlement {
                action,
                step: SettlementStep::Requested,
            });
        }
        Ok(Some(id))
    }

    /// The provider refused or could not be asked: a request it did not act on is withdrawn
    /// (the merchant is told, and may ask again). A later step is never withdrawn.
    pub fn withdraw_settlement(&mut self, payment_id: &str) {
        if let Some(payment) = self.payments.iter_mut().find(|p| p.id == payment_id) {
            if payment
                .settlement
                .is_some_and(|s| s.step == SettlementStep::Requested)
            {
                payment.settlement = None;
            }
        }
    }

    /// The provider did what `action` asks of it so far; `pending`: it has one more step, taken
    /// once it completes the invoice. The checkout takes the merchant's resolution if it still
    /// waits for one (a re-read may have settled it by the amounts meanwhile). Returns whether
    /// the payer sees a change.
    pub fn settle(
        &mut self,
        payment_id: &str,
        action: Resolution,
        pending: bool,
        policy: &Policy,
        now_ms: i64,
    ) -> Result<bool, Refusal> {
        if let Some(payment) = self.payments.iter_mut().find(|p| p.id == payment_id) {
            payment.settlement = pending.then_some(Settlement {
                action,
                step: SettlementStep::AwaitingProvider,
            });
        }
        if self.status() != CheckoutStatus::Conflict {
            return Ok(false);
        }
        self.apply(&Event::Resolve(action), policy, now_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::state_machine::ProviderSignal;
    use crate::domain::test_fixtures::{checkout, funds, payment, NOW};

    fn overpaid() -> CheckoutRecord {
        let policy = Policy::default();
        let mut record = checkout("CCO-1", NOW);
        record
            .add_payment(payment("PAY-1", "CCO-1"), &policy, NOW)
            .unwrap();
        let mut held = funds(30_000, 30_000);
        held.signal = Some(ProviderSignal::HeldOverpaid);
        record
            .record_funds("PAY-1", &held, "PENDING_INTERVENTION", &policy, NOW)
            .unwrap();
        assert_eq!(record.status(), CheckoutStatus::Conflict);
        record
    }

    fn step(record: &CheckoutRecord) -> Option<SettlementStep> {
        record.payments[0].settlement.map(|s| s.step)
    }

    #[test]
    fn a_request_is_recorded_without_a_new_version_and_only_on_a_conflict() {
        let mut record = overpaid();
        let version = record.version;
        let asked = record.request_settlement(Resolution::MarkPaid).unwrap();
        assert_eq!(asked.as_deref(), Some("PAY-1"));
        assert_eq!(step(&record), Some(SettlementStep::Requested));
        assert_eq!(record.version, version, "the payer sees nothing of it");
        record.withdraw_settlement("PAY-1");
        assert_eq!(step(&record), None);

        let mut waiting = checkout("CCO-2", NOW);
        assert_eq!(
            waiting.request_settlement(Resolution::Close),
            Err(Refusal::NotConflict(CheckoutStatus::New))
        );
    }

    #[test]
    fn funds_moved_resolve_the_checkout_and_keep_the_last_step_until_the_provider_settles() {
        let policy = Policy::default();
        let mut record = overpaid();
        record.request_settlement(Resolution::MarkPaid).unwrap();
        assert!(record
            .settle("PAY-1", Resolution::MarkPaid, true, &policy, NOW + 1)
            .unwrap());
        assert_eq!(record.status(), CheckoutStatus::Success);
        assert_eq!(step(&record), Some(SettlementStep::AwaitingProvider));
        // A step the provider already took is never withdrawn.
        record.withdraw_settlement("PAY-1");
        assert_eq!(step(&record), Some(SettlementStep::AwaitingProvider));
        // The provider's last step: the record clears, the payer sees nothing new.
        let version = record.version;
        assert!(!record
            .settle("PAY-1", Resolution::MarkPaid, false, &policy, NOW + 2)
            .unwrap());
        assert_eq!((step(&record), record.version), (None, version));
    }

    #[test]
    fn a_checkout_settled_meanwhile_is_left_as_it_is() {
        let policy = Policy::default();
        let mut record = overpaid();
        record.request_settlement(Resolution::Close).unwrap();
        record.state.status = CheckoutStatus::Success;
        assert!(!record
            .settle("PAY-1", Resolution::Close, false, &policy, NOW + 1)
            .unwrap());
        assert_eq!(record.status(), CheckoutStatus::Success);
    }
}
