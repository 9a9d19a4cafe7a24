//! The whole `<app-widget>` against a stubbed `fetch`: loading, the first view, retry after a
//! failure, the payer's language from its file, attribute changes and `statusChanged`.
#![cfg(target_arch = "wasm32")]

mod support;

use std::cell::RefCell;
use std::rc::Rc;

use checkout_widget::events::{LOAD_ERROR, READY, STATUS_CHANGED};
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

/// Records the `detail` of every `name` event the element dispatches.
fn record(el: &Element, name: &str) -> Rc<RefCell<Vec<JsValue>>> {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let sink = seen.clone();
    let listener = Closure::<dyn Fn(CustomEvent)>::new(move |e: CustomEvent| {
        assert!(e.bubbles() && e.composed());
        sink.borrow_mut().push(e.detail());
    });
    el.add_event_listener_with_callback(name, listener.as_ref().unchecked_ref())
        .unwrap();
    listener.forget();
    seen
}

fn field(detail: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(detail, &key.into()).unwrap()
}

#[wasm_bindgen_test]
async fn ready_fires_once_when_the_first_view_can_be_used() {
    stub_fetch(&[(
        "/checkouts/CCO-1",
        200,
        checkout_json(CheckoutStatus::New),
        200,
    )]);
    let el = widget(&ATTRS);
    let ready = record(&el, READY);
    let failed = record(&el, LOAD_ERROR);
    assert!(until(|| !ready.borrow().is_empty()).await);
    assert_eq!(
        screen_of(&el).as_deref(),
        Some("choose"),
        "ready comes with the view, not before"
    );
    assert!(shadow(&el, "button.currency").is_some());
    let detail = ready.borrow()[0].clone();
    assert_eq!(field(&detail, "id").as_string().as_deref(), Some("CCO-1"));
    assert_eq!(field(&detail, "status").as_string().as_deref(), Some("NEW"));
    sleep(100).await;
    assert_eq!(ready.borrow().len(), 1, "once per mount");
    assert!(failed.borrow().is_empty());
    el.remove();
}

#[wasm_bindgen_test]
async fn load_error_says_why_and_whether_a_retry_can_help() {
    stub_fetch(&[(
        "/checkouts/CCO-1",
        404,
        r#"{"error":{"code":"not_found","message":"checkout CCO-1 not found"}}"#.into(),
        0,
    )]);
    let el = widget(&ATTRS);
    let failed = record(&el, LOAD_ERROR);
    let ready = record(&el, READY);
    assert!(until(|| !failed.borrow().is_empty()).await);
    let detail = failed.borrow()[0].clone();
    assert_eq!(
        field(&detail, "reason").as_string().as_deref(),
        Some("not_found")
    );
    assert_eq!(
        field(&detail, "message").as_string().as_deref(),
        Some("checkout CCO-1 not found")
    );
    assert_eq!(field(&detail, "status").as_f64(), Some(404.0));
    assert_eq!(field(&detail, "retryable").as_bool(), Some(false));
    el.remove();

    // No answer at all: `network`, worth retrying; the retry that works is then `ready`.
    stub_fetch(&[]);
    let el = widget(&ATTRS);
    let failed = record(&el, LOAD_ERROR);
    let now_ready = record(&el, READY);
    assert!(until(|| !failed.borrow().is_empty()).await);
    let detail = failed.borrow()[0].clone();
    assert_eq!(
        field(&detail, "reason").as_string().as_deref(),
        Some("network")
    );
    assert!(field(&detail, "status").is_null());
    assert_eq!(field(&detail, "retryable").as_bool(), Some(true));
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
    assert!(until(|| now_ready.borrow().len() == 1).await);
    assert!(ready.borrow().is_empty(), "the removed widget said nothing");
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

fn requests_made() -> u32 {
    js_sys::Array::from(&js("return window.__requests")).length()
}

#[wasm_bindgen_test]
async fn theme_and_locale_re_render_without_asking_again_and_a_new_id_reloads() {
    stub_fetch(&[
        (
            "/checkouts/CCO-1",
            200,
            checkout_json(CheckoutStatus::New),
            0,
        ),
        (
            "/widget/locales/fr.json",
            200,
            r#"{"pay_with":"Payer avec"}"#.into(),
            0,
        ),
    ]);
    let el = widget(&[ATTRS[0], ATTRS[1], ("theme", "dark")]);
    let statuses = record(&el, STATUS_CHANGED);
    let ready = record(&el, READY);
    assert!(until(|| screen_of(&el).as_deref() == Some("choose")).await);
    let theme = || shadow(&el, ".widget").and_then(|w| w.get_attribute("data-theme"));
    assert_eq!(theme().as_deref(), Some("dark"));
    let asked = requests_made();

    el.set_attribute("theme", "light").unwrap();
    assert_eq!(theme().as_deref(), Some("light"));
    el.set_attribute("locale", "fr").unwrap();
    let title = || {
        shadow(&el, ".section-title")
            .and_then(|t| t.text_content())
            .unwrap_or_default()
    };
    assert!(until(|| title() == "Payer avec").await, "{}", title());
    assert_eq!(screen_of(&el).as_deref(), Some("choose"));
    let fetched: Vec<String> = js_sys::Array::from(&js("return window.__requests"))
        .iter()
        .skip(asked as usize)
        .filter_map(|r| r.as_string())
        .collect();
    assert_eq!(
        fetched,
        ["http://127.0.0.1:9/widget/locales/fr.json"],
        "only the new language's words, never the checkout again"
    );
    sleep(50).await;
    assert_eq!(statuses.borrow().len(), 1, "no second statusChanged");
    assert_eq!(ready.borrow().len(), 1, "no second ready");

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

const KEY: &str = "5e1f0a3c-7d2b-4c8e-9a61-0d3b2f4e8c17";
const SLOT: &str = "checkout-widget:http://127.0.0.1:9#5e1f0a3c-7d2b-4c8e-9a61-0d3b2f4e8c17";

fn remembered() -> Option<String> {
    js(&format!("return localStorage.getItem('{SLOT}');")).as_string()
}

fn opened(status: CheckoutStatus, id: &str) -> String {
    let mut view = match status {
        CheckoutStatus::New => checkout(status, None),
        _ => with_payment(status, None, "0"),
    };
    view.id = id.into();
    serde_json::to_string(&view).unwrap()
}

#[wasm_bindgen_test]
async fn a_payment_link_resumes_its_checkout_after_a_reload_until_it_is_final() {
    js(&format!("localStorage.removeItem('{SLOT}');"));
    let link = [("widget-key", KEY), ("api-base", "http://127.0.0.1:9")];
    let open = format!("/widgets/{KEY}/checkouts");
    stub_fetch(&[
        (&open, 201, opened(CheckoutStatus::New, "CCO-7"), 0),
        (
            "/checkouts/CCO-7",
            200,
            opened(CheckoutStatus::WaitingPayment, "CCO-7"),
            0,
        ),
    ]);
    // First visit: a new checkout, remembered.
    let el = widget(&link);
    assert!(until(|| screen_of(&el).as_deref() == Some("choose")).await);
    assert_eq!(remembered().as_deref(), Some("CCO-7"));
    el.remove();

    // The reload: the same checkout, read rather than opened again.
    let asked = requests_made();
    let el = widget(&link);
    assert!(until(|| screen_of(&el).as_deref() == Some("pay")).await);
    let fetched: Vec<String> = js_sys::Array::from(&js("return window.__requests"))
        .iter()
        .skip(asked as usize)
        .filter_map(|r| r.as_string())
        .collect();
    assert!(
        fetched.iter().all(|u| !u.ends_with(&open)),
        "no new checkout: {fetched:?}"
    );
    el.remove();

    // It ended (paid): forgotten, and the next visit starts afresh.
    stub_fetch(&[
        (
            "/checkouts/CCO-7",
            200,
            opened(CheckoutStatus::Success, "CCO-7"),
            0,
        ),
        (&open, 201, opened(CheckoutStatus::New, "CCO-8"), 0),
    ]);
    let el = widget(&link);
    assert!(until(|| screen_of(&el).as_deref() == Some("choose")).await);
    assert_eq!(remembered().as_deref(), Some("CCO-8"));
    el.remove();

    // Unreachable while a checkout is remembered: an error, not a second checkout.
    stub_fetch(&[(&open, 201, opened(CheckoutStatus::New, "CCO-9"), 0)]);
    let el = widget(&link);
    assert!(until(|| screen_of(&el).as_deref() == Some("error")).await);
    assert_eq!(remembered().as_deref(), Some("CCO-8"));
    el.remove();
    js(&format!("localStorage.removeItem('{SLOT}');"));
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
    // As `widget.js` leaves them: the status and the body already parsed (none when the body
    // was not JSON).
    js(&format!(
        "window.__checkoutWidgetPrefetch = {{
           'http://127.0.0.1:9/api/v1/public/checkouts/CCO-1':
             Promise.resolve({{ status: 200, body: JSON.parse({body}) }}),
           'http://127.0.0.1:9/api/v1/public/checkouts/CCO-2':
             Promise.resolve({{ status: 200, body: {{}} }}),
           'http://127.0.0.1:9/api/v1/public/checkouts/CCO-3':
             Promise.resolve({{ status: 200 }}),
           'http://127.0.0.1:9/api/v1/public/checkouts/CCO-4':
             Promise.resolve({{ status: 404, body: {{ error: {{ code: 'not_found', message: 'gone' }} }} }}),
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
    assert_eq!(
        api.checkout("CCO-3").await,
        Err(ApiError::Unexpected("body".into()))
    );
    assert_eq!(
        api.checkout("CCO-4").await,
        Err(ApiError::Server {
            status: 404,
            code: "not_found".into(),
            message: "gone".into()
        })
    );
    assert_eq!(requests(), Some(1.0), "each prefetched answer was taken");
    // Never for a write: a pick is always sent.
    js("window.__checkoutWidgetPrefetch['http://127.0.0.1:9/api/v1/public/checkouts/CCO-1/payment'] = Promise.resolve({ status: 200, body: {} });");
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

/// The element focused inside the widget's shadow root, if any.
fn focused_in(el: &Element) -> Option<Element> {
    el.shadow_root()?.active_element()
}

#[wasm_bindgen_test]
async fn the_screen_reader_status_announces_a_load_error() {
    stub_fetch(&[(
        "/checkouts/CCO-1",
        404,
        r#"{"error":{"code":"not_found","message":"checkout CCO-1 not found"}}"#.into(),
        0,
    )]);
    let el = widget(&ATTRS);
    assert!(until(|| screen_of(&el).as_deref() == Some("error")).await);
    let status = || {
        shadow(&el, "[role=status][aria-live=polite]")
            .and_then(|s| s.text_content())
            .unwrap_or_default()
    };
    assert!(
        until(|| status() == "checkout CCO-1 not found").await,
        "still says `{}`",
        status()
    );
    el.remove();
}

#[wasm_bindgen_test]
async fn focus_moves_to_the_new_views_heading_but_never_on_load_or_while_typing() {
    let mut picked = with_payment(CheckoutStatus::WaitingPayment, None, "0");
    picked.version = 9;
    stub_fetch(&[
        (
            "/checkouts/CCO-1",
            200,
            serde_json::to_string(&with_payment(CheckoutStatus::WaitingPayment, None, "0"))
                .unwrap(),
            0,
        ),
        (
            "/checkouts/CCO-1/payment",
            200,
            serde_json::to_string(&picked).unwrap(),
            0,
        ),
    ]);
    let el = widget(&ATTRS);
    assert!(until(|| screen_of(&el).as_deref() == Some("pay")).await);
    sleep(100).await;
    assert!(
        focused_in(&el).is_none(),
        "the page's first view takes no focus"
    );

    let click = |selector: &str| {
        shadow(&el, selector)
            .unwrap()
            .unchecked_into::<HtmlElement>()
            .click()
    };
    click("button[part=back]");
    assert!(until(|| screen_of(&el).as_deref() == Some("choose")).await);
    let heading = || focused_in(&el).filter(|e| e.tag_name() == "H3");
    assert!(
        until(|| heading().is_some()).await,
        "focus on the list's heading"
    );
    assert_eq!(
        heading().unwrap().text_content().as_deref(),
        Some("Pay with")
    );

    click("button.currency[data-currency=USDT][data-network=TRON]");
    assert!(until(|| screen_of(&el).as_deref() == Some("pay")).await);
    assert!(
        until(|| heading().is_some()).await,
        "focus on the payment's heading"
    );
    assert_eq!(
        heading().unwrap().text_content().as_deref(),
        Some("Waiting for your payment")
    );

    // The payer types in the host page while the view changes: their field keeps focus.
    let field: HtmlElement = document().create_element("input").unwrap().unchecked_into();
    document().body().unwrap().append_child(&field).unwrap();
    field.focus().unwrap();
    click("button[part=back]");
    assert!(until(|| screen_of(&el).as_deref() == Some("choose")).await);
    sleep(100).await;
    assert_eq!(
        document().active_element().as_ref(),
        Some(field.unchecked_ref::<Element>()),
        "focus stayed in the field being typed in"
    );
    field.remove();
    el.remove();
}

/// The server says the checkout moved on to `version` (its name now `name`, which the header
/// shows), and the widget hears of it at once: the browser says the network is back, which
/// makes it read the checkout again.
async fn live_update(el: &Element, mut view: protocol::CheckoutView, version: u64, name: &str) {
    view.version = version;
    view.name = name.into();
    let status = protocol::StatusView {
        id: view.id.clone(),
        status: view.status,
        exception: view.exception,
        version,
        payment_id: view.payment.as_ref().map(|p| p.id.clone()),
        amount_paid: None,
        confirmations: None,
    };
    stub_fetch(&[
        (
            "/checkouts/CCO-1/status",
            200,
            serde_json::to_string(&status).unwrap(),
            0,
        ),
        (
            "/checkouts/CCO-1",
            200,
            serde_json::to_string(&view).unwrap(),
            0,
        ),
    ]);
    js("window.dispatchEvent(new Event('online'));");
    let shown = || shadow(el, "h2.name").and_then(|h| h.text_content());
    assert!(
        until(|| shown().as_deref() == Some(name)).await,
        "the update was shown"
    );
}

/// A live update re-renders the view in place while the payer's keyboard is on it: the pay
/// view's heading (focused after a pick), the description (a Tab stop) and a link keep their
/// focus. Built with Leptos's `erase_components` (as shipped), a re-render removes and re-adds
/// every attribute a view gives an element, and an element whose `tabindex` is removed while it
/// has focus loses it to the page's `<body>`: so no view gives a `tabindex` (the app's
/// `focus_heading` and the header's `tab_stop` do). Fails with
/// `RUSTFLAGS="--cfg erase_components"` when a view gives one.
#[wasm_bindgen_test]
async fn focus_survives_a_live_update_of_the_view() {
    let mut picked = with_payment(CheckoutStatus::WaitingPayment, None, "0");
    picked.version = 9;
    stub_fetch(&[
        (
            "/checkouts/CCO-1",
            200,
            checkout_json(CheckoutStatus::New),
            0,
        ),
        (
            "/checkouts/CCO-1/payment",
            200,
            serde_json::to_string(&picked).unwrap(),
            0,
        ),
    ]);
    let el = widget(&ATTRS);
    assert!(until(|| screen_of(&el).as_deref() == Some("choose")).await);
    shadow(
        &el,
        "button.currency[data-currency=USDT][data-network=TRON]",
    )
    .unwrap()
    .unchecked_into::<HtmlElement>()
    .click();
    assert!(until(|| screen_of(&el).as_deref() == Some("pay")).await);
    let heading = || focused_in(&el).filter(|e| e.tag_name() == "H3");
    assert!(
        until(|| heading().is_some()).await,
        "focus on the payment's heading"
    );

    live_update(&el, picked.clone(), 10, "Order 42, row 7").await;
    sleep(50).await;
    assert_eq!(
        heading().and_then(|h| h.text_content()).as_deref(),
        Some("Waiting for your payment"),
        "the heading kept focus through the update"
    );

    // The description (a Tab stop of its own) and a link, each through an update of its own.
    for (selector, version) in [("p.description", 11), ("[part=support] a", 12)] {
        let target = shadow(&el, selector).unwrap();
        target.unchecked_ref::<HtmlElement>().focus().unwrap();
        let name = format!("Order 42, row {version}");
        live_update(&el, picked.clone(), version, &name).await;
        sleep(50).await;
        assert_eq!(
            focused_in(&el),
            Some(target),
            "`{selector}` kept focus through the update"
        );
    }
    el.remove();
}

#[wasm_bindgen_test]
async fn an_expired_payment_link_starts_a_fresh_checkout_on_request() {
    js(&format!("localStorage.removeItem('{SLOT}');"));
    let link = [("widget-key", KEY), ("api-base", "http://127.0.0.1:9")];
    let open = format!("/widgets/{KEY}/checkouts");
    let mut expired = checkout(CheckoutStatus::Expired, None);
    expired.id = "CCO-7".into();
    stub_fetch(&[(&open, 201, serde_json::to_string(&expired).unwrap(), 0)]);
    let el = widget(&link);
    assert!(until(|| screen_of(&el).as_deref() == Some("expired")).await);
    assert_eq!(remembered(), None, "an ended checkout is not resumed");

    stub_fetch(&[(&open, 201, opened(CheckoutStatus::New, "CCO-8"), 0)]);
    shadow(&el, "button[part=start-again]")
        .expect("a way to start again")
        .unchecked_into::<HtmlElement>()
        .click();
    assert!(until(|| screen_of(&el).as_deref() == Some("choose")).await);
    assert_eq!(remembered().as_deref(), Some("CCO-8"));
    assert!(
        until(|| focused_in(&el).is_some_and(|e| e.tag_name() == "H3")).await,
        "the fresh checkout's heading has focus"
    );
    el.remove();
    js(&format!("localStorage.removeItem('{SLOT}');"));

    // A checkout id names one checkout: no way to start again, and it says so.
    stub_fetch(&[(
        "/checkouts/CCO-1",
        200,
        checkout_json(CheckoutStatus::Expired),
        0,
    )]);
    let el = widget(&ATTRS);
    assert!(until(|| screen_of(&el).as_deref() == Some("expired")).await);
    assert!(shadow(&el, "button[part=start-again]").is_none());
    assert!(shadow(&el, "[part=no-restart]").is_some());
    el.remove();
}
