//! Numbers for people, through the browser's `Intl`: exact, localised, and free in bytes.
//!
//! Amounts are handed to `Intl.NumberFormat` as decimal strings, which it formats exactly (no
//! float on the way). Copy buttons always copy the canonical value, never these strings.

use protocol::Amount;

use crate::i18n::Locale;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = r#"
export function format_decimal(locale, text, scale) {
  try {
    return new Intl.NumberFormat(locale, {
      minimumFractionDigits: scale, maximumFractionDigits: scale, useGrouping: true,
    }).format(text);
  } catch (_) { return text; }
}
export function format_currency(locale, text, currency, rtl) {
  try {
    return new Intl.NumberFormat(locale, { style: "currency", currency: currency })
      .formatToParts(text)
      .map((p) => (rtl && p.type === "currency" ? "\u2066" + p.value + "\u2069" : p.value))
      .join("");
  } catch (_) { return text + " " + currency; }
}
export function separators(locale) {
  try {
    const parts = new Intl.NumberFormat(locale).formatToParts(12345.6);
    const find = (type, fallback) => (parts.find((p) => p.type === type) || { value: fallback }).value;
    return find("decimal", ".") + find("group", ",");
  } catch (_) { return ".,"; }
}
export function moment(iso) {
  return Date.parse(iso);
}
export function seconds_until(t) {
  // Clamped: an i32 would wrap for dates decades away and read as long past.
  return isNaN(t) ? 0 : Math.max(-2147483648, Math.min(2147483647, Math.round((t - Date.now()) / 1000)));
}
"#)]
extern "C" {
    fn format_decimal(locale: &str, text: &str, scale: u32) -> String;
    fn format_currency(locale: &str, text: &str, currency: &str, rtl: bool) -> String;
    fn separators(locale: &str) -> String;
    #[wasm_bindgen(js_name = moment)]
    fn parse_moment(iso: &str) -> f64;
    #[wasm_bindgen(js_name = seconds_until)]
    fn seconds_until_moment(moment: f64) -> i32;
}

/// Fiat codes the widget formats with a currency symbol; everything else is a coin.
fn is_fiat(code: &str) -> bool {
    matches!(
        code,
        "USD" | "EUR" | "GBP" | "CHF" | "JPY" | "CAD" | "AUD" | "BRL" | "TRY" | "RUB" | "PHP"
    )
}

/// `1234.5 USD` in `de` -> `1.234,50 $`; `20.00 PHP` in `en` -> `₱20.00`; `0.00153846 BTC` ->
/// `0,00153846 BTC`.
///
/// In a right-to-left language the amount is one right-to-left isolate (RLI … PDI), so the
/// sentence around it cannot pull its parts apart, and a Latin currency symbol inside it is a
/// left-to-right isolate: Arabic reads `25.00 US$` in its own order, never `$US 25.00`.
pub fn money(locale: &str, amount: &Amount, currency: &str) -> String {
    let amount = &crate::state::for_display(*amount);
    let text = amount.to_string();
    let rtl = Locale::negotiate([locale]).is_rtl();
    let shown = if is_fiat(currency) {
        format_currency(locale, &text, currency, rtl)
    } else {
        let mut shown = format_decimal(locale, &text, u32::from(amount.scale()));
        shown.push(' ');
        shown.push_str(currency);
        shown
    };
    if rtl {
        let mut isolated = String::from('\u{2067}');
        isolated.push_str(&shown);
        isolated.push('\u{2069}');
        isolated
    } else {
        shown
    }
}

/// The amount alone, at its own scale.
pub fn number(locale: &str, amount: &Amount) -> String {
    format_decimal(locale, &amount.to_string(), u32::from(amount.scale()))
}

/// The locale's decimal and group separators.
pub fn locale_separators(locale: &str) -> (char, char) {
    let s = separators(locale);
    let mut chars = s.chars();
    (chars.next().unwrap_or('.'), chars.next().unwrap_or(','))
}

/// An RFC 3339 time as milliseconds since the epoch, `NaN` when it cannot be read.
pub fn moment(iso: &str) -> f64 {
    parse_moment(iso)
}

/// Seconds from now until a [`moment`] (negative once past; none left for `NaN`).
pub fn seconds_until(moment: f64) -> i64 {
    i64::from(seconds_until_moment(moment))
}
