//! The JSON the widget exchanges with the server, read from and written to the objects the
//! browser's own parser (`JSON.parse` / `Response.json()`) builds.
//!
//! The types are `protocol`'s; the server (de)serializes them with serde. The widget does not:
//! a serde format for JS values and the derives' visitors cost a payer about a fifth of the
//! bundle, while these readers cost little. Every wire field name the widget uses is written in
//! this file and nowhere else; `tests/wire.rs` decodes what the server's serde produces for every
//! type, so a renamed field fails a test instead of a payment.

use js_sys::{Array, Object, Reflect};
use protocol::{
    Amount, CheckoutStatus, CheckoutType, CheckoutView, CurrencyOption, ErrorDetail, Exception,
    Money, PaymentView, PickCurrencyRequest, QrMatrix, StatusChangedDetail, StatusView, TestAction,
};
use wasm_bindgen::JsValue;

/// What could not be read: the name of the offending field.
pub type Result<T> = std::result::Result<T, &'static str>;

fn get(object: &JsValue, key: &str) -> JsValue {
    if !object.is_object() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// `None` for an absent or `null` field, else the field read by `read`. Readers are plain
/// function pointers and this is never inlined: one copy per field type, not one per field.
#[inline(never)]
fn optional<T>(
    object: &JsValue,
    key: &'static str,
    read: fn(JsValue) -> Option<T>,
) -> Result<Option<T>> {
    let value = get(object, key);
    if value.is_null() || value.is_undefined() {
        Ok(None)
    } else {
        read(value).map(Some).ok_or(key)
    }
}

#[inline(never)]
fn required<T>(object: &JsValue, key: &'static str, read: fn(JsValue) -> Option<T>) -> Result<T> {
    optional(object, key, read)?.ok_or(key)
}

fn string(value: JsValue) -> Option<String> {
    value.as_string()
}

/// Amounts travel as decimal strings; anything else (a JSON number went through a float) is
/// refused, as the server's serde refuses it.
fn amount(value: JsValue) -> Option<Amount> {
    Amount::parse(&value.as_string()?).ok()
}

/// A whole, non-negative JSON number (counts and versions, never money).
fn whole(value: JsValue) -> Option<u64> {
    let n = value.as_f64()?;
    ((0.0..=9_007_199_254_740_991.0).contains(&n) && n == (n as u64) as f64).then_some(n as u64)
}

fn small(value: JsValue) -> Option<u32> {
    u32::try_from(whole(value)?).ok()
}

fn http_status(value: JsValue) -> Option<u16> {
    u16::try_from(whole(value)?)
        .ok()
        .filter(|s| (100..600).contains(s))
}

fn list<T>(value: JsValue, read: fn(&JsValue) -> Result<T>) -> Option<Vec<T>> {
    if !Array::is_array(&value) {
        return None;
    }
    Array::from(&value).iter().map(|v| read(&v).ok()).collect()
}

fn status(value: JsValue) -> Option<CheckoutStatus> {
    CheckoutStatus::parse(&value.as_string()?)
}

fn exception(value: JsValue) -> Option<Exception> {
    Exception::parse(&value.as_string()?)
}

fn checkout_type(value: JsValue) -> Option<CheckoutType> {
    match value.as_string()?.as_str() {
        "FIXED_PRICE" => Some(CheckoutType::FixedPrice),
        "SUGGESTED_FIXED_PRICE" => Some(CheckoutType::SuggestedFixedPrice),
        "NO_PRICE" => Some(CheckoutType::NoPrice),
        _ => None,
    }
}

/// A value put in place of a field that could not be read. Never seen: the whole read fails
/// then ([`Fields::finish`]).
trait Fallback {
    fn fallback() -> Self;
}

/// `Fallback` for each type: the value it stands in with.
macro_rules! fallback {
    ($($type:ty => $value:expr),* $(,)?) => {
        $(impl Fallback for $type {
            fn fallback() -> Self {
                $value
            }
        })*
    };
}

fallback! {
    String => String::new(),
    Amount => Amount::ZERO,
    u64 => 0,
    u32 => 0,
    u16 => 0,
    u8 => 0,
    CheckoutType => CheckoutType::NoPrice,
    CheckoutStatus => CheckoutStatus::New,
}

impl<T> Fallback for Vec<T> {
    fn fallback() -> Self {
        Vec::new()
    }
}

/// One object's fields, read in a straight run: a field that cannot be read is remembered (the
/// first one) instead of returned at once. A `?` per field would make every field an exit that
/// drops the fields read before it, which costs the payer far more code than these calls.
struct Fields<'a> {
    object: &'a JsValue,
    error: Option<&'static str>,
}

impl Fields<'_> {
    fn of(object: &JsValue) -> Fields<'_> {
        Fields {
            object,
            error: None,
        }
    }

    #[inline(never)]
    fn optional<T>(&mut self, key: &'static str, read: fn(JsValue) -> Option<T>) -> Option<T> {
        optional(self.object, key, read).unwrap_or_else(|key| {
            self.error.get_or_insert(key);
            None
        })
    }

    #[inline(never)]
    fn required<T: Fallback>(&mut self, key: &'static str, read: fn(JsValue) -> Option<T>) -> T {
        required(self.object, key, read).unwrap_or_else(|key| {
            self.error.get_or_insert(key);
            T::fallback()
        })
    }

    /// A boolean that defaults to `false` when absent.
    fn flag(&mut self, key: &'static str) -> bool {
        self.optional(key, |v| v.as_bool()).unwrap_or(false)
    }

    /// `value` if every field could be read, else the first field that could not.
    fn finish<T>(self, value: T) -> Result<T> {
        match self.error {
            None => Ok(value),
            Some(key) => Err(key),
        }
    }
}

pub fn money(o: &JsValue) -> Result<Money> {
    let mut f = Fields::of(o);
    let money = Money {
        amount: f.required("amount", amount),
        currency: f.required("currency", string),
    };
    f.finish(money)
}

pub fn currency_option(o: &JsValue) -> Result<CurrencyOption> {
    let mut f = Fields::of(o);
    let option = CurrencyOption {
        code: f.required("code", string),
        network: f.required("network", string),
        name: f.required("name", string),
        network_name: f.required("networkName", string),
        decimals: f.required("decimals", |v| u8::try_from(whole(v)?).ok()),
        confirmations_required: f.required("confirmationsRequired", small),
    };
    f.finish(option)
}

/// Read as sent; whether the modules fit the size is checked when the code is drawn.
pub fn qr_matrix(o: &JsValue) -> Result<QrMatrix> {
    let mut f = Fields::of(o);
    let matrix = QrMatrix {
        size: f.required("size", |v| u16::try_from(whole(v)?).ok()),
        modules: f.required("modules", string),
    };
    f.finish(matrix)
}

pub fn payment(o: &JsValue) -> Result<PaymentView> {
    let mut f = Fields::of(o);
    let payment = PaymentView {
        id: f.required("id", string),
        currency: f.required("currency", string),
        network: f.required("network", string),
        address: f.required("address", string),
        amount: f.required("amount", amount),
        amount_units: f.required("amountUnits", string),
        amount_paid: f.required("amountPaid", amount),
        amount_remaining: f.required("amountRemaining", amount),
        wallet_uri: f.required("walletUri", string),
        wallet_qr: f.optional("walletQr", |v| qr_matrix(&v).ok()),
        remaining_wallet_uri: f.optional("remainingWalletUri", string),
        remaining_wallet_qr: f.optional("remainingWalletQr", |v| qr_matrix(&v).ok()),
        fiat: f.optional("fiat", |v| money(&v).ok()),
        rate: f.optional("rate", amount),
        rate_expires_at: f.required("rateExpiresAt", string),
        confirmations: f.required("confirmations", small),
        confirmations_required: f.required("confirmationsRequired", small),
        test: f.flag("test"),
        payment_url: f.optional("paymentUrl", string),
    };
    f.finish(payment)
}

pub fn checkout(o: &JsValue) -> Result<CheckoutView> {
    let mut f = Fields::of(o);
    let checkout = CheckoutView {
        id: f.required("id", string),
        checkout_type: f.required("type", checkout_type),
        status: f.required("status", status),
        exception: f.optional("exception", exception),
        name: f.required("name", string),
        description: f.optional("description", string),
        logo_url: f.optional("logoUrl", string),
        return_url: f.optional("returnUrl", string),
        support_url: f.optional("supportUrl", string),
        expires_at: f.required("expiresAt", string),
        price: f.optional("price", |v| money(&v).ok()),
        amount_currency: f.optional("amountCurrency", string),
        suggested_amounts: f
            .optional("suggestedAmounts", |v| {
                list(v, |a| amount(a.clone()).ok_or("suggestedAmounts"))
            })
            .unwrap_or_default(),
        min_amount: f.optional("minAmount", amount),
        max_amount: f.optional("maxAmount", amount),
        currencies: f.required("currencies", |v| list(v, currency_option)),
        payment: f.optional("payment", |v| payment(&v).ok()),
        version: f.required("version", whole),
        test: f.flag("test"),
        payer_contact_required: f.flag("payerContactRequired"),
        test_controls: f.flag("testControls"),
    };
    f.finish(checkout)
}

pub fn status_view(o: &JsValue) -> Result<StatusView> {
    let mut f = Fields::of(o);
    let view = StatusView {
        id: f.required("id", string),
        status: f.required("status", status),
        exception: f.optional("exception", exception),
        version: f.required("version", whole),
        payment_id: f.optional("paymentId", string),
        amount_paid: f.optional("amountPaid", amount),
        confirmations: f.optional("confirmations", small),
    };
    f.finish(view)
}

/// What `widget.js` read for a request it prefetched: `{ status, body }`, the body as the
/// browser parsed it, missing when it was not JSON.
pub fn prefetched_answer(o: &JsValue) -> Result<(u16, Option<JsValue>)> {
    let status = required(o, "status", http_status)?;
    let body = get(o, "body");
    Ok((status, (!body.is_undefined()).then_some(body)))
}

/// The `error` member of the server's one error envelope.
pub fn error_detail(body: &JsValue) -> Result<ErrorDetail> {
    let o = get(body, "error");
    let mut f = Fields::of(&o);
    let detail = ErrorDetail {
        code: f.required("code", string),
        message: f.required("message", string),
        field: f.optional("field", string),
    };
    f.finish(detail)
}

/// Sets `key` on a fresh object; `None` becomes `null`, as serde_json writes it.
fn set(object: &Object, key: &str, value: Option<JsValue>) {
    let _ = Reflect::set(object, &key.into(), &value.unwrap_or(JsValue::NULL));
}

fn text(value: &str) -> JsValue {
    JsValue::from_str(value)
}

fn amount_value(value: &Amount) -> JsValue {
    text(&value.to_string())
}

/// The body of the payer's pick; `amount` is left out when the checkout has a fixed price, and
/// `payerContact` when the provider does not ask for it.
pub fn pick_request(pick: &PickCurrencyRequest) -> JsValue {
    let o = Object::new();
    set(&o, "currency", Some(text(&pick.currency)));
    set(&o, "network", Some(text(&pick.network)));
    if let Some(amount) = &pick.amount {
        set(&o, "amount", Some(amount_value(amount)));
    }
    if let Some(contact) = &pick.payer_contact {
        set(&o, "payerContact", Some(text(contact)));
    }
    o.into()
}

/// The `statusChanged` event's `detail`, shaped like the JSON the README documents (absent
/// values are `null`, never `undefined`).
pub fn status_changed_detail(detail: &StatusChangedDetail) -> JsValue {
    let o = Object::new();
    set(&o, "id", Some(text(&detail.id)));
    set(&o, "status", Some(text(detail.status.as_str())));
    set(
        &o,
        "previousStatus",
        detail.previous_status.map(|s| text(s.as_str())),
    );
    set(&o, "paymentId", detail.payment_id.as_deref().map(text));
    set(&o, "currency", detail.currency.as_deref().map(text));
    set(&o, "network", detail.network.as_deref().map(text));
    set(&o, "amount", detail.amount.as_ref().map(amount_value));
    set(
        &o,
        "amountPaid",
        detail.amount_paid.as_ref().map(amount_value),
    );
    set(&o, "exception", detail.exception.map(|e| text(e.as_str())));
    o.into()
}

/// The `ready` event's `detail`: which checkout is on screen, in which status.
pub fn ready_detail(id: &str, status: &str) -> JsValue {
    let o = Object::new();
    set(&o, "id", Some(text(id)));
    set(&o, "status", Some(text(status)));
    o.into()
}

/// The `loadError` event's `detail`; `status` is the HTTP status when the server answered.
pub fn load_error_detail(
    reason: &str,
    message: &str,
    status: Option<u16>,
    retryable: bool,
) -> JsValue {
    let o = Object::new();
    set(&o, "reason", Some(text(reason)));
    set(&o, "message", Some(text(message)));
    set(&o, "status", status.map(|s| JsValue::from(u32::from(s))));
    set(&o, "retryable", Some(JsValue::from_bool(retryable)));
    o.into()
}

/// The body of a demo's test control.
pub fn test_action_request(action: TestAction) -> JsValue {
    let o = Object::new();
    set(&o, "action", Some(text(action.as_str())));
    o.into()
}
