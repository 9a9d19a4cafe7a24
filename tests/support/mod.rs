//! Shared by the browser test files: fixtures shaped like the server's answers, a scratch
//! element to mount views in, and small DOM helpers.
#![allow(dead_code)]

use leptos::prelude::*;
use protocol::{
    Amount, CheckoutStatus, CheckoutType, CheckoutView, CurrencyOption, Exception, Money,
    PaymentView, QrMatrix,
};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

pub const ADDRESS: &str = "TXYZabcdefghijklmnopqrstuvw1234567";

pub fn amount(s: &str) -> Amount {
    Amount::parse(s).unwrap()
}

pub fn option(code: &str, network: &str, name: &str, network_name: &str) -> CurrencyOption {
    CurrencyOption {
        code: code.into(),
        network: network.into(),
        name: name.into(),
        network_name: network_name.into(),
        decimals: 6,
        confirmations_required: 3,
    }
}

/// Seven options: enough for the filter box.
pub fn options() -> Vec<CurrencyOption> {
    vec![
        option("USDT", "TRON", "Tether USD", "Tron (TRC-20)"),
        option("USDT", "ETHEREUM", "Tether USD", "Ethereum (ERC-20)"),
        option("BTC", "BITCOIN", "Bitcoin", "Bitcoin"),
        option("ETH", "ETHEREUM", "Ether", "Ethereum"),
        option("LTC", "LITECOIN", "Litecoin", "Litecoin"),
        option("TRX", "TRON", "Tron", "Tron"),
        option("USDC", "ETHEREUM", "USD Coin", "Ethereum (ERC-20)"),
    ]
}

pub fn checkout(status: CheckoutStatus, exception: Option<Exception>) -> CheckoutView {
    CheckoutView {
        id: "CCO-1".into(),
        checkout_type: CheckoutType::FixedPrice,
        status,
        exception,
        name: "Order 42".into(),
        description: Some("Two tickets".into()),
        logo_url: None,
        return_url: Some("https://shop.example/thanks".into()),
        support_url: Some("https://shop.example/help".into()),
        expires_at: "2099-01-01T00:00:00Z".into(),
        price: Some(Money {
            amount: amount("100.00"),
            currency: "USD".into(),
        }),
        amount_currency: None,
        suggested_amounts: vec![],
        min_amount: None,
        max_amount: None,
        currencies: options(),
        payment: None,
        version: 3,
        test: false,
        payer_contact_required: false,
        test_controls: false,
    }
}

/// A checkout priced in pesos, paid from a Coins.ph wallet: the payer's contact is asked for.
pub fn coinsph_checkout(status: CheckoutStatus) -> CheckoutView {
    let mut c = checkout(status, None);
    c.price = Some(Money {
        amount: amount("20.00"),
        currency: "PHP".into(),
    });
    let mut wallet = option("PHP", "COINSPH", "Coins.ph wallet", "Coins.ph");
    wallet.decimals = 2;
    c.currencies = vec![wallet];
    c.payer_contact_required = true;
    c
}

/// The same with its payment made on Coins.ph's page (no address, no QR code), as the server
/// sends it.
pub fn with_page_payment(status: CheckoutStatus) -> CheckoutView {
    let mut c = coinsph_checkout(status);
    let due = amount("20.00");
    let url = "https://coins.ph/payment/request/pr1";
    c.payment = Some(PaymentView {
        id: "PAY-2".into(),
        currency: "PHP".into(),
        network: "COINSPH".into(),
        address: String::new(),
        amount: due,
        amount_units: "2000".into(),
        amount_paid: amount("0.00"),
        amount_remaining: due,
        wallet_uri: url.into(),
        wallet_qr: None,
        remaining_wallet_uri: None,
        remaining_wallet_qr: None,
        fiat: None,
        rate: None,
        // The quote ends before the checkout, as the server's do.
        rate_expires_at: "2090-01-01T00:00:00Z".into(),
        confirmations: 0,
        confirmations_required: 1,
        test: false,
        payment_url: Some(url.into()),
    });
    c
}

/// A checkout with a USDT-on-TRON payment of which `paid` has arrived. Its URIs are what the
/// server sends for TRON: the plain address (no TRON payment URI is shared by its wallets, see
/// the server's `wallet_uri.rs`), and one for the remainder only once part is paid.
pub fn with_payment(
    status: CheckoutStatus,
    exception: Option<Exception>,
    paid: &str,
) -> CheckoutView {
    let mut c = checkout(status, exception);
    let due = amount("99.462901");
    let paid = amount(paid);
    let partly = !paid.is_zero() && paid < due;
    c.payment = Some(PaymentView {
        id: "PAY-1".into(),
        currency: "USDT".into(),
        network: "TRON".into(),
        address: ADDRESS.into(),
        amount: due,
        amount_units: "99462901".into(),
        amount_paid: paid,
        amount_remaining: due.saturating_sub(paid),
        wallet_uri: ADDRESS.into(),
        wallet_qr: Some(qr_pattern(29)),
        remaining_wallet_uri: partly.then(|| ADDRESS.into()),
        remaining_wallet_qr: partly.then(|| qr_pattern(25)),
        fiat: Some(Money {
            amount: amount("100.00"),
            currency: "USD".into(),
        }),
        rate: Some(amount("1.0054")),
        // The quote ends before the checkout, as the server's do.
        rate_expires_at: "2090-01-01T00:00:00Z".into(),
        confirmations: 1,
        confirmations_required: 3,
        test: false,
        payment_url: None,
    });
    c
}

pub const BTC_ADDRESS: &str = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4";

/// A checkout with a Bitcoin payment, its BIP21 URI as the server writes it.
pub fn with_bitcoin_payment(status: CheckoutStatus) -> CheckoutView {
    let mut c = with_payment(status, None, "0");
    let payment = c.payment.as_mut().expect("a payment");
    payment.currency = "BTC".into();
    payment.network = "BITCOIN".into();
    payment.address = BTC_ADDRESS.into();
    payment.amount = amount("0.00150000");
    payment.amount_units = "150000".into();
    payment.amount_paid = amount("0");
    payment.amount_remaining = amount("0.00150000");
    payment.wallet_uri = format!("bitcoin:{BTC_ADDRESS}?amount=0.0015");
    c
}

pub fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// A mounted view; dropping it unmounts the view and removes its scratch element.
pub struct Mounted {
    pub root: HtmlElement,
    /// The `<app-widget>` whose shadow root holds `root`, for [`mount_styled`].
    pub host: Option<HtmlElement>,
    _handle: Box<dyn std::any::Any>,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.root.remove();
        if let Some(host) = &self.host {
            host.remove();
        }
        if !std::thread::panicking() {
            assert_no_crash();
        }
    }
}

/// Starts recording uncaught errors in the page. A panic in an event handler or a task is a
/// `RuntimeError: unreachable` reported to `window`, never to the test that caused it, so
/// without this a crash passes silently.
fn watch_for_crashes() {
    js("if (!window.__crashes) {
          window.__crashes = [];
          window.addEventListener('error', (e) => window.__crashes.push(String(e.message)));
          window.addEventListener('unhandledrejection',
            (e) => window.__crashes.push('unhandled rejection: ' + e.reason));
        }");
}

/// Fails the test if anything uncaught happened in the page since the last check.
pub fn assert_no_crash() {
    let crashes = js("return (window.__crashes || []).splice(0).join('\\n');");
    let crashes = crashes.as_string().unwrap_or_default();
    assert!(crashes.is_empty(), "uncaught in the page: {crashes}");
}

impl Mounted {
    pub fn query(&self, selector: &str) -> Option<Element> {
        self.root.query_selector(selector).unwrap()
    }

    pub fn get(&self, selector: &str) -> HtmlElement {
        self.query(selector)
            .unwrap_or_else(|| panic!("{selector} in {}", self.root.inner_html()))
            .unchecked_into()
    }

    pub fn all(&self, selector: &str) -> Vec<HtmlElement> {
        let list = self.root.query_selector_all(selector).unwrap();
        (0..list.length())
            .map(|i| list.item(i).unwrap().unchecked_into())
            .collect()
    }

    pub fn text(&self, selector: &str) -> String {
        self.get(selector).text_content().unwrap_or_default()
    }
}

/// Mounts `view` into a fresh element in the page.
pub fn mount<F, N>(view: F) -> Mounted
where
    F: FnOnce() -> N + 'static,
    N: IntoView + 'static,
{
    watch_for_crashes();
    let root: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&root).unwrap();
    let handle = leptos::mount::mount_to(root.clone(), view);
    Mounted {
        root,
        host: None,
        _handle: Box::new(handle),
    }
}

/// Mounts `view` the way the element does, so the stylesheet applies: inside `.widget` (with
/// `theme`) in the open shadow root of an `<app-widget>` appended to `parent`, with the
/// widget's stylesheet adopted.
pub fn mount_styled<F, N>(parent: &Element, theme: &str, view: F) -> Mounted
where
    F: FnOnce() -> N + 'static,
    N: IntoView + 'static,
{
    watch_for_crashes();
    let host: HtmlElement = document()
        .create_element("app-widget")
        .unwrap()
        .unchecked_into();
    parent.append_child(&host).unwrap();
    let init = web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open);
    let shadow = host.attach_shadow(&init).unwrap();
    checkout_widget::styles::adopt(&shadow);
    let root: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    root.set_class_name("widget");
    root.set_attribute("data-theme", theme).unwrap();
    shadow.append_child(&root).unwrap();
    let handle = leptos::mount::mount_to(root.clone(), view);
    Mounted {
        root,
        host: Some(host),
        _handle: Box::new(handle),
    }
}

/// A block in the page with `style` (the host pages the widget is embedded in).
pub fn page_box(style: &str) -> HtmlElement {
    let el: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    el.set_attribute("style", style).unwrap();
    document().body().unwrap().append_child(&el).unwrap();
    el
}

/// The element's box on screen: (left, top, width, height).
pub fn rect(el: &Element) -> (f64, f64, f64, f64) {
    let r = el.get_bounding_client_rect();
    (r.left(), r.top(), r.width(), r.height())
}

/// A computed style property of `el`.
pub fn computed(el: &Element, property: &str) -> String {
    web_sys::window()
        .unwrap()
        .get_computed_style(el)
        .unwrap()
        .unwrap()
        .get_property_value(property)
        .unwrap()
        .trim()
        .to_owned()
}

pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// Waits up to two seconds for `condition`; fails the test at once if the page crashed.
pub async fn until(mut condition: impl FnMut() -> bool) -> bool {
    for _ in 0..100 {
        assert_no_crash();
        if condition() {
            return true;
        }
        sleep(20).await;
    }
    condition()
}

/// Types `text` into an input the way a payer does (the view listens to `input`).
pub fn type_into(input: &HtmlElement, text: &str) {
    input
        .unchecked_ref::<web_sys::HtmlInputElement>()
        .set_value(text);
    let event = web_sys::Event::new("input").unwrap();
    input.dispatch_event(&event).unwrap();
}

/// Runs JavaScript in the test page (stubs for browser APIs).
pub fn js(source: &str) -> wasm_bindgen::JsValue {
    js_sys::Function::new_no_args(source)
        .call0(&wasm_bindgen::JsValue::NULL)
        .unwrap()
}

/// A stand-in for the server's QR matrix (the widget only draws it): a checkerboard, so every
/// row has dark runs to draw.
pub fn qr_pattern(size: u16) -> QrMatrix {
    let side = usize::from(size);
    let dark: Vec<bool> = (0..side * side)
        .map(|i| (i / side + i % side) % 2 == 0)
        .collect();
    QrMatrix::from_dark(size, &dark).expect("a square pattern")
}

/// An `<app-widget>` with `attrs`, in the page. The loader's base is a closed port, so nothing
/// the test does not stub reaches a server.
pub fn widget(attrs: &[(&str, &str)]) -> HtmlElement {
    watch_for_crashes();
    checkout_widget::define("http://127.0.0.1:9/widget/".into());
    let el: HtmlElement = document()
        .create_element("app-widget")
        .unwrap()
        .unchecked_into();
    for (name, value) in attrs {
        el.set_attribute(name, value).unwrap();
    }
    document().body().unwrap().append_child(&el).unwrap();
    el
}
