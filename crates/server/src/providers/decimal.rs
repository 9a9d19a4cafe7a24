//! Providers send amounts as JSON numbers. Going through `f64` would lose digits (and money),
//! so the number's own text is read and parsed as an exact decimal.

use protocol::Amount;
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

/// Parses a provider's decimal text exactly: `12.5`, `0.00041667`, `1e-8`, `1.5E+3`.
/// Negative values, NaN and anything with more digits than an [`Amount`] holds are refused.
pub fn parse_exact(text: &str) -> Result<Amount, String> {
    let text = text.trim();
    let text = text.strip_prefix('+').unwrap_or(text);
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(i) => {
            let exp: i32 = text[i + 1..]
                .parse()
                .map_err(|_| format!("bad exponent in {text:?}"))?;
            (&text[..i], exp)
        }
        None => (text, 0),
    };
    // Digits past the 18 decimals an Amount holds are dropped (rounded down): they are far
    // below any coin's smallest unit, and a received amount must never be over-counted.
    let mantissa = match mantissa.split_once('.') {
        // Only cut what is all ASCII digits: a byte index into other text may split a character.
        Some((int, frac))
            if frac.len() > 18 && exponent == 0 && frac.bytes().all(|b| b.is_ascii_digit()) =>
        {
            &mantissa[..int.len() + 1 + 18]
        }
        _ => mantissa,
    };
    let base = Amount::parse(mantissa).map_err(|e| format!("{text:?}: {e}"))?;
    if exponent == 0 {
        return Ok(base);
    }
    // Move the decimal point: a positive exponent multiplies, a negative one adds scale.
    let scale = i32::from(base.scale())
        .checked_sub(exponent)
        .ok_or_else(|| format!("{text:?} is out of range"))?;
    if scale >= 0 {
        let scale = u8::try_from(scale).map_err(|_| format!("{text:?} is too precise"))?;
        Amount::from_units(base.units(), scale).ok_or_else(|| format!("{text:?} is out of range"))
    } else {
        let factor = 10u128
            .checked_pow(scale.unsigned_abs())
            .ok_or_else(|| format!("{text:?} is too large"))?;
        let units = base
            .units()
            .checked_mul(factor)
            .ok_or_else(|| format!("{text:?} is too large"))?;
        Amount::from_units(units, 0).ok_or_else(|| format!("{text:?} is too large"))
    }
}

/// The JSON text of a number or a string, as the text itself (numbers untouched by floats).
fn raw_text(raw: &RawValue) -> Result<String, String> {
    let text = raw.get();
    if text.starts_with('"') {
        serde_json::from_str::<String>(text).map_err(|e| e.to_string())
    } else if text.starts_with(|c: char| c.is_ascii_digit() || c == '-') {
        Ok(text.to_owned())
    } else {
        Err(format!("expected a number or a string, got {text}"))
    }
}

/// `deserialize_with` for an optional amount sent as a JSON number or a decimal string.
pub fn amount<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Amount>, D::Error> {
    let raw: Option<Box<RawValue>> = Option::deserialize(d)?;
    raw.map(|raw| raw_text(&raw).and_then(|t| parse_exact(&t)))
        .transpose()
        .map_err(serde::de::Error::custom)
}

/// `deserialize_with` for an identifier sent as a number in one place and a string in another
/// (Calypso's `parentExternalId`, event ids): kept as text, digits exactly as sent.
pub fn id_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let raw: Option<Box<RawValue>> = Option::deserialize(d)?;
    raw.map(|raw| raw_text(&raw))
        .transpose()
        .map_err(serde::de::Error::custom)
}

/// Units at `scale`, rounded down: what was received is never over-counted.
pub fn floor_units(amount: Amount, scale: u8) -> u128 {
    if amount.scale() <= scale {
        amount.units_at(scale).unwrap_or(u128::MAX)
    } else {
        amount.units() / 10u128.pow(u32::from(amount.scale() - scale))
    }
}

/// The amount at `scale`, rounded up: an amount due is never under-asked.
pub fn ceil_to_scale(amount: Amount, scale: u8) -> Option<Amount> {
    if amount.scale() <= scale {
        return amount.with_scale(scale);
    }
    let factor = 10u128.pow(u32::from(amount.scale() - scale));
    let units = amount.units().div_ceil(factor);
    Amount::from_units(units, scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &str) -> Amount {
        Amount::parse(s).unwrap()
    }

    #[test]
    fn text_that_is_not_a_number_is_refused_not_a_panic() {
        // Found by fuzzing: a long "fraction" of multi-byte characters used to be cut by bytes.
        assert!(parse_exact(".\u{a1}\u{10000}aA a\u{10000}\u{0}\u{10000}").is_err());
        assert!(parse_exact("1.\u{10000}\u{10000}\u{10000}\u{10000}\u{10000}x").is_err());
        assert!(parse_exact("1e-2147483648").is_err());
        assert!(parse_exact("1e2147483647").is_err());
        assert_eq!(
            parse_exact("0.1234567890123456789999").unwrap(),
            a("0.123456789012345678")
        );
    }

    #[test]
    fn numbers_parse_exactly_whatever_their_notation() {
        assert_eq!(parse_exact("99.46291").unwrap(), a("99.46291"));
        assert_eq!(parse_exact("0.1").unwrap().to_string(), "0.1");
        assert_eq!(parse_exact("1e-8").unwrap(), a("0.00000001"));
        assert_eq!(parse_exact("1.5E+3").unwrap(), a("1500"));
        assert_eq!(parse_exact("25").unwrap(), a("25"));
        assert_eq!(
            parse_exact("0.000999999999999999999").unwrap(),
            a("0.000999999999999999")
        );
        assert!(parse_exact("-1").is_err());
        assert!(parse_exact("NaN").is_err());
        assert!(parse_exact("1e999").is_err());
    }

    #[test]
    fn json_numbers_never_go_through_a_float() {
        #[derive(Deserialize)]
        struct T {
            #[serde(default, deserialize_with = "amount")]
            a: Option<Amount>,
            #[serde(default, deserialize_with = "id_text")]
            id: Option<String>,
        }
        // 0.1 + 0.2 style values and digits beyond f64's 17 significant ones stay exact.
        let t: T =
            serde_json::from_str(r#"{"a": 12345678901.123456789, "id": 98765432109876543210}"#)
                .unwrap();
        assert_eq!(t.a.unwrap().to_string(), "12345678901.123456789");
        assert_eq!(t.id.as_deref(), Some("98765432109876543210"));
        let t: T = serde_json::from_str(r#"{"a": "0.30", "id": "6f1c"}"#).unwrap();
        assert_eq!(t.a.unwrap().to_string(), "0.30");
        assert_eq!(t.id.as_deref(), Some("6f1c"));
        let t: T = serde_json::from_str(r#"{"a": null}"#).unwrap();
        assert!(t.a.is_none() && t.id.is_none());
        assert!(serde_json::from_str::<T>(r#"{"a": true}"#).is_err());
    }

    #[test]
    fn rounding_directions() {
        assert_eq!(floor_units(a("0.123456789"), 8), 12_345_678);
        assert_eq!(floor_units(a("1.5"), 8), 150_000_000);
        // The Inqud worked example: 100 / 1.0054 = 99.462900..., due at 5 decimals rounds up.
        assert_eq!(
            ceil_to_scale(a("99.4629003381738612"), 5).unwrap(),
            a("99.46291")
        );
        assert_eq!(ceil_to_scale(a("2"), 2).unwrap().to_string(), "2.00");
    }
}
