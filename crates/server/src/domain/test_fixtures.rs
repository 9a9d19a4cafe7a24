//! Checkouts and payments for the unit tests of the domain and of the stores.

use protocol::{Amount, CheckoutType, Money};

use super::checkout::CheckoutRecord;
use super::payment::Payment;
use super::spec::CheckoutSpec;
use super::state_machine::Funds;

/// A fixed "now", so times in assertions are exact.
pub const NOW: i64 = 1_800_000_000_000;

pub fn amount(text: &str) -> Amount {
    Amount::parse(text).unwrap()
}

pub fn usd(text: &str) -> Money {
    Money {
        amount: amount(text),
        currency: "USD".into(),
    }
}

/// A FIXED_PRICE checkout of 25.00 USD created at `created_at_ms`, expiring an hour later.
pub fn checkout(id: &str, created_at_ms: i64) -> CheckoutRecord {
    let spec = CheckoutSpec {
        checkout_type: CheckoutType::FixedPrice,
        name: "Blue mug".into(),
        description: None,
        return_url: None,
        support_url: None,
        logo_url: None,
        price: Some(usd("25.00")),
        amount_currency: None,
        min_amount: None,
        max_amount: None,
        suggested_amounts: Vec::new(),
        currencies: Vec::new(),
    };
    CheckoutRecord::new(id.into(), spec, created_at_ms + 3_600_000, created_at_ms)
}

/// A payment of 0.00025000 BTC (25 000 satoshis) towards `checkout_id`, nothing received yet.
pub fn payment(id: &str, checkout_id: &str) -> Payment {
    Payment {
        id: id.into(),
        checkout_id: checkout_id.into(),
        provider: "sandbox".into(),
        provider_ref: format!("sbx_inv_{id}"),
        currency: "BTC".into(),
        network: "BITCOIN".into(),
        address: "bc1qexample".into(),
        payment_url: None,
        amount: amount("0.00025000"),
        requested: None,
        fiat: Some(usd("25.00")),
        rate: Some(amount("100000")),
        rate_expires_at_ms: NOW + 60_000,
        created_at_ms: NOW,
        confirmations_required: 1,
        funds: Funds::default(),
        provider_state: "WAITING".into(),
        closed_by_provider: false,
        test: false,
        requoted: false,
        settlement: None,
    }
}

/// What a provider reports: `seen` units received, `confirmed` of them confirmed.
pub fn funds(seen: u128, confirmed: u128) -> Funds {
    Funds {
        seen_units: seen,
        confirmed_units: confirmed,
        confirmations: u32::from(confirmed > 0),
        first_seen_at_ms: Some(NOW + 1_000),
        signal: None,
        as_of_block: None,
    }
}
