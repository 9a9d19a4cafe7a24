//! Browser tests of the widget: real Chromium, real DOM, no server (requests go to a closed
//! port, which is how an outage looks to the widget).
#![cfg(target_arch = "wasm32")]

mod support;

use std::time::Duration;

use checkout_widget::events::{dispatch_status_changed, STATUS_CHANGED};
use protocol::{CheckoutStatus, StatusChangedDetail};
use support::{document, widget};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{CustomEvent, Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

const UNREACHABLE: &str = "http://127.0.0.1:9";

async fn sleep(duration: Duration) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                &resolve,
                duration.as_millis() as i32,
            )
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// Waits for `selector` inside `host`'s shadow root.
async fn shadow_query(host: &Element, selector: &str) -> Option<Element> {
    for _ in 0..100 {
        if let Some(el) = host
            .shadow_root()
            .and_then(|root| root.query_selector(selector).ok().flatten())
        {
            return Some(el);
        }
        sleep(Duration::from_millis(20)).await;
    }
    None
}

#[wasm_bindgen_test]
async fn mounts_in_an_open_shadow_root_with_adopted_styles() {
    let el = widget(&[("id", "CCO-test"), ("api-base", UNREACHABLE)]);
    let root = el.shadow_root().expect("an open shadow root");
    let sheets = js_sys::Reflect::get(&root, &"adoptedStyleSheets".into()).unwrap();
    assert_eq!(js_sys::Array::from(&sheets).length(), 1);
    assert_eq!(el.children().length(), 0, "nothing in the light DOM");
    el.remove();
}

#[wasm_bindgen_test]
async fn an_unreachable_server_shows_an_error_with_retry_never_a_blank_box() {
    let el = widget(&[("id", "CCO-test"), ("api-base", UNREACHABLE)]);
    let alert = shadow_query(&el, "[role=alert]")
        .await
        .expect("an error view");
    let said = alert.text_content().unwrap();
    assert!(said.contains("payment server"), "{said}");
    let retry = shadow_query(&el, "[role=alert] button")
        .await
        .expect("a retry button");
    retry.unchecked_ref::<HtmlElement>().click();
    // Retrying shows the skeleton or the error again, never nothing.
    sleep(Duration::from_millis(50)).await;
    let root = el.shadow_root().unwrap();
    assert!(!root
        .query_selector(".widget")
        .unwrap()
        .unwrap()
        .inner_html()
        .trim()
        .is_empty());
    el.remove();
}

#[wasm_bindgen_test]
async fn missing_id_and_key_says_so() {
    let el = widget(&[("api-base", UNREACHABLE)]);
    let alert = shadow_query(&el, "[role=alert]")
        .await
        .expect("an error view");
    assert!(alert
        .text_content()
        .unwrap()
        .contains("no checkout id or widget key"));
    el.remove();
}

#[wasm_bindgen_test]
async fn changing_an_attribute_remounts_and_removal_tears_down() {
    let el = widget(&[("api-base", UNREACHABLE)]);
    shadow_query(&el, "[role=alert]")
        .await
        .expect("first render");
    let before = js_sys::Reflect::get(&el, &"__checkoutWidgetInstance".into()).unwrap();
    el.set_attribute("id", "CCO-other").unwrap();
    let after = js_sys::Reflect::get(&el, &"__checkoutWidgetInstance".into()).unwrap();
    assert_ne!(before, after, "a new instance after the attribute changed");
    el.remove();
    let gone = js_sys::Reflect::get(&el, &"__checkoutWidgetInstance".into()).unwrap();
    assert!(
        gone.is_undefined(),
        "the instance is dropped with the element"
    );
    // Re-inserting works.
    document().body().unwrap().append_child(&el).unwrap();
    shadow_query(&el, "[role=alert]")
        .await
        .expect("renders again after re-insertion");
    el.remove();
}

#[wasm_bindgen_test]
fn status_changed_bubbles_out_of_the_shadow_root_with_its_detail() {
    let el = widget(&[("api-base", UNREACHABLE)]);
    let seen = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let sink = seen.clone();
    let listener = Closure::<dyn Fn(CustomEvent)>::new(move |event: CustomEvent| {
        let detail = event.detail();
        let get = |k: &str| js_sys::Reflect::get(&detail, &k.into()).unwrap();
        sink.borrow_mut().push((
            get("id").as_string(),
            get("status").as_string(),
            get("previousStatus").is_null(),
            event.bubbles() && event.composed(),
        ));
    });
    document()
        .add_event_listener_with_callback(STATUS_CHANGED, listener.as_ref().unchecked_ref())
        .unwrap();
    let detail = StatusChangedDetail {
        id: "CCO-1".into(),
        status: CheckoutStatus::WaitingPayment,
        previous_status: None,
        payment_id: None,
        currency: None,
        network: None,
        amount: None,
        amount_paid: None,
        exception: None,
    };
    dispatch_status_changed(&el, &detail);
    document()
        .remove_event_listener_with_callback(STATUS_CHANGED, listener.as_ref().unchecked_ref())
        .unwrap();
    assert_eq!(
        seen.borrow().as_slice(),
        &[(
            Some("CCO-1".into()),
            Some("WAITING_PAYMENT".into()),
            true,
            true
        )]
    );
    el.remove();
}
