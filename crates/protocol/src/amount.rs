//! Exact, non-negative decimal amounts: integer units at a decimal scale.
//!
//! Money is never a float anywhere in this project. On the wire an amount is a decimal string
//! (`"99.462901"`); in memory it is `units / 10^scale` with `units` a `u128`. The crate is kept
//! dependency-free for the widget's sake, so this is a deliberately small type: parse, format,
//! compare, add, subtract, and change of scale without silent rounding. Conversions at a rate
//! live in the server, which is the only side that prices anything.

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

/// The most decimal places any supported asset uses (Ether's wei).
pub const MAX_SCALE: u8 = 18;
/// The most digits accepted before the decimal point. With [`MAX_SCALE`] this keeps every amount
/// representable at scale 18 inside a `u128` (38 digits), so comparisons never overflow.
pub const MAX_INTEGER_DIGITS: usize = 20;

/// A non-negative decimal amount. Equality and ordering are numeric (`1.5 == 1.50`); the scale
/// it was built with is kept for display (`10.00` stays `10.00`).
#[derive(Clone, Copy)]
pub struct Amount {
    units: u128,
    scale: u8,
}

/// Why a string is not an amount. Messages are written for the person who sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AmountError {
    Empty,
    Negative,
    NotADecimal,
    TooManyDecimals { max: u8 },
    TooLarge,
}

impl fmt::Display for AmountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("amount is empty"),
            Self::Negative => f.write_str("amount must not be negative"),
            Self::NotADecimal => {
                f.write_str("amount must be a decimal number written as a string, e.g. \"10.50\"")
            }
            Self::TooManyDecimals { max } => {
                write!(f, "amount has more than {max} decimal places")
            }
            Self::TooLarge => f.write_str("amount is too large"),
        }
    }
}

impl std::error::Error for AmountError {}

const fn pow10(exp: u8) -> u128 {
    10u128.pow(exp as u32)
}

impl Amount {
    pub const ZERO: Amount = Amount { units: 0, scale: 0 };

    /// `units / 10^scale`. Returns `None` when the scale or size is out of the supported range.
    pub fn from_units(units: u128, scale: u8) -> Option<Amount> {
        if scale > MAX_SCALE {
            return None;
        }
        let amount = Amount { units, scale };
        (amount.integer_digits() <= MAX_INTEGER_DIGITS).then_some(amount)
    }

    /// Parses a plain decimal: digits, optionally a point and more digits. No sign, exponent,
    /// grouping or whitespace: those are the front end's job (see the widget's locale parsing).
    pub fn parse(s: &str) -> Result<Amount, AmountError> {
        if s.is_empty() {
            return Err(AmountError::Empty);
        }
        if s.starts_with('-') {
            return Err(AmountError::Negative);
        }
        let (int_part, frac_part) = match s.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (s, None),
        };
        let all_digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(int_part) || !frac_part.is_none_or(all_digits) {
            return Err(AmountError::NotADecimal);
        }
        let frac = frac_part.unwrap_or("");
        if frac.len() > MAX_SCALE as usize {
            return Err(AmountError::TooManyDecimals { max: MAX_SCALE });
        }
        if int_part.trim_start_matches('0').len() > MAX_INTEGER_DIGITS {
            return Err(AmountError::TooLarge);
        }
        let mut units: u128 = 0;
        for b in int_part.bytes().chain(frac.bytes()) {
            // Cannot overflow: at most 20 significant integer digits + 18 decimals = 38 digits.
            units = units * 10 + u128::from(b - b'0');
        }
        Ok(Amount {
            units,
            scale: frac.len() as u8,
        })
    }

    /// Integer units at this amount's own scale.
    pub const fn units(&self) -> u128 {
        self.units
    }

    pub const fn scale(&self) -> u8 {
        self.scale
    }

    pub const fn is_zero(&self) -> bool {
        self.units == 0
    }

    /// The same value with trailing fractional zeros removed (`10.500` -> `10.5`).
    pub fn normalized(self) -> Amount {
        let mut a = self;
        while a.scale > 0 && a.units.is_multiple_of(10) {
            a.units /= 10;
            a.scale -= 1;
        }
        a
    }

    /// The same value at `scale` decimal places, or `None` if that would drop non-zero digits
    /// (over-precise input is an error, never a rounding) or exceed the supported range.
    pub fn with_scale(self, scale: u8) -> Option<Amount> {
        match scale.cmp(&self.scale) {
            Ordering::Equal => Some(self),
            Ordering::Greater => {
                Amount::from_units(self.units.checked_mul(pow10(scale - self.scale))?, scale)
            }
            Ordering::Less => {
                let factor = pow10(self.scale - scale);
                self.units.is_multiple_of(factor).then(|| Amount {
                    units: self.units / factor,
                    scale,
                })
            }
        }
    }

    /// Integer units at `scale`, if representable exactly.
    pub fn units_at(self, scale: u8) -> Option<u128> {
        self.with_scale(scale).map(|a| a.units)
    }

    pub fn checked_add(self, other: Amount) -> Option<Amount> {
        let scale = self.scale.max(other.scale);
        let sum = self.units_at(scale)?.checked_add(other.units_at(scale)?)?;
        Amount::from_units(sum, scale)
    }

    /// `self - other`, or `None` when `other` is larger.
    pub fn checked_sub(self, other: Amount) -> Option<Amount> {
        let scale = self.scale.max(other.scale);
        Amount::from_units(
            self.units_at(scale)?.checked_sub(other.units_at(scale)?)?,
            scale,
        )
    }

    /// `self - other`, floored at zero.
    pub fn saturating_sub(self, other: Amount) -> Amount {
        self.checked_sub(other).unwrap_or(Amount {
            units: 0,
            scale: self.scale,
        })
    }

    fn integer_digits(&self) -> usize {
        let mut whole = self.units / pow10(self.scale);
        let mut digits = 0;
        while whole > 0 {
            whole /= 10;
            digits += 1;
        }
        digits
    }

    /// The integer part and the fractional digits (exactly `scale` of them), as strings; the
    /// building blocks for locale formatting.
    pub fn parts(&self) -> (String, String) {
        let text = self.to_string();
        match text.split_once('.') {
            Some((i, f)) => (i.to_owned(), f.to_owned()),
            None => (text, String::new()),
        }
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let divisor = pow10(self.scale);
        let whole = self.units / divisor;
        if self.scale == 0 {
            return write!(f, "{whole}");
        }
        let frac = self.units % divisor;
        write!(f, "{whole}.{frac:0width$}", width = self.scale as usize)
    }
}

impl fmt::Debug for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Amount({self})")
    }
}

impl std::str::FromStr for Amount {
    type Err = AmountError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Amount::parse(s)
    }
}

impl PartialEq for Amount {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Amount {}

impl Ord for Amount {
    fn cmp(&self, other: &Self) -> Ordering {
        // Both fit at MAX_SCALE by construction (see MAX_INTEGER_DIGITS).
        let a = self.units * pow10(MAX_SCALE - self.scale);
        let b = other.units * pow10(MAX_SCALE - other.scale);
        a.cmp(&b)
    }
}

impl PartialOrd for Amount {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Hash for Amount {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let n = self.normalized();
        n.units.hash(state);
        n.scale.hash(state);
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AmountVisitor;
        impl de::Visitor<'_> for AmountVisitor {
            type Value = Amount;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a decimal amount as a string, e.g. \"10.50\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Amount, E> {
                Amount::parse(v).map_err(E::custom)
            }
            // Whole JSON numbers are exact, so they are accepted as a convenience; fractional
            // ones have already been through a float by the time we see them and are refused.
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Amount, E> {
                Amount::from_units(u128::from(v), 0).ok_or_else(|| E::custom(AmountError::TooLarge))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Amount, E> {
                match u64::try_from(v) {
                    Ok(v) => self.visit_u64(v),
                    Err(_) => Err(E::custom(AmountError::Negative)),
                }
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Amount, E> {
                Err(E::custom(AmountError::NotADecimal))
            }
        }
        deserializer.deserialize_any(AmountVisitor)
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
    fn parses_and_prints_exactly() {
        for s in [
            "0",
            "1",
            "10.00",
            "99.462901",
            "0.000000000000000001",
            "12345678901234567890",
        ] {
            assert_eq!(a(s).to_string(), s);
        }
        assert_eq!(a("007.50").to_string(), "7.50");
    }

    #[test]
    fn rejects_what_is_not_a_plain_decimal() {
        assert_eq!(Amount::parse(""), Err(AmountError::Empty));
        assert_eq!(Amount::parse("-1"), Err(AmountError::Negative));
        for bad in [".5", "1.", "1e3", "+1", " 1", "1,5", "1.2.3", "NaN", "١"] {
            assert_eq!(Amount::parse(bad), Err(AmountError::NotADecimal), "{bad}");
        }
        assert_eq!(
            Amount::parse("1.0000000000000000001"),
            Err(AmountError::TooManyDecimals { max: 18 })
        );
        assert_eq!(
            Amount::parse("123456789012345678901"),
            Err(AmountError::TooLarge)
        );
    }

    #[test]
    fn equality_is_numeric_and_display_keeps_scale() {
        assert_eq!(a("1.5"), a("1.50"));
        assert!(a("1.05") < a("1.5"));
        assert_eq!(a("10.5").with_scale(2).unwrap().to_string(), "10.50");
        assert_eq!(a("10.50").normalized().to_string(), "10.5");
    }

    #[test]
    fn rescaling_never_rounds() {
        assert_eq!(a("1.25").with_scale(1), None);
        assert_eq!(a("1.20").with_scale(1).unwrap().to_string(), "1.2");
        assert_eq!(a("0.1").units_at(8), Some(10_000_000));
    }

    #[test]
    fn arithmetic() {
        assert_eq!(a("0.1").checked_add(a("0.25")).unwrap().to_string(), "0.35");
        assert_eq!(a("1").checked_sub(a("0.25")).unwrap().to_string(), "0.75");
        assert_eq!(a("1").checked_sub(a("1.01")), None);
        assert_eq!(a("1").saturating_sub(a("2")), Amount::ZERO);
    }

    #[test]
    fn json_accepts_strings_and_whole_numbers_only() {
        assert_eq!(
            serde_json::from_str::<Amount>("\"2.50\"").unwrap(),
            a("2.5")
        );
        assert_eq!(serde_json::from_str::<Amount>("3").unwrap(), a("3"));
        let float = serde_json::from_str::<Amount>("2.5")
            .unwrap_err()
            .to_string();
        assert!(
            float.contains("decimal number written as a string"),
            "{float}"
        );
        assert!(serde_json::from_str::<Amount>("-3").is_err());
        assert_eq!(serde_json::to_string(&a("10.00")).unwrap(), "\"10.00\"");
    }

    proptest! {
        #[test]
        fn display_parse_round_trip(units in any::<u64>(), scale in 0u8..=18) {
            let x = Amount::from_units(u128::from(units), scale).unwrap();
            let back = Amount::parse(&x.to_string()).unwrap();
            prop_assert_eq!(back, x);
            prop_assert_eq!(back.scale(), scale);
        }

        #[test]
        fn add_then_sub_is_identity(x in any::<u64>(), y in any::<u64>(), s1 in 0u8..=18, s2 in 0u8..=18) {
            let x = Amount::from_units(u128::from(x), s1).unwrap();
            let y = Amount::from_units(u128::from(y), s2).unwrap();
            let sum = x.checked_add(y).unwrap();
            prop_assert!(sum >= x && sum >= y);
            prop_assert_eq!(sum.checked_sub(y).unwrap(), x);
        }

        #[test]
        fn ordering_matches_string_free_comparison(x in any::<u32>(), y in any::<u32>(), s in 0u8..=9) {
            let ax = Amount::from_units(u128::from(x), s).unwrap();
            let ay = Amount::from_units(u128::from(y), s).unwrap();
            prop_assert_eq!(ax.cmp(&ay), x.cmp(&y));
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,40}") {
            let _ = Amount::parse(&s);
        }
    }
}
