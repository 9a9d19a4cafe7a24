//! The widget's hand-written JSON readers and writers against the server's serde, for every
//! wire type: a field renamed on one side fails here, not in a payer's browser.
#![cfg(target_arch = "wasm32")]

mod support;

use checkout_widget::wire;
use protocol::{
    CheckoutStatus, ErrorBody, ErrorDetail, Exception, PickCurrencyRequest, StatusChangedDetail,
    StatusView,
};
use support::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// What the browser hands the widget for a value the server serialized.
fn as_browser_sees_it<T: serde::Serialize>(value: &T) -> JsValue {
    js_sys::JSON::parse(&serde_json::to_string(value).unwrap()).unwrap()
}

fn as_server_reads_it<T: serde::de::DeserializeOwned>(value: &JsValue) -> T {
    let text: String = js_sys::JSON::stringify(value).unwrap().into();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[wasm_bindgen_test]
fn checkouts_of_every_shape_read_back_equal() {
    let mut full = with_payment(CheckoutStatus::Conflict, Some(Exception::Underpaid), "50");
    full.logo_url = Some("https://shop.example/logo.png".into());
    full.amount_currency = Some("USD".into());
    full.suggested_amounts = vec![amount("10.00"), amount("25")];
    full.min_amount = Some(amount("1"));
    full.max_amount = Some(amount("1000.00"));
    let mut bare = checkout(CheckoutStatus::New, None);
    bare.description = None;
    bare.return_url = None;
    bare.support_url = None;
    bare.price = None;
    bare.currencies = vec![];
    let mut no_extras = with_payment(CheckoutStatus::WaitingPayment, None, "0");
    if let Some(p) = no_extras.payment.as_mut() {
        p.remaining_wallet_uri = None;
        p.remaining_wallet_qr = None;
        p.wallet_qr = None;
        p.fiat = None;
        p.rate = None;
    }
    let page = with_page_payment(CheckoutStatus::WaitingPayment);
    for view in [full, bare, no_extras, page] {
        assert_eq!(wire::checkout(&as_browser_sees_it(&view)), Ok(view));
    }
}

#[wasm_bindgen_test]
fn every_status_and_exception_reads_back() {
    for status in CheckoutStatus::ALL {
        for exception in [
            None,
            Some(Exception::Underpaid),
            Some(Exception::Overpaid),
            Some(Exception::PaidLate),
        ] {
            let view = checkout(status, exception);
            assert_eq!(wire::checkout(&as_browser_sees_it(&view)), Ok(view));
        }
    }
}

#[wasm_bindgen_test]
fn status_views_read_back_equal() {
    let full = StatusView {
        id: "CCO-1".into(),
        status: CheckoutStatus::PendingPayment,
        exception: Some(Exception::Overpaid),
        version: 9_007_199_254_740_991,
        payment_id: Some("PAY-1".into()),
        amount_paid: Some(amount("0.000000000000000001")),
        confirmations: Some(2),
    };
    let bare = StatusView {
        id: "CCO-2".into(),
        status: CheckoutStatus::New,
        exception: None,
        version: 0,
        payment_id: None,
        amount_paid: None,
        confirmations: None,
    };
    for view in [full, bare] {
        assert_eq!(wire::status_view(&as_browser_sees_it(&view)), Ok(view));
    }
}

#[wasm_bindgen_test]
fn the_error_envelope_reads_back() {
    let body = ErrorBody {
        error: ErrorDetail {
            code: "invalid_amount".into(),
            message: "amount is below the minimum".into(),
            field: Some("amount".into()),
        },
    };
    assert_eq!(
        wire::error_detail(&as_browser_sees_it(&body)),
        Ok(body.error)
    );
}

#[wasm_bindgen_test]
fn the_server_reads_what_the_widget_writes() {
    for pick in [
        PickCurrencyRequest {
            currency: "USDT".into(),
            network: "TRON".into(),
            amount: Some(amount("12.50")),
            payer_contact: None,
        },
        PickCurrencyRequest {
            currency: "BTC".into(),
            network: "BITCOIN".into(),
            amount: None,
            payer_contact: None,
        },
        PickCurrencyRequest {
            currency: "PHP".into(),
            network: "COINSPH".into(),
            amount: None,
            payer_contact: Some("+639171234567".into()),
        },
    ] {
        let back: PickCurrencyRequest = as_server_reads_it(&wire::pick_request(&pick));
        assert_eq!(back, pick);
    }
    let view = with_payment(CheckoutStatus::Conflict, Some(Exception::Underpaid), "50");
    for detail in [
        StatusChangedDetail::from_view(&view, Some(CheckoutStatus::PendingPayment)),
        StatusChangedDetail::from_view(&checkout(CheckoutStatus::New, None), None),
    ] {
        let written = wire::status_changed_detail(&detail);
        let back: StatusChangedDetail = as_server_reads_it(&written);
        assert_eq!(back, detail);
        // Absent values are null, as in JSON, never undefined.
        let keys = js_sys::Object::keys(written.unchecked_ref::<js_sys::Object>());
        assert_eq!(keys.length(), 9);
    }
}

#[wasm_bindgen_test]
fn what_the_widget_cannot_trust_is_refused_with_the_field_named() {
    let read = |json: &str| wire::checkout(&js_sys::JSON::parse(json).unwrap());
    let mut good = serde_json::to_value(checkout(CheckoutStatus::New, None)).unwrap();
    good["price"]["amount"] = serde_json::json!(99.5);
    assert_eq!(read(&good.to_string()), Err("price"), "a float amount");
    let mut good = serde_json::to_value(checkout(CheckoutStatus::New, None)).unwrap();
    good["status"] = serde_json::json!("PAID");
    assert_eq!(read(&good.to_string()), Err("status"));
    let mut good = serde_json::to_value(checkout(CheckoutStatus::New, None)).unwrap();
    good["version"] = serde_json::json!(-1);
    assert_eq!(read(&good.to_string()), Err("version"));
    assert_eq!(read("null"), Err("id"));
}
