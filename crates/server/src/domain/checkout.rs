//! The checkout: what the merchant asked for (its spec), where it stands (its state), and the
//! payments the payer made for it; plus the views built from it.

use protocol::{
    Amount, CheckoutStatus, CheckoutType, CheckoutView, Exception, Money, PaymentView, StatusView,
};
use serde::{Deserialize, Serialize};

use super::currency::{Catalogue, CoinKey, Denomination};
use super::payment::Payment;
use super::state_machine::{self, CheckoutState, Event, Funds, Policy, Refusal};
use super::{now_ms, parse_rfc3339, rfc3339};
use crate::error::AppError;

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
    ) -> Result<CheckoutSpec, AppError> {
        let name = match text.name {
            Some(n) => checked_text("name", n, 200)?,
            None => default_name.to_owned(),
        };
        let description = text
            .description
            .map(|d| checked_text("description", d, 1000))
            .transpose()?;
        let return_url = checked_url("returnUrl", text.return_url)?;
        let support_url = checked_url("supportUrl", text.support_url)?;
        let logo_url = checked_url("logoUrl", text.logo_url)?;
        let checkout_type = pricing
            .checkout_type
            .ok_or_else(|| AppError::invalid("type", "is required"))?;

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

        let denomination = if checkout_type == CheckoutType::FixedPrice {
            for (field, present) in [
                ("amountCurrency", pricing.amount_currency.is_some()),
                ("minAmount", pricing.min_amount.is_some()),
                ("maxAmount", pricing.max_amount.is_some()),
                ("suggestedAmounts", pricing.suggested_amounts.is_some()),
            ] {
                if present {
                    return Err(AppError::invalid(
                        field,
                        "is not accepted for a FIXED_PRICE checkout",
                    ));
                }
            }
            let fixed = pricing.fixed_amount.ok_or_else(|| {
                AppError::invalid("fixedAmount", "is required for a FIXED_PRICE checkout")
            })?;
            let denomination = denomination_of("fixedAmount.currency", &fixed.currency, catalogue)?;
            let amount = checked_amount("fixedAmount.amount", fixed.amount, denomination)?;
            spec.price = Some(Money {
                amount,
                currency: denomination.code().to_owned(),
            });
            denomination
        } else {
            if pricing.fixed_amount.is_some() {
                return Err(AppError::invalid(
                    "fixedAmount",
                    "is only accepted for a FIXED_PRICE checkout; use amountCurrency, minAmount and maxAmount",
                ));
            }
            let code = pricing.amount_currency.ok_or_else(|| {
                AppError::invalid(
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
                return Err(AppError::invalid(
                    "maxAmount",
                    "must not be less than minAmount",
                ));
            }
            let suggested = pricing.suggested_amounts.unwrap_or_default();
            if checkout_type == CheckoutType::NoPrice && !suggested.is_empty() {
                return Err(AppError::invalid(
                    "suggestedAmounts",
                    "is only accepted for a SUGGESTED_FIXED_PRICE checkout",
                ));
            }
            if checkout_type == CheckoutType::SuggestedFixedPrice && suggested.is_empty() {
                return Err(AppError::invalid(
                    "suggestedAmounts",
                    "needs at least one amount for a SUGGESTED_FIXED_PRICE checkout",
                ));
            }
            if suggested.len() > MAX_SUGGESTED {
                return Err(AppError::invalid(
                    "suggestedAmounts",
                    format!("accepts at most {MAX_SUGGESTED} amounts"),
                ));
            }
            for (i, a) in suggested.into_iter().enumerate() {
                let field = format!("suggestedAmounts[{i}]");
                let a = checked_amount(&field, a, denomination)?;
                if a < min || a > max {
                    return Err(AppError::invalid(
                        &field,
                        format!("must be between {min} and {max}"),
                    ));
                }
                spec.suggested_amounts.push(a);
            }
            spec.amount_currency = Some(denomination.code().to_owned());
            spec.min_amount = Some(min);
            spec.max_amount = Some(max);
            denomination
        };

        spec.currencies = offered_currencies(pricing.currencies, denomination, catalogue)?;
        Ok(spec)
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
    ) -> Result<Option<Money>, AppError> {
        if self.checkout_type == CheckoutType::FixedPrice {
            return match amount {
                Some(_) => Err(AppError::invalid(
                    "amount",
                    "is not accepted for a FIXED_PRICE checkout; its price is fixed",
                )),
                None => Ok(None),
            };
        }
        let amount = amount.ok_or_else(|| {
            AppError::invalid(
                "amount",
                "is required: this checkout lets the payer set the amount",
            )
        })?;
        let code = self.amount_currency.as_deref().unwrap_or_default();
        let denomination = catalogue
            .denomination(code)
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("stored currency {code} unknown")))?;
        let amount = checked_amount("amount", amount, denomination)?;
        if let (Some(min), Some(max)) = (self.min_amount, self.max_amount) {
            if amount < min || amount > max {
                return Err(AppError::invalid_with_code(
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

fn checked_text(field: &str, value: String, max_chars: usize) -> Result<String, AppError> {
    let value = value.trim().to_owned();
    if value.is_empty() {
        return Err(AppError::invalid(field, "must not be empty"));
    }
    if value.chars().count() > max_chars {
        return Err(AppError::invalid(
            field,
            format!("must be at most {max_chars} characters"),
        ));
    }
    if value.chars().any(|c| c.is_control() && c != '\n') {
        return Err(AppError::invalid(
            field,
            "must not contain control characters",
        ));
    }
    Ok(value)
}

/// Only http(s) URLs: the widget links to these, and a `javascript:` URL would run in the page.
fn checked_url(field: &str, value: Option<String>) -> Result<Option<String>, AppError> {
    let Some(value) = value else { return Ok(None) };
    let ok_scheme = value.starts_with("https://") || value.starts_with("http://");
    let host_present = value
        .split("://")
        .nth(1)
        .is_some_and(|rest| !rest.is_empty());
    if !ok_scheme || !host_present {
        return Err(AppError::invalid(
            field,
            "must be an http:// or https:// URL",
        ));
    }
    if value.len() > 2048 || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(AppError::invalid(field, "is not a valid URL"));
    }
    Ok(Some(value))
}

fn denomination_of(
    field: &str,
    code: &str,
    catalogue: &Catalogue,
) -> Result<Denomination, AppError> {
    catalogue.denomination(code).ok_or_else(|| {
        AppError::invalid_with_code(
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
pub fn checked_amount(field: &str, amount: Amount, d: Denomination) -> Result<Amount, AppError> {
    if amount.is_zero() {
        return Err(AppError::invalid_with_code(
            "invalid_amount",
            field,
            "must be greater than zero",
        ));
    }
    let Some(scaled) = amount.with_scale(d.scale()) else {
        return Err(AppError::invalid_with_code(
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
        return Err(AppError::invalid_with_code(
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
) -> Result<Vec<CoinKey>, AppError> {
    let mut keys: Vec<CoinKey> = match requested {
        None => catalogue.all().iter().map(|c| c.key()).collect(),
        Some(list) => {
            let mut keys = Vec::new();
            for (i, k) in list.iter().enumerate() {
                let coin = catalogue.coin(&k.code, &k.network).ok_or_else(|| {
                    AppError::invalid_with_code(
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
        return Err(AppError::invalid(
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
) -> Result<i64, AppError> {
    let now = now_ms();
    let Some(text) = expires_at else {
        return Ok(now + default_ttl_ms);
    };
    let at = parse_rfc3339(text).ok_or_else(|| {
        AppError::invalid(
            "expiresAt",
            "must be an RFC 3339 time, e.g. 2030-01-01T12:00:00Z",
        )
    })?;
    if at <= now {
        return Err(AppError::invalid("expiresAt", "must be in the future"));
    }
    if at > now + max_ttl_ms {
        return Err(AppError::invalid(
            "expiresAt",
            format!("must be at most {} hours from now", max_ttl_ms / 3_600_000),
        ));
    }
    Ok(at)
}

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
    /// Returns whether anything visible changed.
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
        let payment_changed = merged != payment.funds || payment.provider_state != provider_state;
        payment.funds = merged.clone();
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
    pub fn public_view(&self, catalogue: &Catalogue) -> CheckoutView {
        self.checkout_view(catalogue, true)
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

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MerchantCheckoutView {
    #[serde(flatten)]
    pub checkout: CheckoutView,
    pub client_order_id: Option<String>,
    pub external_id: Option<String>,
    pub widget_key: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub payments: Vec<MerchantPaymentView>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MerchantPaymentView {
    #[serde(flatten)]
    pub payment: PaymentView,
    /// Whether this is the payment the payer is currently shown.
    pub active: bool,
    pub provider: String,
    /// The provider's own state name, verbatim.
    pub provider_state: String,
    pub created_at: String,
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
        assert_eq!(err.field.as_deref(), Some("fixedAmount.amount"));
        let err = CheckoutSpec::build(text(), fixed("0", "USD"), "x", &cat()).unwrap_err();
        assert!(err.message.contains("greater than zero"));
        let err = CheckoutSpec::build(text(), fixed("1", "XYZ"), "x", &cat()).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("fixedAmount.currency"));
        let err = CheckoutSpec::build(text(), fixed("2000000000", "USD"), "x", &cat()).unwrap_err();
        assert_eq!(err.code, "amount_out_of_range");
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
            spec.payer_amount(None, &cat())
                .unwrap_err()
                .field
                .as_deref(),
            Some("amount")
        );
        assert_eq!(
            spec.payer_amount(Some(a("101")), &cat()).unwrap_err().code,
            "amount_out_of_range"
        );
        let fixed = CheckoutSpec::build(text(), fixed("25", "USD"), "x", &cat()).unwrap();
        assert!(fixed.payer_amount(Some(a("5")), &cat()).is_err());
    }

    #[test]
    fn urls_must_be_http() {
        let mut t = text();
        t.return_url = Some("javascript:alert(1)".into());
        let err = CheckoutSpec::build(t, fixed("1", "USD"), "x", &cat()).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("returnUrl"));
    }
}
