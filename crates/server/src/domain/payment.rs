//! A payment: the payer's pick of one coin on one network for a checkout, with the address,
//! the exact amount due and what has arrived so far.

use protocol::{Amount, Money, PaymentView};
use serde::{Deserialize, Serialize};

use super::currency::Coin;
use super::qr::qr_matrix;
use super::state_machine::{Funds, Resolution};
use super::{rfc3339, wallet_uri::wallet_uri};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Payment {
    /// `PAY-<uuid>`.
    pub id: String,
    pub checkout_id: String,
    /// Which provider holds the invoice (`sandbox`, later `calypso`, ...).
    pub provider: String,
    /// The provider's own id for it.
    pub provider_ref: String,
    pub currency: String,
    pub network: String,
    pub address: String,
    /// Due, at the coin's scale.
    pub amount: Amount,
    /// What the payer entered (NO_PRICE / SUGGESTED_FIXED_PRICE), to recognise a repeated pick.
    pub requested: Option<Money>,
    /// The fiat price this amount was converted from, if any.
    pub fiat: Option<Money>,
    /// Fiat per coin used for the conversion.
    pub rate: Option<Amount>,
    pub rate_expires_at_ms: i64,
    pub created_at_ms: i64,
    pub confirmations_required: u32,
    pub funds: Funds,
    /// The provider's own state name, kept verbatim beside ours.
    pub provider_state: String,
    /// The provider expired or archived the invoice: its address is never offered again.
    #[serde(default)]
    pub closed_by_provider: bool,
    /// Opened with a test provider (the sandbox): on the coin's test network.
    #[serde(default)]
    pub test: bool,
    /// The amount was re-valued because funds were first seen after the quote ended.
    #[serde(default)]
    pub requoted: bool,
    /// The merchant's settlement of a conflict the provider holds, while the provider has a
    /// step left: stored with the payment, so a restart resumes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settlement: Option<Settlement>,
}

/// Where the merchant's settlement of a provider-held conflict (Calypso's interventions) stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Settlement {
    pub action: Resolution,
    pub step: SettlementStep,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SettlementStep {
    /// Recorded before the provider is asked: whether it acted is read back from the provider.
    Requested,
    /// The provider moved the funds; its last step waits until it completes the invoice.
    AwaitingProvider,
}

impl Payment {
    pub fn due_units(&self) -> u128 {
        self.amount.units()
    }

    /// What of this payment's progress the payer is shown (the amount paid and the
    /// confirmations, capped at the required number): a new version only when this changes.
    pub fn shown_progress(&self) -> (u128, u32) {
        let confirmations = self.funds.confirmations.min(self.confirmations_required);
        (self.funds.seen_units, confirmations)
    }

    pub fn paid(&self) -> Amount {
        Amount::from_units(self.funds.seen_units, self.amount.scale()).unwrap_or(Amount::ZERO)
    }

    /// Whether a pick of `coin` with `requested` is this same payment again.
    pub fn answers(&self, currency: &str, network: &str, requested: Option<&Money>) -> bool {
        self.currency.eq_ignore_ascii_case(currency)
            && self.network.eq_ignore_ascii_case(network)
            && self.requested.as_ref() == requested
    }

    /// The quote is still good, or it no longer matters because funds arrived; and the
    /// provider still watches the address.
    pub fn quote_is_live(&self, now_ms: i64) -> bool {
        !self.closed_by_provider && (now_ms < self.rate_expires_at_ms || self.funds.seen_units > 0)
    }

    /// What the payer (and the merchant) see. `with_qr` adds the wallet URIs as QR matrices.
    pub fn view(&self, coin: &Coin, with_qr: bool) -> PaymentView {
        let test_coin;
        let coin = if self.test {
            test_coin = coin.on_test_network();
            &test_coin
        } else {
            coin
        };
        let paid = self.paid();
        let remaining = self.amount.saturating_sub(paid);
        let remaining = remaining
            .with_scale(self.amount.scale())
            .unwrap_or(remaining);
        let partly_paid = !paid.is_zero() && !remaining.is_zero();
        let uri = wallet_uri(coin, &self.address, self.amount);
        let remaining_uri = partly_paid.then(|| wallet_uri(coin, &self.address, remaining));
        PaymentView {
            id: self.id.clone(),
            currency: self.currency.clone(),
            network: self.network.clone(),
            address: self.address.clone(),
            amount: self.amount,
            amount_units: self.amount.units().to_string(),
            amount_paid: paid,
            amount_remaining: remaining,
            wallet_qr: with_qr.then(|| qr_matrix(&uri)).flatten(),
            wallet_uri: uri,
            remaining_wallet_qr: remaining_uri
                .as_deref()
                .filter(|_| with_qr)
                .and_then(qr_matrix),
            remaining_wallet_uri: remaining_uri,
            fiat: self.fiat.clone(),
            rate: self.rate,
            rate_expires_at: rfc3339(self.rate_expires_at_ms),
            confirmations: self.funds.confirmations.min(self.confirmations_required),
            confirmations_required: self.confirmations_required,
            test: self.test,
        }
    }
}
