//! The whole `<app-widget>` against a stubbed `fetch`: loading, the first view, retry after a
//! failure, the payer's language from its file, attribute changes and `statusChanged`.
#![cfg(target_arch = "wasm32")]

mod support;

use std::cell::RefCell;
use std::rc::Rc;

use checkout_widget::events::STATUS_CHANGED;
use protocol::CheckoutStatus;
use support::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{CustomEvent, Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

/// Answers the widget's requests from `window.__answers` (path suffix -> [status, body, delay]),
/// the way the server would; anything else is a network failure.
fn stub_fetch(answers: &[(&str, u16, String, u32)]) {
    let table = js_sys::Object::new();
    for (suffix, status, body, delay) in answers {
        let entry = js_sys::Array::of3(&(*status).into(), &body.into(), &(*delay).into());
        js_sys::Reflect::set(&table, &(*suffix).into(), &entry).unwrap();
    }
    js_sys::Reflect::set(&js_sys::global(), &"__answers".into(), &table).unwrap();
    js("window.__requests = [];
        window.fetch = (request) => {
          const url = typeof request === 'string' ? request : request.url;
          window.__requests.push(url);
          const key = Object.keys(window.__answers).find((k) => url.endsWith(k));
          if (!key) return Promise.reject(new TypeError('offline'));
          const [status, body, delay] = window.__answers[key];
          return new Promise((resolve) => setTimeout(() => resolve(new Response(body,
            { status, headers: { 'Content-Type': 'application/json' } })), delay));
        };");
}

fn shadow(el: &Element, selector: &str) -> Option<Element> {
    el.shadow_root()?.query_selector(selector).ok().flatten()
}

fn screen_of(el: &Element) -> Option<String> {
    shadow(el, ".root")?.get_attribute("data-screen")
}

fn checkout_json(status: CheckoutStatus) -> String {
    serde_json::to_string(&checkout(status, None)).unwrap()
}

const ATTRS: [(&str, &str); 2] = [("id", "CCO-1"), ("api-base", "http://127.0.0.1:9")];

#[wasm_bindgen_test]
async fn a_skeleton_shows_while_loading_then_the_currency_list_and_one_event() {
    stub_fetch(&[(
        "/checkouts/CCO-1",
        200,
        checkout_json(CheckoutStatus::New),
        300,
    )]);
    let seen = Rc::new(RefCell::new(Vec::<JsValue>::new()));
    let sink = seen.clone();
    let listener = Closure::<dyn Fn(CustomEvent)>::new(move |e: CustomEvent| {
        sink.borrow_mut().push(e.detail());
    });
    document()
        .add_event_listener_with_callback(STATUS_CHANGED, listener.as_ref().unchecked_ref())
        .unwrap();
    let el = widget(&ATTRS);
    assert!(until(|| shadow(&el, ".skeleton[aria-busy=true]").is_some()).await);
    assert_eq!(screen_of(&el).as_deref(), Some("loading"));
    assert!(until(|| screen_of(&el).as_deref() == Some("choose")).await);
    assert_eq!(
        el.shadow_root()
            .unwrap()
            .query_selector_all("button.currency")
            .unwrap()
            .length(),
        7
    );
    assert_eq!(
        shadow(&el, ".name").unwrap().text_content().unwrap(),
        "Order 42"
    );
    assert!(shadow(&el, ".support a").is_some(), "the support link");
    sleep(50).await;
    document()
        .remove_event_listener_with_callback(STATUS_CHANGED, listener.as_ref().unchecked_ref())
        .unwrap();
    let seen = seen.borrow();
    assert_eq!(seen.len(), 1, "one event per change");
    let get = |k: &str| js_sys::Reflect::get(&seen[0], &k.into()).unwrap();
    assert_eq!(get("id").as_string().as_deref(), Some("CCO-1"));
    assert_eq!(get("status").as_string().as_deref(), Some("NEW"));
    for absent in [
        "previousStatus",
        "paymentId",
        "currency",
        "network",
        "amount",
        "amountPaid",
        "exception",
    ] {
        assert!(get(absent).is_null(), "{absent} is null");
    }
    el.remove();
}

#[wasm_bindgen_test]
async fn the_event_detail_carries_the_payment() {
    let view = with_payment(CheckoutStatus::WaitingPayment, None, "0");
    stub_fetch(&[(
        "/checkouts/CCO-1",
        200,
        serde_json::to_string(&view).unwrap(),
        0,
    )]);
    let seen = Rc::new(RefCell::new(None::<CustomEvent>));
    let sink = seen.clone();
    let listener = Closure::<dyn Fn(CustomEvent)>::new(move |e: CustomEvent| {
        *sink.borrow_mut() = Some(e);
    });
    let el = widget(&ATTRS);
    el.add_event_listener_with_callback(STATUS_CHANGED, listener.as_ref().unchecked_ref())
        .unwrap();
    assert!(until(|| seen.borrow().is_some()).await);
    let event = seen.borrow().clone().unwrap();
    assert!(event.bubbles() && event.composed());
    let detail = event.detail();
    let get = |k: &str| {
        js_sys::Reflect::get(&detail, &k.into())
            .unwrap()
            .as_string()
    };
    assert_eq!(get("status").as_deref(), Some("WAITING_PAYMENT"));
    assert_eq!(get("paymentId").as_deref(), Some("PAY-1"));
    assert_eq!(get("currency").as_deref(), Some("USDT"));
    assert_eq!(get("network").as_deref(), Some("TRON"));
    assert_eq!(
        get("amount").as_deref(),
        Some("99.462901"),
        "the canonical amount, a string"
    );
    assert_eq!(get("amountPaid").as_deref(), Some("0"));
    assert_eq!(screen_of(&el).as_deref(), Some("pay"));
    el.remove();
}

#[wasm_bindgen_test]
async fn a_server_error_shows_a_retry_that_recovers() {
    stub_fetch(&[(
        "/checkouts/CCO-1",
        503,
        r#"{"error":{"code":"unavailable","message":"down"}}"#.into(),
        0,
    )]);
    let el = widget(&ATTRS);
    assert!(until(|| screen_of(&el).as_deref() == Some("error")).await);
    let message = shadow(&el, ".error-message")
        .unwrap()
        .text_content()
        .unwrap();
    assert_eq!(
        message,
        "The payment server could not complete the request."
    );
    stub_fetch(&[(
        "/checkouts/CCO-1",
        200,
        checkout_json(CheckoutStatus::New),
        0,
    )]);
    shadow(&el, ".error button")
        .unwrap()
        .unchecked_into::<HtmlElement>()
        .click();
    assert!(until(|| screen_of(&el).as_deref() == Some("choose")).await);
    el.remove();
}

#[wasm_bindgen_test]
async fn the_payers_language_comes_from_its_file_next_to_the_loader() {
    stub_fetch(&[
        (
            "/checkouts/CCO-1",
            200,
            checkout_json(CheckoutStatus::New),
            0,
        ),
        // A file that is behind: keys it lacks stay English.
        (
            "/widget/locales/de.json",
            200,
            r#"{"pay_with":"Bezahlen mit"}"#.into(),
            100,
        ),
    ]);
    let el = widget(&[ATTRS[0], ATTRS[1], ("locale", "de-AT")]);
    assert!(until(|| screen_of(&el).as_deref() == Some("choose")).await);
    let root = shadow(&el, ".root").unwrap();
    assert_eq!(root.get_attribute("lang").as_deref(), Some("de"));
    assert_eq!(root.get_attribute("dir").as_deref(), Some("ltr"));
    assert_eq!(
        shadow(&el, ".section-title")
            .unwrap()
            .text_content()
            .unwrap(),
        "Bezahlen mit"
    );
    assert_eq!(
        shadow(&el, ".filter")
            .unwrap()
            .get_attribute("placeholder")
            .as_deref(),
        Some("Search currencies")
    );
    let requests = js_sys::Array::from(&js("return window.__requests"));
    assert!(requests
        .iter()
        .any(|r| r.as_string().unwrap() == "http://127.0.0.1:9/widget/locales/de.json"));
    el.remove();
}

#[wasm_bindgen_test]
async fn a_missing_language_file_leaves_the_widget_in_english() {
    stub_fetch(&[(
        "/checkouts/CCO-1",
        200,
        checkout_json(CheckoutStatus::New),
        0,
    )]);
    let el = widget(&[ATTRS[0], ATTRS[1], ("locale", "ar")]);
    assert!(until(|| screen_of(&el).as_deref() == Some("choose")).await);
    let root = shadow(&el, ".root").unwrap();
    assert_eq!(root.get_attribute("dir").as_deref(), Some("rtl"));
    assert_eq!(
        shadow(&el, ".section-title")
            .unwrap()
            .text_content()
            .unwrap(),
        "Pay with"
    );
    el.remove();
}

#[wasm_bindgen_test]
async fn changing_theme_or_id_reloads_with_the_new_value() {
    stub_fetch(&[
        (
            "/checkouts/CCO-1",
            200,
            checkout_json(CheckoutStatus::New),
            0,
        ),
        ("/checkouts/CCO-2", 200, r#"{}"#.into(), 0),
    ]);
    let el = widget(&[ATTRS[0], ATTRS[1], ("theme", "dark")]);
    assert!(until(|| screen_of(&el).as_deref() == Some("choose")).await);
    assert_eq!(
        shadow(&el, ".widget")
            .unwrap()
            .get_attribute("data-theme")
            .as_deref(),
        Some("dark")
    );
    el.set_attribute("theme", "light").unwrap();
    assert!(
        until(|| shadow(&el, ".widget")
            .and_then(|w| w.get_attribute("data-theme"))
            .as_deref()
            == Some("light"))
        .await
    );
    assert!(until(|| screen_of(&el).as_deref() == Some("choose")).await);
    stub_fetch(&[(
        "/checkouts/CCO-2",
        404,
        r#"{"error":{"code":"not_found","message":"no such checkout"}}"#.into(),
        0,
    )]);
    el.set_attribute("id", "CCO-2").unwrap();
    assert!(until(|| screen_of(&el).as_deref() == Some("error")).await);
    assert_eq!(
        shadow(&el, ".error-message")
            .unwrap()
            .text_content()
            .unwrap(),
        "no such checkout"
    );
    el.remove();
}

#[wasm_bindgen_test]
async fn a_checkout_the_loader_prefetched_is_used_once_instead_of_a_request() {
    use checkout_widget::api::{Api, ApiError};
    // Every request of the widget's own fails: only the prefetched answer can succeed.
    stub_fetch(&[]);
    let body = js_sys::JSON::stringify(&JsValue::from_str(&checkout_json(CheckoutStatus::New)))
        .unwrap()
        .as_string()
        .unwrap();
    js(&format!(
        "window.__checkoutWidgetPrefetch = {{
           'http://127.0.0.1:9/api/v1/public/checkouts/CCO-1':
             Promise.resolve(new Response({body}, {{ status: 200 }})),
           'http://127.0.0.1:9/api/v1/public/checkouts/CCO-2':
             Promise.resolve(new Response('{{}}', {{ status: 200 }})),
         }};"
    ));
    let api = Api::new("http://127.0.0.1:9/");
    let view = api.checkout("CCO-1").await.expect("the prefetched answer");
    assert_eq!(view.status, CheckoutStatus::New);
    let requests = || js("return window.__requests.length;").as_f64();
    assert_eq!(requests(), Some(0.0), "nothing was sent");
    // Taken once: the next read is a request of its own (which fails here).
    assert_eq!(api.checkout("CCO-1").await, Err(ApiError::Network));
    assert_eq!(requests(), Some(1.0));
    // A prefetched answer is read like any other: here one the widget does not understand.
    assert!(matches!(
        api.checkout("CCO-2").await,
        Err(ApiError::Unexpected(_))
    ));
    // Never for a write: a pick is always sent.
    js("window.__checkoutWidgetPrefetch['http://127.0.0.1:9/api/v1/public/checkouts/CCO-1/payment'] = Promise.resolve(new Response('{}'));");
    let pick = protocol::PickCurrencyRequest {
        currency: "BTC".into(),
        network: "BITCOIN".into(),
        amount: None,
        payer_contact: None,
    };
    assert_eq!(
        api.pick_currency("CCO-1", &pick).await,
        Err(ApiError::Network)
    );
    assert_eq!(requests(), Some(2.0));
    js("delete window.__checkoutWidgetPrefetch;");
}
