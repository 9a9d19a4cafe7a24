//! Integer money arithmetic for pricing: converting a fiat price into a coin amount at a rate, and
//! the tolerance checks that decide whether a payment is under-, over- or fully paid.
//!
//! Everything is `u128` units with explicit scales and checked operations. The amount due is
//! always rounded UP at the coin's scale: a payer who sends exactly what we ask must never be
//! short by a fraction of a unit.

use protocol::Amount;

/// Basis points: 1/100 of a percent. 9950 bp = 99.5 %.
pub type BasisPoints = u32;

const fn pow10(exp: u32) -> Option<u128> {
    10u128.checked_pow(exp)
}

/// `price / rate` at `coin_scale`, rounded up. `rate` is fiat per one coin.
/// `None` when the rate is zero or the numbers do not fit.
pub fn fiat_to_coin(price: Amount, rate: Amount, coin_scale: u8) -> Option<Amount> {
    if rate.is_zero() {
        return None;
    }
    // price = p / 10^ps, rate = r / 10^rs, wanted = x / 10^cs
    // x = ceil(p * 10^(cs + rs) / (r * 10^ps))
    let numerator = price
        .units()
        .checked_mul(pow10(u32::from(coin_scale) + u32::from(rate.scale()))?)?;
    let denominator = rate.units().checked_mul(pow10(u32::from(price.scale()))?)?;
    let units = numerator.div_ceil(denominator);
    Amount::from_units(units, coin_scale)
}

/// Whether `paid` reaches `share` (in basis points) of `due`. Both in the same units.
pub fn reaches_share(paid: u128, due: u128, share: BasisPoints) -> bool {
    let share = u128::from(share);
    match (paid.checked_mul(10_000), due.checked_mul(share)) {
        (Some(p), Some(d)) => p >= d,
        // Only amounts beyond any real supply get here; compare at a coarser grain instead.
        _ => paid / 10_000 >= (due / 10_000).saturating_mul(share) / 10_000,
    }
}

/// Whether `paid` exceeds `due` by more than `tolerance` basis points of `due`.
pub fn exceeds_tolerance(paid: u128, due: u128, tolerance: BasisPoints) -> bool {
    let limit = 10_000 + u128::from(tolerance);
    match (paid.checked_mul(10_000), due.checked_mul(limit)) {
        (Some(p), Some(d)) => p > d,
        _ => paid / 10_000 > (due / 10_000).saturating_mul(limit) / 10_000,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn a(s: &str) -> Amount {
        Amount::parse(s).unwrap()
    }

    #[test]
    fn amount_due_is_rounded_up_at_the_coin_scale() {
        // The worked example from Inqud's documentation: 100 USD at 1.0054 USD per USDT.
        assert_eq!(
            fiat_to_coin(a("100"), a("1.0054"), 6).unwrap().to_string(),
            "99.462901"
        );
        assert_eq!(
            fiat_to_coin(a("25.00"), a("60000"), 8).unwrap().to_string(),
            "0.00041667"
        );
        assert_eq!(
            fiat_to_coin(a("30.00"), a("3000"), 18).unwrap().to_string(),
            "0.010000000000000000"
        );
        assert_eq!(fiat_to_coin(a("1"), a("0"), 8), None);
    }

    #[test]
    fn shares_and_tolerances_are_exact() {
        assert!(reaches_share(995, 1000, 9950));
        assert!(!reaches_share(994, 1000, 9950));
        assert!(!exceeds_tolerance(1005, 1000, 50));
        assert!(exceeds_tolerance(1006, 1000, 50));
        assert!(exceeds_tolerance(1001, 1000, 0));
        assert!(!exceeds_tolerance(1000, 1000, 0));
    }

    proptest! {
        #[test]
        fn paying_the_quoted_amount_always_covers_the_price(
            cents in 1u64..100_000_000, rate_units in 1u64..10_000_000_000, rate_scale in 0u8..=6,
            coin_scale in prop::sample::select(vec![6u8, 8, 18])
        ) {
            let price = Amount::from_units(u128::from(cents), 2).unwrap();
            let rate = Amount::from_units(u128::from(rate_units), rate_scale).unwrap();
            let coin = fiat_to_coin(price, rate, coin_scale).unwrap();
            // coin * rate >= price, and one unit less would be below the price.
            let value = |c: u128| c * rate.units() * 10u128.pow(2);
            let price_scaled = price.units() * 10u128.pow(u32::from(coin_scale) + u32::from(rate_scale));
            prop_assert!(value(coin.units()) >= price_scaled);
            if coin.units() > 0 {
                prop_assert!(value(coin.units() - 1) < price_scaled);
            }
        }
    }
}
