//! The checkout: what the merchant asked for (its spec), where it stands (its state), and the
//! payments the payer made for it; plus the views built from it.

use protocol::merchant::{MerchantCheckoutView, MerchantPaymentView};
use protocol::{CheckoutStatus, CheckoutView, Exception, PaymentView, StatusView};

use super::currency::{Catalogue, Coin};
use super::error::DomainError;
use super::payment::Payment;
use super::pricing::{self, Rate};
use super::rfc3339;
use super::spec::CheckoutSpec;
use super::state_machine::{self, CheckoutState, Event, Funds, Policy, Refusal};

/// A status change (or any visible change) to be stored beside the checkout in the same
/// transaction: the feed later read by the merchant webhook outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckoutChange {
    pub version: u64,
    pub from: CheckoutStatus,
    pub to: CheckoutStatus,
    pub exception: Option<Exception>,
    pub payment_id: Option<String>,
    pub at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckoutRecord {
    pub id: String,
    pub client_order_id: Option<String>,
    pub external_id: Option<String>,
    pub widget_key: Option<String>,
    pub spec: CheckoutSpec,
    pub state: CheckoutState,
    pub version: u64,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    /// Oldest first.
    pub payments: Vec<Payment>,
    /// Changes made since the record was loaded; the store writes and clears them.
    pub changes: Vec<CheckoutChange>,
}

impl CheckoutRecord {
    pub fn new(id: String, spec: CheckoutSpec, expires_at_ms: i64, now_ms: i64) -> CheckoutRecord {
        CheckoutRecord {
            id,
            client_order_id: None,
            external_id: None,
            widget_key: None,
            spec,
            state: CheckoutState::new(expires_at_ms),
            version: 1,
            created_at_ms: now_ms,
            updated_at_ms: now_ms,
            payments: Vec::new(),
            changes: Vec::new(),
        }
    }

    pub fn status(&self) -> CheckoutStatus {
        self.state.status
    }

    pub fn payment(&self, id: &str) -> Option<&Payment> {
        self.payments.iter().find(|p| p.id == id)
    }

    pub fn active_payment(&self) -> Option<&Payment> {
        self.state
            .active_payment
            .as_deref()
            .and_then(|id| self.payment(id))
    }

    /// Whether reading the checkout now should first expire it.
    pub fn expiry_due(&self, now_ms: i64) -> bool {
        matches!(
            self.state.status,
            CheckoutStatus::New | CheckoutStatus::WaitingPayment
        ) && !self.state.funds_seen
            && now_ms >= self.state.expires_at_ms
    }

    /// Runs `event` through the state machine; returns whether anything changed.
    pub fn apply(&mut self, event: &Event, policy: &Policy, now_ms: i64) -> Result<bool, Refusal> {
        let next = state_machine::apply(&self.state, event, policy)?;
        let changed = next != self.state;
        let from = self.state.status;
        self.state = next;
        if changed {
            self.bump(from, now_ms);
        }
        Ok(changed)
    }

    /// Adds a freshly created payment and makes it the active one.
    pub fn add_payment(
        &mut self,
        payment: Payment,
        policy: &Policy,
        now_ms: i64,
    ) -> Result<(), Refusal> {
        let from = self.state.status;
        self.state = state_machine::apply(
            &self.state,
            &Event::Picked {
                payment_id: payment.id.clone(),
                now_ms,
            },
            policy,
        )?;
        self.payments.push(payment);
        self.bump(from, now_ms);
        Ok(())
    }

    /// Records what the provider reports for one payment and lets the state machine decide.
    /// Returns whether anything the payer sees changed (a new version).
    pub fn record_funds(
        &mut self,
        payment_id: &str,
        report: &Funds,
        provider_state: &str,
        policy: &Policy,
        now_ms: i64,
    ) -> Result<bool, Refusal> {
        let Some(payment) = self.payments.iter_mut().find(|p| p.id == payment_id) else {
            return Ok(false);
        };
        let merged = payment.funds.merge(report);
        // Only what the payer is shown makes a new version: the provider's state (PAID becoming
        // COMPLETED) or funds the payer cannot see (confirmations past the required number) are
        // recorded for the merchant without one.
        let shown_before = payment.shown_progress();
        payment.funds = merged.clone();
        let payment_changed = payment.shown_progress() != shown_before;
        payment.provider_state = provider_state.to_owned();
        let event = Event::Funds {
            payment_id: payment_id.to_owned(),
            due_units: payment.due_units(),
            funds: merged,
        };
        let from = self.state.status;
        let next = state_machine::apply(&self.state, &event, policy)?;
        let changed = payment_changed || next != self.state;
        self.state = next;
        if changed {
            self.bump(from, now_ms);
        }
        Ok(changed)
    }

    /// Re-values `payment_id` at `rate` when funds first seen at `first_seen_at_ms` came too
    /// late for its quote (see [`pricing::needs_requote`]); its new lock starts now. Returns
    /// whether it was re-valued.
    pub fn requote_payment(
        &mut self,
        payment_id: &str,
        rate: &Rate,
        coin: &Coin,
        first_seen_at_ms: i64,
        grace_ms: i64,
        now_ms: i64,
    ) -> Result<bool, DomainError> {
        let Some(payment) = self.payments.iter_mut().find(|p| p.id == payment_id) else {
            return Ok(false);
        };
        if !pricing::needs_requote(payment, first_seen_at_ms, grace_ms) {
            return Ok(false);
        }
        payment.amount = pricing::requoted_amount(payment, coin, rate)?;
        payment.rate = Some(rate.fiat_per_coin);
        payment.rate_expires_at_ms = now_ms.saturating_add(rate.valid_for_ms);
        payment.requoted = true;
        Ok(true)
    }

    /// The provider closed `payment_id`'s invoice (see [`Event::ProviderClosed`]). Only a
    /// change the payer sees (the payment leaving the screen) is a new version.
    pub fn close_payment(
        &mut self,
        payment_id: &str,
        policy: &Policy,
        now_ms: i64,
    ) -> Result<bool, Refusal> {
        let Some(payment) = self.payments.iter_mut().find(|p| p.id == payment_id) else {
            return Ok(false);
        };
        payment.closed_by_provider = true;
        let event = Event::ProviderClosed {
            payment_id: payment_id.to_owned(),
        };
        let from = self.state.status;
        let next = state_machine::apply(&self.state, &event, policy)?;
        let changed = next != self.state;
        self.state = next;
        if changed {
            self.bump(from, now_ms);
        }
        Ok(changed)
    }

    fn bump(&mut self, from: CheckoutStatus, now_ms: i64) {
        self.version += 1;
        self.updated_at_ms = now_ms;
        self.changes.push(CheckoutChange {
            version: self.version,
            from,
            to: self.state.status,
            exception: self.state.exception,
            payment_id: self.state.active_payment.clone(),
            at_ms: now_ms,
        });
    }

    /// `with_qr`: the payer's views carry the QR matrices; the merchant's do not need them.
    fn payment_view(
        &self,
        payment: &Payment,
        catalogue: &Catalogue,
        with_qr: bool,
    ) -> Option<PaymentView> {
        catalogue
            .coin(&payment.currency, &payment.network)
            .map(|coin| payment.view(coin, with_qr))
    }

    /// What anybody with the id may see, with the payment's QR matrices for the widget.
    /// `test_provider`: new payments are opened with a test provider (the sandbox), so the
    /// checkout says it is a test from the start; a test payment says so in any case.
    pub fn public_view(&self, catalogue: &Catalogue, test_provider: bool) -> CheckoutView {
        let mut view = self.checkout_view(catalogue, true);
        view.test = self.is_test(test_provider);
        view
    }

    /// A test checkout: new payments open with a test provider (`test_provider`), or one of
    /// its payments already is a test payment.
    pub fn is_test(&self, test_provider: bool) -> bool {
        test_provider || self.payments.iter().any(|p| p.test)
    }

    /// The checkout as described to payers (`with_qr`) or, without the QR matrices, within the
    /// merchant's view.
    fn checkout_view(&self, catalogue: &Catalogue, with_qr: bool) -> CheckoutView {
        let spec = &self.spec;
        CheckoutView {
            id: self.id.clone(),
            checkout_type: spec.checkout_type,
            status: self.state.status,
            exception: self.state.exception,
            name: spec.name.clone(),
            description: spec.description.clone(),
            logo_url: spec.logo_url.clone(),
            return_url: spec.return_url.clone(),
            support_url: spec.support_url.clone(),
            expires_at: rfc3339(self.state.expires_at_ms),
            price: spec.price.clone(),
            amount_currency: spec.amount_currency.clone(),
            suggested_amounts: spec.suggested_amounts.clone(),
            min_amount: spec.min_amount,
            max_amount: spec.max_amount,
            currencies: spec
                .currencies
                .iter()
                .filter_map(|k| catalogue.coin(&k.code, &k.network))
                .map(|c| c.option())
                .collect(),
            payment: self
                .active_payment()
                .and_then(|p| self.payment_view(p, catalogue, with_qr)),
            version: self.version,
            test: self.payments.iter().any(|p| p.test),
            // Only the options paid on a provider's page (Coins.ph) need the payer's contact.
            payer_contact_required: spec
                .currencies
                .iter()
                .filter_map(|k| catalogue.coin(&k.code, &k.network))
                .any(|c| c.paid_on_page()),
            // The demo's controls are the server's decision (see `services::checkouts`).
            test_controls: false,
        }
    }

    pub fn status_view(&self) -> StatusView {
        let payment = self.active_payment();
        StatusView {
            id: self.id.clone(),
            status: self.state.status,
            exception: self.state.exception,
            version: self.version,
            payment_id: payment.map(|p| p.id.clone()),
            amount_paid: payment.map(|p| p.paid()),
            confirmations: payment.map(|p| p.funds.confirmations.min(p.confirmations_required)),
        }
    }

    /// The merchant's view: the public one plus the merchant's own keys and every payment.
    pub fn merchant_view(&self, catalogue: &Catalogue) -> MerchantCheckoutView {
        let active = self.state.active_payment.as_deref();
        MerchantCheckoutView {
            checkout: self.checkout_view(catalogue, false),
            client_order_id: self.client_order_id.clone(),
            external_id: self.external_id.clone(),
            widget_key: self.widget_key.clone(),
            created_at: rfc3339(self.created_at_ms),
            updated_at: rfc3339(self.updated_at_ms),
            payments: self
                .payments
                .iter()
                .filter_map(|p| {
                    Some(MerchantPaymentView {
                        payment: self.payment_view(p, catalogue, false)?,
                        active: Some(p.id.as_str()) == active,
                        provider: p.provider.clone(),
                        provider_state: p.provider_state.clone(),
                        created_at: rfc3339(p.created_at_ms),
                    })
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::test_fixtures::{checkout, funds, payment, NOW};

    #[test]
    fn only_what_the_payer_is_shown_of_a_payment_makes_a_new_version() {
        let policy = Policy::default();
        let mut record = checkout("CCO-1", NOW);
        record
            .add_payment(payment("PAY-1", "CCO-1"), &policy, NOW)
            .unwrap();
        let mut report = funds(25_000, 25_000);
        assert!(record
            .record_funds("PAY-1", &report, "PAID", &policy, NOW + 1)
            .unwrap());
        let version = record.version;
        // The provider's state, and confirmations past the required one: recorded, not shown.
        report.confirmations = 5;
        assert!(!record
            .record_funds("PAY-1", &report, "COMPLETED", &policy, NOW + 2)
            .unwrap());
        let paid = &record.payments[0];
        assert_eq!(
            (record.version, paid.provider_state.as_str()),
            (version, "COMPLETED")
        );
        assert_eq!(paid.funds.confirmations, 5);
    }
}
