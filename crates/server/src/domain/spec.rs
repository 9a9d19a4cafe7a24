//! What the merchant asks for: a checkout's (or a reusable widget's) text, price and offered
//! coins, validated once when it is created. Every refusal names the field.

use protocol::{Amount, CheckoutType, Money};
use serde::{Deserialize, Serialize};

use super::currency::{Catalogue, CoinKey, Denomination};
use super::error::DomainError;
use super::{now_ms, parse_rfc3339};

/// The largest price or payer amount accepted, in whole units of its currency.
pub const MAX_WHOLE_AMOUNT: u128 = 1_000_000_000;
const MAX_SUGGESTED: usize = 10;

/// What the merchant set when creating the checkout (or the reusable widget it came from).
/// It never changes afterwards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutSpec {
    pub checkout_type: CheckoutType,
    pub name: String,
    pub description: Option<String>,
    pub return_url: Option<String>,
    pub support_url: Option<String>,
    pub logo_url: Option<String>,
    /// FIXED_PRICE only.
    pub price: Option<Money>,
    /// NO_PRICE / SUGGESTED_FIXED_PRICE only, as are the limits and presets.
    pub amount_currency: Option<String>,
    pub min_amount: Option<Amount>,
    pub max_amount: Option<Amount>,
    pub suggested_amounts: Vec<Amount>,
    pub currencies: Vec<CoinKey>,
}

/// The price-related fields of a create request, shared by checkouts and reusable widgets.
#[derive(Debug, Clone, Default)]
pub struct PricingInput {
    pub checkout_type: Option<CheckoutType>,
    pub fixed_amount: Option<Money>,
    pub amount_currency: Option<String>,
    pub min_amount: Option<Amount>,
    pub max_amount: Option<Amount>,
    pub suggested_amounts: Option<Vec<Amount>>,
    pub currencies: Option<Vec<CoinKey>>,
}

/// The descriptive fields of a create request.
#[derive(Debug, Clone, Default)]
pub struct TextInput {
    pub name: Option<String>,
    pub description: Option<String>,
    pub return_url: Option<String>,
    pub support_url: Option<String>,
    pub logo_url: Option<String>,
}

impl CheckoutSpec {
    /// Validates a merchant's request into a spec; every error names the field.
    pub fn build(
        text: TextInput,
        pricing: PricingInput,
        default_name: &str,
        catalogue: &Catalogue,
    ) -> Result<CheckoutSpec, DomainError> {
        let name = match text.name {
            Some(n) => checked_text("name", n, 200)?,
            None => default_name.to_owned(),
        };
        let description = text
            .description
            .map(|d| checked_text("description", d, 1000))
            .transpose()?;
        let return_url = checked_url("returnUrl", text.return_url)?;
        let support_url = checked_support_url(text.support_url)?;
        let logo_url = checked_url("logoUrl", text.logo_url)?;
        let checkout_type = pricing
            .checkout_type
            .ok_or_else(|| DomainError::invalid("type", "is required"))?;

        let mut spec = CheckoutSpec {
            checkout_type,
            name,
            description,
            return_url,
            support_url,
            logo_url,
            price: None,
            amount_currency: None,
            min_amount: None,
            max_amount: None,
            suggested_amounts: Vec::new(),
            currencies: Vec::new(),
        };
        let currencies = pricing.currencies.clone();
        let denomination = if checkout_type == CheckoutType::FixedPrice {
            spec.set_fixed_price(pricing, catalogue)?
        } else {
            spec.set_payer_range(pricing, catalogue)?
        };
        spec.currencies = offered_currencies(currencies, denomination, catalogue)?;
        Ok(spec)
    }

    /// FIXED_PRICE: one price, and none of the payer-amount fields.
    fn set_fixed_price(
        &mut self,
        pricing: PricingInput,
        catalogue: &Catalogue,
    ) -> Result<Denomination, DomainError> {
        for (field, present) in [
            ("amountCurrency", pricing.amount_currency.is_some()),
            ("minAmount", pricing.min_amount.is_some()),
            ("maxAmount", pricing.max_amount.is_some()),
            ("suggestedAmounts", pricing.suggested_amounts.is_some()),
        ] {
            if present {
                return Err(DomainError::invalid(
                    field,
                    "is not accepted for a FIXED_PRICE checkout",
                ));
            }
        }
        let fixed = pricing.fixed_amount.ok_or_else(|| {
            DomainError::invalid("fixedAmount", "is required for a FIXED_PRICE checkout")
        })?;
        let denomination = denomination_of("fixedAmount.currency", &fixed.currency, catalogue)?;
        let amount = checked_amount("fixedAmount.amount", fixed.amount, denomination)?;
        self.price = Some(Money {
            amount,
            currency: denomination.code().to_owned(),
        });
        Ok(denomination)
    }

    /// NO_PRICE / SUGGESTED_FIXED_PRICE: the payer's currency, limits and presets.
    fn set_payer_range(
        &mut self,
        pricing: PricingInput,
        catalogue: &Catalogue,
    ) -> Result<Denomination, DomainError> {
        if pricing.fixed_amount.is_some() {
            return Err(DomainError::invalid(
                "fixedAmount",
                "is only accepted for a FIXED_PRICE checkout; use amountCurrency, minAmount and maxAmount",
            ));
        }
        let code = pricing.amount_currency.ok_or_else(|| {
            DomainError::invalid(
                "amountCurrency",
                "is required when the payer sets the amount",
            )
        })?;
        let denomination = denomination_of("amountCurrency", &code, catalogue)?;
        let smallest = Amount::from_units(1, denomination.scale()).unwrap_or(Amount::ZERO);
        let min = pricing
            .min_amount
            .map(|a| checked_amount("minAmount", a, denomination))
            .transpose()?
            .unwrap_or(smallest);
        let max = pricing
            .max_amount
            .map(|a| checked_amount("maxAmount", a, denomination))
            .transpose()?
            .unwrap_or_else(|| max_amount(denomination));
        if min > max {
            return Err(DomainError::invalid(
                "maxAmount",
                "must not be less than minAmount",
            ));
        }
        let suggested = pricing.suggested_amounts.unwrap_or_default();
        self.suggested_amounts =
            checked_suggestions(self.checkout_type, suggested, (min, max), denomination)?;
        self.amount_currency = Some(denomination.code().to_owned());
        self.min_amount = Some(min);
        self.max_amount = Some(max);
        Ok(denomination)
    }

    /// The currency prices and payer amounts are in.
    pub fn denomination_code(&self) -> Option<&str> {
        self.price
            .as_ref()
            .map(|p| p.currency.as_str())
            .or(self.amount_currency.as_deref())
    }

    /// Validates the payer's amount for a pick; returns it as money in the checkout's currency
    /// (`None` for FIXED_PRICE, whose price is fixed).
    pub fn payer_amount(
        &self,
        amount: Option<Amount>,
        catalogue: &Catalogue,
    ) -> Result<Option<Money>, DomainError> {
        if self.checkout_type == CheckoutType::FixedPrice {
            return match amount {
                Some(_) => Err(DomainError::invalid(
                    "amount",
                    "is not accepted for a FIXED_PRICE checkout; its price is fixed",
                )),
                None => Ok(None),
            };
        }
        let amount = amount.ok_or_else(|| {
            DomainError::invalid(
                "amount",
                "is required: this checkout lets the payer set the amount",
            )
        })?;
        let code = self.amount_currency.as_deref().unwrap_or_default();
        let denomination = catalogue
            .denomination(code)
            .ok_or_else(|| DomainError::Inconsistent(format!("stored currency {code} unknown")))?;
        let amount = checked_amount("amount", amount, denomination)?;
        if let (Some(min), Some(max)) = (self.min_amount, self.max_amount) {
            if amount < min || amount > max {
                return Err(DomainError::invalid_with_code(
                    "amount_out_of_range",
                    "amount",
                    format!("must be between {min} and {max} {code}"),
                ));
            }
        }
        Ok(Some(Money {
            amount,
            currency: code.to_owned(),
        }))
    }
}

/// The preset amounts: only for SUGGESTED_FIXED_PRICE (at least one, at most ten), each a valid
/// amount within the checkout's limits.
fn checked_suggestions(
    checkout_type: CheckoutType,
    suggested: Vec<Amount>,
    (min, max): (Amount, Amount),
    denomination: Denomination,
) -> Result<Vec<Amount>, DomainError> {
    if checkout_type == CheckoutType::NoPrice && !suggested.is_empty() {
        return Err(DomainError::invalid(
            "suggestedAmounts",
            "is only accepted for a SUGGESTED_FIXED_PRICE checkout",
        ));
    }
    if checkout_type == CheckoutType::SuggestedFixedPrice && suggested.is_empty() {
        return Err(DomainError::invalid(
            "suggestedAmounts",
            "needs at least one amount for a SUGGESTED_FIXED_PRICE checkout",
        ));
    }
    if suggested.len() > MAX_SUGGESTED {
        return Err(DomainError::invalid(
            "suggestedAmounts",
            format!("accepts at most {MAX_SUGGESTED} amounts"),
        ));
    }
    let mut checked = Vec::with_capacity(suggested.len());
    for (i, a) in suggested.into_iter().enumerate() {
        let field = format!("suggestedAmounts[{i}]");
        let a = checked_amount(&field, a, denomination)?;
        if a < min || a > max {
            return Err(DomainError::invalid(
                &field,
                format!("must be between {min} and {max}"),
            ));
        }
        checked.push(a);
    }
    Ok(checked)
}

/// A merchant's own reference (`clientOrderId`, `externalId`): 1 to 128 printable characters.
pub fn checked_reference(
    field: &str,
    value: Option<String>,
) -> Result<Option<String>, DomainError> {
    match value {
        Some(v) if v.is_empty() || v.chars().count() > 128 || v.chars().any(char::is_control) => {
            Err(DomainError::invalid(
                field,
                "must be 1 to 128 printable characters",
            ))
        }
        other => Ok(other),
    }
}

/// Counted as sent (as the OpenAPI document's `maxLength` counts), stored trimmed.
fn checked_text(field: &str, value: String, max_chars: usize) -> Result<String, DomainError> {
    let sent_chars = value.chars().count();
    let value = value.trim().to_owned();
    if value.is_empty() {
        return Err(DomainError::invalid(field, "must not be empty"));
    }
    if sent_chars > max_chars {
        return Err(DomainError::invalid(
            field,
            format!("must be at most {max_chars} characters"),
        ));
    }
    if value.chars().any(|c| c.is_control() && c != '\n') {
        return Err(DomainError::invalid(
            field,
            "must not contain control characters",
        ));
    }
    Ok(value)
}

/// The support link: a web page, or a `mailto:` link to one address (with an optional query,
/// `?subject=…`). Never any other scheme: the widget links to it.
fn checked_support_url(value: Option<String>) -> Result<Option<String>, DomainError> {
    const FIELD: &str = "supportUrl";
    let Some(value) = value else { return Ok(None) };
    let Some(rest) = value
        .get(..7)
        .filter(|scheme| scheme.eq_ignore_ascii_case("mailto:"))
        .map(|_| &value[7..])
    else {
        return checked_url(FIELD, Some(value));
    };
    let address = rest.split('?').next().unwrap_or_default();
    let part_ok = |part: &str| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| !c.is_whitespace() && !c.is_control() && !"<>\"@,;:()[]\\".contains(c))
    };
    let valid = address.split_once('@').is_some_and(|(local, domain)| {
        part_ok(local) && part_ok(domain) && domain.contains('.') && !domain.ends_with('.')
    });
    let clean = !rest.chars().any(|c| c.is_whitespace() || c.is_control());
    if !valid || !clean || value.chars().count() > 2048 {
        return Err(DomainError::invalid(
            FIELD,
            "must be an http:// or https:// URL, or mailto: with one email address",
        ));
    }
    Ok(Some(value))
}

/// Only http(s) URLs: the widget links to these, and a `javascript:` URL would run in the page.
fn checked_url(field: &str, value: Option<String>) -> Result<Option<String>, DomainError> {
    let Some(value) = value else { return Ok(None) };
    let ok_scheme = value.starts_with("https://") || value.starts_with("http://");
    let host_present = value
        .split("://")
        .nth(1)
        .is_some_and(|rest| !rest.is_empty());
    if !ok_scheme || !host_present {
        return Err(DomainError::invalid(
            field,
            "must be an http:// or https:// URL",
        ));
    }
    if value.chars().count() > 2048 || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(DomainError::invalid(field, "is not a valid URL"));
    }
    Ok(Some(value))
}

fn denomination_of(
    field: &str,
    code: &str,
    catalogue: &Catalogue,
) -> Result<Denomination, DomainError> {
    catalogue.denomination(code).ok_or_else(|| {
        DomainError::invalid_with_code(
            "unknown_currency",
            field,
            format!("unknown currency {code:?}"),
        )
    })
}

fn max_amount(d: Denomination) -> Amount {
    Amount::from_units(
        MAX_WHOLE_AMOUNT * 10u128.pow(u32::from(d.scale())),
        d.scale(),
    )
    .unwrap_or(Amount::ZERO)
}

/// A positive amount, no more precise than the currency, within range; returned at the
/// currency's scale (`25` becomes `25.00` for USD).
pub fn checked_amount(field: &str, amount: Amount, d: Denomination) -> Result<Amount, DomainError> {
    if amount.is_zero() {
        return Err(DomainError::invalid_with_code(
            "invalid_amount",
            field,
            "must be greater than zero",
        ));
    }
    let Some(scaled) = amount.with_scale(d.scale()) else {
        return Err(DomainError::invalid_with_code(
            "invalid_amount",
            field,
            format!(
                "has more than {} decimal places for {}",
                d.scale(),
                d.code()
            ),
        ));
    };
    if scaled > max_amount(d) {
        return Err(DomainError::invalid_with_code(
            "amount_out_of_range",
            field,
            format!("must not exceed {MAX_WHOLE_AMOUNT} {}", d.code()),
        ));
    }
    Ok(scaled)
}

fn offered_currencies(
    requested: Option<Vec<CoinKey>>,
    denomination: Denomination,
    catalogue: &Catalogue,
) -> Result<Vec<CoinKey>, DomainError> {
    let mut keys: Vec<CoinKey> = match requested {
        None => catalogue.all().iter().map(|c| c.key()).collect(),
        Some(list) => {
            let mut keys = Vec::new();
            for (i, k) in list.iter().enumerate() {
                let coin = catalogue.coin(&k.code, &k.network).ok_or_else(|| {
                    DomainError::invalid_with_code(
                        "unknown_currency",
                        &format!("currencies[{i}]"),
                        format!("unknown currency {} on network {}", k.code, k.network),
                    )
                })?;
                if !keys.contains(&coin.key()) {
                    keys.push(coin.key());
                }
            }
            keys
        }
    };
    // A price in a coin can only be paid in that coin (on any of its networks).
    if let Denomination::Crypto { code, .. } = denomination {
        keys.retain(|k| k.code == code);
    }
    if keys.is_empty() {
        return Err(DomainError::invalid(
            "currencies",
            format!(
                "none of the currencies can pay an amount in {}",
                denomination.code()
            ),
        ));
    }
    Ok(keys)
}

/// Validates an optional `expiresAt` into milliseconds; defaults to now + `default_ttl_ms`.
pub fn expiry_from_request(
    expires_at: Option<&str>,
    default_ttl_ms: i64,
    max_ttl_ms: i64,
) -> Result<i64, DomainError> {
    let now = now_ms();
    let Some(text) = expires_at else {
        return Ok(now + default_ttl_ms);
    };
    let at = parse_rfc3339(text).ok_or_else(|| {
        DomainError::invalid(
            "expiresAt",
            "must be an RFC 3339 time, e.g. 2030-01-01T12:00:00Z",
        )
    })?;
    if at <= now {
        return Err(DomainError::invalid("expiresAt", "must be in the future"));
    }
    if at > now + max_ttl_ms {
        return Err(DomainError::invalid(
            "expiresAt",
            format!("must be at most {} hours from now", max_ttl_ms / 3_600_000),
        ));
    }
    Ok(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cat() -> Catalogue {
        Catalogue::new(&Default::default())
    }

    fn a(s: &str) -> Amount {
        Amount::parse(s).unwrap()
    }

    fn fixed(amount: &str, currency: &str) -> PricingInput {
        PricingInput {
            checkout_type: Some(CheckoutType::FixedPrice),
            fixed_amount: Some(Money {
                amount: a(amount),
                currency: currency.into(),
            }),
            ..Default::default()
        }
    }

    fn text() -> TextInput {
        TextInput {
            name: Some("Order 1".into()),
            ..Default::default()
        }
    }

    #[test]
    fn fixed_price_is_scaled_and_checked() {
        let spec = CheckoutSpec::build(text(), fixed("25", "usd"), "x", &cat()).unwrap();
        assert_eq!(spec.price.unwrap().amount.to_string(), "25.00");
        assert_eq!(spec.currencies.len(), cat().all().len());
        let err = CheckoutSpec::build(text(), fixed("25.001", "USD"), "x", &cat()).unwrap_err();
        assert_eq!(err.field(), Some("fixedAmount.amount"));
        let err = CheckoutSpec::build(text(), fixed("0", "USD"), "x", &cat()).unwrap_err();
        assert!(err.to_string().contains("greater than zero"));
        let err = CheckoutSpec::build(text(), fixed("1", "XYZ"), "x", &cat()).unwrap_err();
        assert_eq!(err.field(), Some("fixedAmount.currency"));
        let err = CheckoutSpec::build(text(), fixed("2000000000", "USD"), "x", &cat()).unwrap_err();
        assert_eq!(err.code(), Some("amount_out_of_range"));
    }

    #[test]
    fn crypto_price_limits_the_offer_to_that_coin() {
        let spec = CheckoutSpec::build(text(), fixed("10", "USDT"), "x", &cat()).unwrap();
        assert!(spec.currencies.iter().all(|k| k.code == "USDT"));
        assert_eq!(spec.currencies.len(), 2);
    }

    #[test]
    fn payer_amount_rules() {
        let pricing = PricingInput {
            checkout_type: Some(CheckoutType::NoPrice),
            amount_currency: Some("USD".into()),
            min_amount: Some(a("1")),
            max_amount: Some(a("100")),
            ..Default::default()
        };
        let spec = CheckoutSpec::build(text(), pricing, "x", &cat()).unwrap();
        assert_eq!(
            spec.payer_amount(Some(a("5")), &cat())
                .unwrap()
                .unwrap()
                .amount
                .to_string(),
            "5.00"
        );
        assert_eq!(
            spec.payer_amount(None, &cat()).unwrap_err().field(),
            Some("amount")
        );
        assert_eq!(
            spec.payer_amount(Some(a("101")), &cat())
                .unwrap_err()
                .code(),
            Some("amount_out_of_range")
        );
        let fixed = CheckoutSpec::build(text(), fixed("25", "USD"), "x", &cat()).unwrap();
        assert!(fixed.payer_amount(Some(a("5")), &cat()).is_err());
    }

    #[test]
    fn urls_must_be_http() {
        let mut t = text();
        t.return_url = Some("javascript:alert(1)".into());
        let err = CheckoutSpec::build(t, fixed("1", "USD"), "x", &cat()).unwrap_err();
        assert_eq!(err.field(), Some("returnUrl"));
    }

    #[test]
    fn support_may_be_a_mail_address_and_nothing_else_but_a_web_page() {
        let build = |url: &str| {
            let mut t = text();
            t.support_url = Some(url.into());
            CheckoutSpec::build(t, fixed("1", "USD"), "x", &cat())
        };
        for ok in [
            "https://shop.example/help",
            "mailto:help@shop.example",
            "MAILTO:help@shop.example?subject=Order%2042",
        ] {
            assert_eq!(build(ok).unwrap().support_url.as_deref(), Some(ok));
        }
        for bad in [
            "javascript:alert(1)",
            "mailto:",
            "mailto:help",
            "mailto:help@shop",
            "mailto:a@b.example,c@d.example",
            "mailto:help@shop.example?subject=a b",
            "mailto:<help@shop.example>",
        ] {
            assert_eq!(build(bad).unwrap_err().field(), Some("supportUrl"), "{bad}");
        }
        let mut t = text();
        t.return_url = Some("mailto:help@shop.example".into());
        let err = CheckoutSpec::build(t, fixed("1", "USD"), "x", &cat()).unwrap_err();
        assert_eq!(err.field(), Some("returnUrl"), "only support may be mail");
    }
}
