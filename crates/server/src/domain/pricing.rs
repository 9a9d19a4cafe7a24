//! How much a new payment asks for: the checkout's price (or the payer's amount) in the picked
//! coin, and until when that amount is promised.
//!
//! A fiat price is converted either by us at a rate the provider quoted (the amount is fixed
//! here and locked for the quote's lifetime) or by the provider itself when it opens the invoice
//! (the amount comes back on the invoice). A price in the coin itself needs no conversion and
//! holds for the checkout's lifetime.

use protocol::{Amount, Money};

use super::currency::{Coin, Denomination};
use super::error::{DomainError, DomainResult};
use super::money::fiat_to_coin;
use super::payment::Payment;
use super::spec::CheckoutSpec;

/// A provider's rate for one coin: fiat per coin, and for how long it is honoured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rate {
    pub fiat_per_coin: Amount,
    pub valid_for_ms: i64,
}

/// The terms a payment is opened with, before the provider is asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terms {
    /// Due, at the coin's scale; `None` when the provider converts the fiat price itself.
    pub amount: Option<Amount>,
    /// The fiat price the amount comes from, when the price is in fiat.
    pub fiat: Option<Money>,
    /// The rate we converted at, when we converted.
    pub rate: Option<Amount>,
    /// Until when the amount is promised.
    pub locked_until_ms: i64,
}

/// The price this payment pays: the fixed price, or the amount the payer chose.
pub fn price_to_pay<'a>(
    spec: &'a CheckoutSpec,
    requested: Option<&'a Money>,
) -> DomainResult<&'a Money> {
    spec.price
        .as_ref()
        .or(requested)
        .ok_or_else(|| DomainError::invalid("amount", "is required"))
}

/// The terms for paying `price` (in `denomination`) with `coin`. `rate` is the provider's quote
/// for a fiat price, `None` when the provider converts by itself.
pub fn terms(
    price: &Money,
    denomination: Denomination,
    coin: &Coin,
    rate: Option<Rate>,
    now_ms: i64,
    checkout_expires_at_ms: i64,
) -> DomainResult<Terms> {
    // Paid in the price's own currency (pesos from a Coins.ph wallet): nothing to convert.
    let same_currency = denomination.code().eq_ignore_ascii_case(coin.code);
    match (denomination, rate) {
        (Denomination::Fiat { .. }, Some(rate)) if !same_currency => {
            let amount = fiat_to_coin(price.amount, rate.fiat_per_coin, coin.quote_decimals)
                // Quoted coarser, stored at the coin's own scale like every amount.
                .and_then(|a| a.with_scale(coin.decimals))
                .ok_or_else(|| DomainError::invalid("amount", "is too large to convert"))?;
            Ok(Terms {
                amount: Some(amount),
                fiat: Some(price.clone()),
                rate: Some(rate.fiat_per_coin),
                locked_until_ms: now_ms.saturating_add(rate.valid_for_ms),
            })
        }
        (Denomination::Fiat { .. }, None) if !same_currency => Ok(Terms {
            amount: None,
            fiat: Some(price.clone()),
            rate: None,
            locked_until_ms: checkout_expires_at_ms,
        }),
        _ => {
            // Priced in this very coin (the offer is limited to it), or in the very fiat
            // currency paid: no conversion, no lock.
            let amount = price
                .amount
                .with_scale(coin.decimals)
                .ok_or_else(|| DomainError::invalid("amount", "is more precise than the coin"))?;
            Ok(Terms {
                amount: Some(amount),
                fiat: None,
                rate: None,
                locked_until_ms: checkout_expires_at_ms,
            })
        }
    }
}

/// A quote is a promise with an end. Funds first seen later than `grace_ms` after the lock
/// ended, on a payment whose amount we converted from a fiat price, are re-valued at a fresh rate:
/// the amount due becomes the fiat price at that rate, but never less than the amount first
/// asked (a payer who sent what was asked is not charged more because the coin rose; one whose
/// coin fell owes the difference, and the checkout is UNDERPAID with the remainder until it is
/// paid). Payments the provider converted itself (no rate of ours) follow the provider's word.
pub fn needs_requote(payment: &Payment, first_seen_at_ms: i64, grace_ms: i64) -> bool {
    payment.rate.is_some()
        && payment.fiat.is_some()
        && !payment.requoted
        && payment.funds.seen_units == 0
        && first_seen_at_ms > payment.rate_expires_at_ms.saturating_add(grace_ms)
}

/// The amount due after a re-valuation at `rate` (see [`needs_requote`]).
pub fn requoted_amount(payment: &Payment, coin: &Coin, rate: &Rate) -> DomainResult<Amount> {
    let fiat = payment.fiat.as_ref().ok_or_else(|| {
        DomainError::Inconsistent("re-valuing a payment with no fiat price".into())
    })?;
    let fresh = fiat_to_coin(fiat.amount, rate.fiat_per_coin, coin.quote_decimals)
        .and_then(|a| a.with_scale(coin.decimals))
        .ok_or_else(|| DomainError::invalid("amount", "is too large to convert"))?;
    Ok(fresh.max(payment.amount))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::currency::Catalogue;

    fn money(amount: &str, currency: &str) -> Money {
        Money {
            amount: Amount::parse(amount).unwrap(),
            currency: currency.to_owned(),
        }
    }

    #[test]
    fn a_quoted_fiat_price_is_converted_and_locked_for_the_quote() {
        let catalogue = Catalogue::new(&Default::default());
        let btc = catalogue.coin("BTC", "BITCOIN").unwrap();
        let usd = catalogue.denomination("USD").unwrap();
        let rate = Rate {
            fiat_per_coin: Amount::parse("60000.00").unwrap(),
            valid_for_ms: 900_000,
        };
        let t = terms(
            &money("25.00", "USD"),
            usd,
            btc,
            Some(rate),
            1_000,
            9_999_999,
        )
        .unwrap();
        // 25 / 60000 = 0.000416666…, rounded up at 8 places.
        assert_eq!(t.amount.unwrap().to_string(), "0.00041667");
        assert_eq!(t.locked_until_ms, 901_000);
        assert_eq!(t.fiat, Some(money("25.00", "USD")));
    }

    #[test]
    fn a_provider_conversion_leaves_the_amount_to_the_invoice() {
        let catalogue = Catalogue::new(&Default::default());
        let btc = catalogue.coin("BTC", "BITCOIN").unwrap();
        let usd = catalogue.denomination("USD").unwrap();
        let t = terms(&money("25.00", "USD"), usd, btc, None, 1_000, 5_000).unwrap();
        assert_eq!(t.amount, None);
        assert_eq!(t.locked_until_ms, 5_000);
    }

    #[test]
    fn a_coin_price_is_not_converted_and_must_fit_the_coin() {
        let catalogue = Catalogue::new(&Default::default());
        let usdt = catalogue.coin("USDT", "TRON").unwrap();
        let d = catalogue.denomination("USDT").unwrap();
        let t = terms(&money("10", "USDT"), d, usdt, None, 1_000, 5_000).unwrap();
        assert_eq!(t.amount.unwrap().to_string(), "10.000000");
        assert_eq!(t.rate, None);
        let err = terms(&money("0.0000001", "USDT"), d, usdt, None, 1_000, 5_000).unwrap_err();
        assert_eq!(err.field(), Some("amount"));
    }

    #[test]
    fn a_peso_price_paid_in_pesos_is_not_converted() {
        let catalogue = Catalogue::new(&Default::default());
        let wallet = catalogue.coin("PHP", "COINSPH").unwrap();
        let php = catalogue.denomination("PHP").unwrap();
        let t = terms(&money("20", "PHP"), php, wallet, None, 1_000, 5_000).unwrap();
        assert_eq!(t.amount.unwrap().to_string(), "20.00");
        assert_eq!((t.fiat, t.rate, t.locked_until_ms), (None, None, 5_000));
    }

    fn late_payment(amount: &str) -> Payment {
        let mut p = crate::domain::test_fixtures::payment("PAY-1", "CCO-1");
        p.amount = Amount::parse(amount).unwrap();
        p.fiat = Some(money("25.00", "USD"));
        p.rate = Some(Amount::parse("60000.00").unwrap());
        p.rate_expires_at_ms = 1_000;
        p
    }

    #[test]
    fn only_funds_first_seen_after_the_lock_and_its_grace_on_our_conversion_are_requoted() {
        let p = late_payment("0.00041667");
        assert!(!needs_requote(&p, 1_000, 500), "within the lock");
        assert!(!needs_requote(&p, 1_500, 500), "within the grace");
        assert!(needs_requote(&p, 1_501, 500));
        let mut provider_priced = p.clone();
        provider_priced.rate = None;
        assert!(
            !needs_requote(&provider_priced, 9_999, 500),
            "the provider's word"
        );
        let mut again = p.clone();
        again.requoted = true;
        assert!(!needs_requote(&again, 9_999, 500), "once");
        let mut seen = p;
        seen.funds.seen_units = 1;
        assert!(
            !needs_requote(&seen, 9_999, 500),
            "only on the first sighting"
        );
    }

    #[test]
    fn a_requote_asks_more_when_the_coin_fell_and_never_less_when_it_rose() {
        let catalogue = Catalogue::new(&Default::default());
        let btc = catalogue.coin("BTC", "BITCOIN").unwrap();
        let p = late_payment("0.00041667");
        let at = |rate: &str| Rate {
            fiat_per_coin: Amount::parse(rate).unwrap(),
            valid_for_ms: 1,
        };
        let fell = requoted_amount(&p, btc, &at("50000.00")).unwrap();
        assert_eq!(fell.to_string(), "0.00050000");
        let rose = requoted_amount(&p, btc, &at("75000.00")).unwrap();
        assert_eq!(rose.to_string(), "0.00041667");
    }
}
