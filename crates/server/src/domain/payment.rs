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
    /// Empty when the payment is made on the provider's page (`payment_url`).
    pub address: String,
    /// The provider's own payment page (Coins.ph), always `https`; `None` for an address.
    #[serde(default)]
    pub payment_url: Option<String>,
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
        // A page is opened by its link: no wallet URI of an address, no QR code.
        let page = self.payment_url.as_deref();
        let uri = page.map_or_else(
            || wallet_uri(coin, &self.address, self.amount),
            str::to_owned,
        );
        let remaining_uri =
            (partly_paid && page.is_none()).then(|| wallet_uri(coin, &self.address, remaining));
        let with_qr = with_qr && page.is_none();
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
            payment_url: self.payment_url.clone(),
        }
    }
}

/// `url` if it is an `https` URL with a host: the only kind of payment page a payer is sent to.
pub fn payment_page_url(url: &str) -> Option<String> {
    let rest = url.strip_prefix("https://")?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let printable = url.chars().all(|c| c.is_ascii_graphic());
    (!host.is_empty() && !host.contains('@') && printable).then(|| url.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_pages_with_a_host_are_accepted() {
        let ok = "https://coins.ph/payment/request/pr1";
        assert_eq!(payment_page_url(ok).as_deref(), Some(ok));
        for bad in [
            "http://coins.ph/payment/request/pr1",
            "javascript:alert(1)",
            "https://",
            "https:///path",
            "https://user@evil.example/",
            "https://coins.ph/a b",
            "HTTPS://coins.ph/",
            "",
        ] {
            assert_eq!(payment_page_url(bad), None, "{bad}");
        }
    }
}
