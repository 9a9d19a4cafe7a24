//! Every view of the journey mounted alone with a fixture checkout, in real Chromium.
#![cfg(target_arch = "wasm32")]

mod support;

use checkout_widget::api::ApiError;
use checkout_widget::components::choose::Choose;
use checkout_widget::components::copy::CopyButton;
use checkout_widget::components::feedback::{Failure, Skeleton};
use checkout_widget::components::header::Header;
use checkout_widget::components::outcome::Outcome;
use checkout_widget::components::pay::Pay;
use checkout_widget::components::processing::Processing;
use checkout_widget::i18n::Locale;
use checkout_widget::state::{links_back, screen, Screen};
use leptos::prelude::*;
use protocol::{CheckoutStatus::*, CheckoutType, Exception, PickCurrencyRequest};
use support::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const EN: Locale = Locale::En;

#[wasm_bindgen_test]
async fn choose_filters_the_list_and_validates_the_amount_before_picking() {
    let mut c = checkout(New, None);
    c.checkout_type = CheckoutType::NoPrice;
    c.price = None;
    c.amount_currency = Some("USD".into());
    c.min_amount = Some(amount("10.00"));
    c.max_amount = Some(amount("1000.00"));
    let picked = RwSignal::new(None::<PickCurrencyRequest>);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let m = mount(move || {
        view! {
            <Choose checkout=c locale=EN on_pick=move |r| picked.set(Some(r)) busy=busy error=error />
        }
    });
    assert_eq!(m.all("button.currency").len(), 7);
    let usdt_tron = m.get("button.currency[data-currency=USDT][data-network=TRON]");
    assert!(
        usdt_tron.text_content().unwrap().contains("Tron (TRC-20)"),
        "network shown"
    );

    type_into(&m.get("input.filter"), "erc-20");
    assert!(
        until(|| m.all("button.currency").len() == 2).await,
        "filtered by network"
    );
    type_into(&m.get("input.filter"), "nothing like this");
    assert!(until(|| m.query("p.muted").is_some()).await);
    assert_eq!(m.text("p.muted"), "No currency matches your search.");
    type_into(&m.get("input.filter"), "");
    assert!(until(|| m.all("button.currency").len() == 7).await);

    // No amount yet: the payer is told, nothing is picked.
    m.get("button.currency[data-currency=BTC]").click();
    assert!(until(|| !m.text("#cw-amount-error").is_empty()).await);
    assert_eq!(m.text("#cw-amount-error"), "Enter an amount first.");
    assert_eq!(
        m.get("#cw-amount").get_attribute("aria-invalid").as_deref(),
        Some("true")
    );
    for (typed, says) in [
        ("5", "The minimum is 10.00."),
        ("1000.01", "The maximum is 1,000.00."),
        ("12.345", "Use at most 2 decimal places."),
        ("abc", "Enter an amount, for example 10.00."),
    ] {
        type_into(&m.get("#cw-amount"), typed);
        m.get("button.currency[data-currency=BTC]").click();
        assert!(
            until(|| m.text("#cw-amount-error") == says).await,
            "{typed}: {}",
            m.text("#cw-amount-error")
        );
    }
    assert_eq!(picked.get_untracked(), None);

    type_into(&m.get("#cw-amount"), "1,000");
    m.get("button.currency[data-currency=BTC]").click();
    assert!(until(|| picked.get_untracked().is_some()).await);
    assert_eq!(
        picked.get_untracked(),
        Some(PickCurrencyRequest {
            currency: "BTC".into(),
            network: "BITCOIN".into(),
            amount: Some(amount("1000")),
            payer_contact: None,
        })
    );
    assert!(until(|| m.text("#cw-amount-error").is_empty()).await);

    // While a pick is on its way the buttons are disabled; a refusal is shown.
    busy.set(true);
    assert!(until(|| m.get("button.currency").has_attribute("disabled")).await);
    error.set(Some(ApiError::Server {
        status: 422,
        code: "invalid_amount".into(),
        message: "amount is below the minimum".into(),
    }));
    assert!(
        until(|| m
            .all("[role=alert]")
            .iter()
            .any(|e| e.text_content().unwrap() == "amount is below the minimum"))
        .await
    );
}

/// A pick that does not move focus (Safari's buttons, a scripted `.click()`) leaves the amount
/// field focused; when the pick succeeds the choice view goes away with the field, whose blur
/// then arrives after its owner is gone.
#[wasm_bindgen_test]
async fn picking_while_the_amount_field_has_focus_does_not_crash() {
    let mut c = checkout(New, None);
    c.checkout_type = CheckoutType::NoPrice;
    c.price = None;
    c.amount_currency = Some("USD".into());
    let choosing = RwSignal::new(true);
    let m = mount(move || {
        view! {
            <Show when=move || choosing.get() fallback=|| view! { <p class="paying">"paying"</p> }>
                <Choose checkout=c.clone() locale=EN on_pick=move |_| choosing.set(false)
                    busy=RwSignal::new(false) error=RwSignal::new(None) />
            </Show>
        }
    });
    let field = m.get("#cw-amount");
    field.focus().unwrap();
    type_into(&field, "25");
    m.get("button.currency[data-currency=BTC]").click();
    assert!(until(|| m.query(".paying").is_some()).await);
    sleep(50).await;
    assert_no_crash();
}

#[wasm_bindgen_test]
async fn choose_asks_for_the_payers_contact_when_the_provider_needs_it() {
    let c = coinsph_checkout(New);
    let picked = RwSignal::new(None::<PickCurrencyRequest>);
    let m = mount(move || {
        view! {
            <Choose checkout=c locale=EN on_pick=move |r| picked.set(Some(r))
                busy=RwSignal::new(false) error=RwSignal::new(None) />
        }
    });
    // A labelled field, with what is accepted.
    let label = m.get("label[for=cw-contact]");
    assert_eq!(
        label.text_content().unwrap(),
        "Your Coins.ph email, phone number or account ID"
    );
    assert!(m.text("#cw-contact-hint").contains("+63 917 123 4567"));
    let wallet = "button.currency[data-currency=PHP][data-network=COINSPH]";
    assert!(m.text(wallet).contains("Coins.ph wallet"));
    // Nothing typed, or nothing a contact can be: the payer is told, nothing is picked.
    for typed in ["", "juan", "09171234567"] {
        type_into(&m.get("#cw-contact"), typed);
        m.get(wallet).click();
        assert!(
            until(|| !m.text("#cw-contact-error").is_empty()).await,
            "{typed:?}"
        );
        assert_eq!(
            m.get("#cw-contact")
                .get_attribute("aria-invalid")
                .as_deref(),
            Some("true")
        );
    }
    assert_eq!(
        m.text("#cw-contact-error"),
        "Enter an email, a phone number starting with + and the country code, or a 32-character account ID."
    );
    assert_eq!(picked.get_untracked(), None);
    // Typing again clears the complaint; a phone number is sent in its normal form.
    type_into(&m.get("#cw-contact"), "+63 917 123 4567");
    assert!(until(|| m.text("#cw-contact-error").is_empty()).await);
    m.get(wallet).click();
    assert!(until(|| picked.get_untracked().is_some()).await);
    assert_eq!(
        picked.get_untracked(),
        Some(PickCurrencyRequest {
            currency: "PHP".into(),
            network: "COINSPH".into(),
            amount: None,
            payer_contact: Some("+639171234567".into()),
        })
    );
}

#[wasm_bindgen_test]
async fn a_payment_on_the_providers_page_is_a_button_not_an_address() {
    let c = with_page_payment(WaitingPayment);
    let m = mount(move || view! { <Pay checkout=c locale=EN on_back=|| {} /> });
    let link = m.get("a[part=payment-page]");
    assert_eq!(
        link.get_attribute("href").as_deref(),
        Some("https://coins.ph/payment/request/pr1")
    );
    assert_eq!(link.get_attribute("target").as_deref(), Some("_blank"));
    assert_eq!(link.get_attribute("rel").as_deref(), Some("noopener"));
    assert!(link.class_list().contains("button"));
    // The amount in pesos, formatted by the browser's Intl.
    assert_eq!(
        link.text_content().unwrap().trim(),
        "Pay ₱20.00 on Coins.ph"
    );
    assert!(m.text("[part=page-note]").contains("Coins.ph's page"));
    // No address, no QR code, no copy buttons, no network warning, no wallet link.
    for absent in [
        "[part=address]",
        "[part=warning]",
        "[part=wallet-link]",
        "svg",
        "canvas",
        "button.copy",
        "[part=quote-ended]",
    ] {
        assert!(
            m.query(absent).is_none(),
            "{absent}: {}",
            m.root.inner_html()
        );
    }
    // A page that is not https is never linked, and no address view stands in for it.
    let mut insecure = with_page_payment(WaitingPayment);
    insecure.payment.as_mut().unwrap().payment_url = Some("http://coins.ph/x".into());
    let m = mount(move || view! { <Pay checkout=insecure locale=EN on_back=|| {} /> });
    assert!(m.query("a[part=payment-page]").is_none());
    assert!(m.query("[part=address]").is_none() && m.query("[part=warning]").is_none());
}

#[wasm_bindgen_test]
async fn suggested_amounts_fill_the_amount_field() {
    let mut c = checkout(New, None);
    c.checkout_type = CheckoutType::SuggestedFixedPrice;
    c.amount_currency = Some("USD".into());
    c.suggested_amounts = vec![amount("25.00"), amount("50.00")];
    let m = mount(move || {
        view! {
            <Choose checkout=c locale=EN on_pick=|_| {} busy=RwSignal::new(false) error=RwSignal::new(None) />
        }
    });
    let chips = m.all(".chips button");
    assert_eq!(chips.len(), 2);
    chips[1].click();
    assert!(
        until(|| m
            .get("#cw-amount")
            .unchecked_into::<web_sys::HtmlInputElement>()
            .value()
            == "50.00")
        .await
    );
}

#[wasm_bindgen_test]
async fn pay_shows_the_grouped_address_qr_warning_countdown_and_a_way_back() {
    let c = with_payment(WaitingPayment, None, "0");
    assert_eq!(screen(&c, false), Screen::Pay);
    let back = RwSignal::new(false);
    let m = mount(move || view! { <Pay checkout=c locale=EN on_back=move || back.set(true) /> });
    let groups: Vec<String> = m
        .all(".address .address-group")
        .iter()
        .map(|g| g.text_content().unwrap())
        .collect();
    assert_eq!(groups.len(), ADDRESS.len().div_ceil(4));
    assert!(groups.iter().all(|g| g.len() <= 4));
    assert_eq!(groups.concat(), ADDRESS, "the full address, in order");
    assert_eq!(
        m.get(".address").get_attribute("data-address").as_deref(),
        Some(ADDRESS)
    );
    assert_eq!(m.text(".pay .amount"), "99.462901 USDT");
    assert!(m.text(".fiat").contains("$100.00"), "{}", m.text(".fiat"));
    assert!(m.query(".qr svg path").is_some(), "an inline SVG QR code");
    assert_eq!(
        m.get(".qr svg").get_attribute("viewBox").as_deref(),
        Some("0 0 37 37"),
        "the server's 29-module matrix of the wallet URI, with its quiet zone"
    );
    assert_eq!(
        m.get(".qr").get_attribute("data-uri"),
        Some(format!("tron:{ADDRESS}?amount=99.462901"))
    );
    assert_eq!(
        m.text(".warning"),
        "Send only USDT on the Tron (TRC-20) network. Anything else will be lost."
    );
    assert!(m.text(".countdown").starts_with("Amount guaranteed for "));
    assert_eq!(
        m.get("a[part=wallet-link]").get_attribute("href"),
        Some(format!("tron:{ADDRESS}?amount=99.462901"))
    );
    assert!(m.query("button[aria-label='Copy address']").is_some());
    assert!(m.query("button[aria-label='Copy amount']").is_some());
    m.get("button[part=back]").click();
    assert!(until(|| back.get_untracked()).await);
}

#[wasm_bindgen_test]
async fn pay_takes_the_address_away_when_the_quote_ends_and_offers_a_fresh_one() {
    let mut c = with_payment(WaitingPayment, None, "0");
    c.payment.as_mut().unwrap().rate_expires_at = "2001-01-01T00:00:00Z".into();
    let asked = RwSignal::new(None::<PickCurrencyRequest>);
    let m = mount(move || {
        view! {
            <Pay checkout=c locale=EN on_back=|| {}
                on_requote=Callback::new(move |r| asked.set(Some(r))) />
        }
    });
    let ended = m.get("[part=quote-ended]");
    assert!(!ended.has_attribute("hidden"), "the quote's end is said");
    assert_eq!(
        m.text("[part=quote-ended] p"),
        "The quoted amount is no longer guaranteed. Do not send to this address; get a new quote."
    );
    assert!(
        m.get(".pay-details").has_attribute("hidden"),
        "no address left on screen as if nothing happened"
    );
    m.get("button[part=requote]").click();
    assert!(until(|| asked.get_untracked().is_some()).await);
    let request = asked.get_untracked().unwrap();
    assert_eq!(
        (request.currency.as_str(), request.network.as_str()),
        ("USDT", "TRON")
    );
}

#[wasm_bindgen_test]
async fn pay_keeps_the_address_while_the_quote_holds_or_once_funds_arrived() {
    let running = with_payment(WaitingPayment, None, "0");
    let m = mount(move || view! { <Pay checkout=running locale=EN on_back=|| {} /> });
    assert!(m.get("[part=quote-ended]").has_attribute("hidden"));
    assert!(!m.get(".pay-details").has_attribute("hidden"));
    let mut paid = with_payment(WaitingPayment, None, "10");
    paid.payment.as_mut().unwrap().rate_expires_at = "2001-01-01T00:00:00Z".into();
    let m = mount(move || view! { <Pay checkout=paid locale=EN on_back=|| {} /> });
    assert!(
        m.get("[part=quote-ended]").has_attribute("hidden"),
        "funds sent: the payment goes on, whatever the clock says"
    );
}

#[wasm_bindgen_test]
async fn a_test_checkout_says_so_above_everything_else() {
    let mut c = checkout(New, None);
    c.test = true;
    let m = mount(move || view! { <Header checkout=c locale=EN /> });
    assert_eq!(
        m.text("[part=test-badge]"),
        "Test payment: test network, never send real funds"
    );
    let real = checkout(New, None);
    let m = mount(move || view! { <Header checkout=real locale=EN /> });
    assert!(m.query("[part=test-badge]").is_none());
}

#[wasm_bindgen_test]
async fn pay_offers_no_way_back_once_funds_arrived() {
    let c = with_payment(WaitingPayment, None, "10");
    let m = mount(move || view! { <Pay checkout=c locale=EN on_back=|| {} /> });
    assert!(m.query(".address").is_some());
    assert!(m.query("button[part=back]").is_none());
}

#[wasm_bindgen_test]
async fn processing_counts_confirmations() {
    let c = with_payment(PendingPayment, None, "99.462901");
    let m = mount(move || view! { <Processing checkout=c locale=EN /> });
    assert_eq!(m.text(".title"), "Payment detected");
    assert_eq!(m.text(".confirmations"), "1 of 3 confirmations");
    assert_eq!(m.text(".processing .amount"), "99.462901 USDT");
}

#[wasm_bindgen_test]
async fn success_links_back_to_the_merchant() {
    let c = with_payment(Success, None, "99.462901");
    let m = mount(move || view! { <Outcome checkout=c screen=Screen::Success locale=EN /> });
    assert_eq!(m.text(".title"), "Payment received. Thank you!");
    assert_eq!(
        m.get("a[part=return-link]")
            .get_attribute("href")
            .as_deref(),
        Some("https://shop.example/thanks")
    );
    assert!(m.query(".remaining").is_none());
}

#[wasm_bindgen_test]
async fn a_script_return_url_is_never_a_link() {
    let mut c = with_payment(Success, None, "99.462901");
    c.return_url = Some("javascript:alert(1)".into());
    let m = mount(move || view! { <Outcome checkout=c screen=Screen::Success locale=EN /> });
    assert!(m.query("a[part=return-link]").is_none());
}

#[wasm_bindgen_test]
async fn underpaid_shows_the_remainder_with_its_own_qr() {
    let c = with_payment(Conflict, Some(Exception::Underpaid), "50");
    let current = screen(&c, false);
    assert_eq!(current, Screen::Underpaid);
    let m = mount(move || view! { <Outcome checkout=c screen=current locale=EN /> });
    assert_eq!(
        m.get(".outcome").get_attribute("data-screen").as_deref(),
        Some("underpaid")
    );
    assert_eq!(m.text(".remaining"), "49.462901 USDT");
    assert!(m
        .text(".outcome-body")
        .starts_with("49.462901 USDT is still due."));
    assert_eq!(
        m.get(".qr svg").get_attribute("viewBox").as_deref(),
        Some("0 0 33 33"),
        "the remainder's own matrix (25 modules), not the full amount's"
    );
    assert_eq!(
        m.get(".qr").get_attribute("data-uri"),
        Some(format!("tron:{ADDRESS}?amount=49.462901"))
    );
    assert_eq!(
        m.get(".address").get_attribute("data-address").as_deref(),
        Some(ADDRESS)
    );
    assert!(m.query("a[part=return-link]").is_none());
}

#[wasm_bindgen_test]
async fn each_other_outcome_says_what_happened_and_what_happens_next() {
    let cases = [
        (
            with_payment(Conflict, Some(Exception::Overpaid), "120"),
            "overpaid",
            "You sent more than required",
            Some("The merchant has been notified"),
        ),
        (
            with_payment(Conflict, Some(Exception::PaidLate), "99.462901"),
            "paid-late",
            "Payment arrived after the checkout expired",
            Some("Your payment was recorded."),
        ),
        (
            checkout(Expired, None),
            "expired",
            "This checkout has expired",
            Some("No payment was received in time."),
        ),
        (
            with_payment(Expired, None, "10"),
            "expired-partial",
            "This checkout has expired",
            Some("A partial payment was received"),
        ),
        (
            checkout(Cancelled, None),
            "cancelled",
            "This checkout was cancelled",
            None,
        ),
    ];
    for (c, name, title, body) in cases {
        let current = screen(&c, false);
        assert_eq!(current.name(), name);
        let m = mount(move || view! { <Outcome checkout=c screen=current locale=EN /> });
        assert_eq!(
            m.get(".outcome").get_attribute("data-screen").as_deref(),
            Some(name)
        );
        assert_eq!(m.text(".title"), title, "{name}");
        match body {
            Some(body) => assert!(m.text(".outcome-body").starts_with(body), "{name}"),
            None => assert!(m.query(".outcome-body").is_none(), "{name}"),
        }
        assert!(m.query(".remaining").is_none());
        assert_eq!(
            m.query("a[part=return-link]").is_some(),
            links_back(current),
            "{name}: the way back where the journey is over"
        );
    }
}

#[wasm_bindgen_test]
async fn the_header_names_the_checkout_and_its_price() {
    let c = with_payment(WaitingPayment, None, "0");
    let m = mount(move || view! { <Header checkout=c locale=EN /> });
    assert_eq!(m.text(".name"), "Order 42");
    assert_eq!(m.text(".description"), "Two tickets");
    assert_eq!(m.text(".price-fiat"), "$100.00");
    assert_eq!(m.text(".price-crypto"), "99.462901 USDT");
}

#[wasm_bindgen_test]
async fn loading_shows_a_busy_skeleton() {
    let m = mount(|| view! { <Skeleton locale=EN /> });
    assert_eq!(
        m.get(".skeleton").get_attribute("aria-busy").as_deref(),
        Some("true")
    );
    assert_eq!(m.text(".skeleton .sr-only"), "Loading checkout…");
    assert_eq!(m.all(".skeleton > div").len(), 3);
}

#[wasm_bindgen_test]
async fn a_network_error_offers_a_retry_that_loads_again() {
    let retries = RwSignal::new(0);
    let m = mount(move || {
        view! { <Failure error=ApiError::Network locale=EN retry=move || retries.update(|n| *n += 1) /> }
    });
    assert_eq!(
        m.text(".error-message"),
        "We could not reach the payment server. Check your connection."
    );
    m.get(".error button").click();
    assert!(until(|| retries.get_untracked() == 1).await);
}

#[wasm_bindgen_test]
async fn a_refused_request_shows_the_servers_words_without_a_retry() {
    let error = ApiError::Server {
        status: 404,
        code: "not_found".into(),
        message: "checkout CCO-x not found".into(),
    };
    let m = mount(move || view! { <Failure error=error locale=EN retry=|| {} /> });
    assert_eq!(m.text(".error-message"), "checkout CCO-x not found");
    assert!(m.query(".error button").is_none());
    let server = ApiError::Server {
        status: 503,
        code: "unavailable".into(),
        message: "database is down".into(),
    };
    let m = mount(move || view! { <Failure error=server locale=EN retry=|| {} /> });
    assert_eq!(
        m.text(".error-message"),
        "The payment server could not complete the request.",
        "a 5xx never shows internals"
    );
    assert!(m.query(".error button").is_some());
}

#[wasm_bindgen_test]
async fn a_provider_refusal_is_explained_without_a_retry_that_would_only_repeat_it() {
    let refused = ApiError::Server {
        status: 502,
        code: "provider_refused".into(),
        message: "the payment provider declined to open this payment".into(),
    };
    let m = mount(move || view! { <Failure error=refused locale=EN retry=|| {} /> });
    assert_eq!(
        m.text(".error-message"),
        "The payment provider declined to open this payment. Choose another currency or contact \
         the merchant."
    );
    assert!(m.query(".error button").is_none());
    let unavailable = ApiError::Server {
        status: 502,
        code: "provider_unavailable".into(),
        message: "the payment provider could not be reached; try again".into(),
    };
    let m = mount(move || view! { <Failure error=unavailable locale=EN retry=|| {} /> });
    assert!(
        m.query(".error button").is_some(),
        "an outage can be retried"
    );
}

/// Replaces `navigator.clipboard` for one test; `None` removes it (an insecure page).
fn stub_clipboard(present: bool) {
    js(if present {
        "window.__copied = [];
         Object.defineProperty(navigator, 'clipboard', { configurable: true,
           value: { writeText: (t) => { window.__copied.push('clipboard:' + t); return Promise.resolve(); } } });"
    } else {
        "window.__copied = [];
         Object.defineProperty(navigator, 'clipboard', { configurable: true, value: undefined });
         document.execCommand = (command) => {
           const selected = document.activeElement && document.activeElement.value;
           const buffer = [...document.querySelectorAll('textarea.copy-buffer')];
           window.__copied.push(command + ':' + (buffer.length ? buffer[0].value : selected));
           return true;
         };"
    });
}

fn copied() -> Vec<String> {
    js_sys::Array::from(&js("return window.__copied"))
        .iter()
        .filter_map(|v| v.as_string())
        .collect()
}

#[wasm_bindgen_test]
async fn copy_buttons_copy_the_canonical_value_and_confirm() {
    stub_clipboard(true);
    let m = mount(
        || view! { <CopyButton value="1234.500000".to_string() label="Copy amount" locale=EN /> },
    );
    let button = m.get("button.copy");
    assert_eq!(button.text_content().unwrap(), "Copy");
    button.click();
    assert!(until(|| button.text_content().unwrap() == "Copied").await);
    assert_eq!(button.get_attribute("data-copied").as_deref(), Some("true"));
    assert_eq!(copied(), ["clipboard:1234.500000"]);
    // The confirmation goes away so a second copy is confirmed too.
    assert!(
        until(|| button.text_content().unwrap() == "Copy").await || {
            sleep(1_000).await;
            button.text_content().unwrap() == "Copy"
        }
    );
}

#[wasm_bindgen_test]
async fn without_the_clipboard_api_copying_falls_back_to_a_selection() {
    stub_clipboard(false);
    let m =
        mount(|| view! { <CopyButton value=ADDRESS.to_string() label="Copy address" locale=EN /> });
    let button = m.get("button[aria-label='Copy address']");
    button.click();
    assert!(until(|| button.text_content().unwrap() == "Copied").await);
    assert_eq!(copied(), [format!("copy:{ADDRESS}")]);
    assert!(
        m.query("textarea.copy-buffer").is_none(),
        "the buffer is removed"
    );
}

#[wasm_bindgen_test]
async fn tapping_the_qr_code_copies_the_wallet_uri() {
    stub_clipboard(true);
    let c = with_payment(WaitingPayment, None, "0");
    let m = mount(move || view! { <Pay checkout=c locale=EN on_back=|| {} /> });
    m.get("button.qr").click();
    assert!(until(|| m.text(".qr-caption") == "Copied").await);
    assert_eq!(
        copied(),
        [format!("clipboard:tron:{ADDRESS}?amount=99.462901")]
    );
}

/// An RFC 3339 time `seconds` from now, by the page's clock.
fn in_seconds(seconds: i32) -> String {
    js(&format!(
        "return new Date(Date.now() + {seconds} * 1000).toISOString();"
    ))
    .as_string()
    .unwrap()
}

#[wasm_bindgen_test]
async fn a_short_payment_says_so_and_what_is_due_from_the_first_sighting() {
    let short = with_payment(PendingPayment, None, "50");
    let m = mount(move || view! { <Processing checkout=short locale=EN /> });
    assert_eq!(m.text(".title"), "Payment detected");
    assert_eq!(
        m.text("[part=short]"),
        "This is less than the amount due: 49.462901 USDT is still to pay."
    );
    let seen_waiting = with_payment(WaitingPayment, None, "50");
    let m = mount(move || view! { <Pay checkout=seen_waiting locale=EN on_back=|| {} /> });
    assert!(m
        .text("[part=short]")
        .contains("49.462901 USDT is still to pay"));
    let full = with_payment(PendingPayment, None, "99.462901");
    let m = mount(move || view! { <Processing checkout=full locale=EN /> });
    assert!(
        m.query("[part=short]").is_none(),
        "nothing short, nothing said"
    );
}

#[wasm_bindgen_test]
async fn the_countdown_is_of_whichever_ends_first_and_says_what_then() {
    let quote_first = with_payment(WaitingPayment, None, "0");
    let m = mount(move || view! { <Pay checkout=quote_first locale=EN on_back=|| {} /> });
    assert!(m.text(".countdown").starts_with("Amount guaranteed for "));
    assert_eq!(
        m.text(".countdown-then"),
        "After that, get a new quote before sending."
    );

    let mut closing = with_payment(WaitingPayment, None, "0");
    closing.expires_at = in_seconds(5);
    let m = mount(move || view! { <Pay checkout=closing locale=EN on_back=|| {} /> });
    let said = m.text(".countdown");
    assert!(
        said.starts_with("This checkout closes in 00:0")
            && said.ends_with("Anything sent later needs the merchant's review."),
        "{said}"
    );
    assert!(
        m.query(".countdown-then").is_none(),
        "no new quote to promise"
    );
}

#[wasm_bindgen_test]
async fn a_conflict_without_an_exception_is_in_the_merchants_hands() {
    let c = with_payment(Conflict, None, "99.462901");
    let current = screen(&c, false);
    assert_eq!(current, Screen::Review);
    let m = mount(move || view! { <Outcome checkout=c screen=current locale=EN /> });
    assert_eq!(m.text(".title"), "This payment needs the merchant's review");
    assert_eq!(
        m.text(".outcome-body"),
        "The merchant has been notified and will review it. If you contact them, quote the \
         reference CCO-1."
    );
    assert!(!m
        .root
        .text_content()
        .unwrap()
        .contains("more than required"));
    assert_eq!(
        m.get(".support a").get_attribute("href").as_deref(),
        Some("https://shop.example/help")
    );
    let mut no_support = with_payment(Conflict, None, "99.462901");
    no_support.support_url = None;
    let m = mount(move || view! { <Outcome checkout=no_support screen=current locale=EN /> });
    assert!(m.query(".support").is_none());
    assert!(
        m.text(".outcome-body").contains("CCO-1"),
        "the reference to quote"
    );
}

#[wasm_bindgen_test]
async fn the_rest_of_an_underpaid_payment_is_paid_like_the_payment() {
    let mut c = with_payment(Conflict, Some(Exception::Underpaid), "50");
    c.expires_at = in_seconds(600);
    let m = mount(move || view! { <Outcome checkout=c screen=Screen::Underpaid locale=EN /> });
    assert_eq!(m.text("#cw-amount-label"), "Send exactly");
    assert_eq!(m.text("#cw-address-label"), "To this address");
    assert_eq!(m.text(".amount.remaining"), "49.462901 USDT");
    let groups: Vec<String> = m
        .all(".address .address-group")
        .iter()
        .map(|g| g.text_content().unwrap())
        .collect();
    assert_eq!(groups.concat(), ADDRESS, "grouped, in order");
    assert!(groups.len() > 1);
    assert_eq!(
        m.get("a[part=wallet-link]").get_attribute("href"),
        Some(format!("tron:{ADDRESS}?amount=49.462901")),
        "the wallet is asked for the rest"
    );
    assert!(m.query("button[aria-label='Copy address']").is_some());
    assert!(m.query("button[aria-label='Copy amount']").is_some());
    assert!(m
        .text(".warning")
        .starts_with("Send only USDT on the Tron (TRC-20) network"));
    let said = m.text(".countdown");
    assert!(
        said.starts_with("This checkout closes in 09:") || said.contains("10:00"),
        "{said}"
    );
}

#[wasm_bindgen_test]
async fn an_expired_checkout_links_back_and_says_whether_it_can_start_again() {
    let restarted = RwSignal::new(0);
    let by_key = checkout(Expired, None);
    let m = mount(move || {
        view! {
            <Outcome checkout=by_key screen=Screen::Expired { partial: false } locale=EN
                on_restart=Some(Callback::new(move |()| restarted.update(|n| *n += 1))) />
        }
    });
    assert_eq!(m.text("[part=start-again]"), "Start a new checkout");
    assert_eq!(
        m.get("a[part=return-link]")
            .get_attribute("href")
            .as_deref(),
        Some("https://shop.example/thanks")
    );
    m.get("[part=start-again]").click();
    assert!(until(|| restarted.get_untracked() == 1).await);

    let by_id = checkout(Expired, None);
    let m = mount(move || {
        view! { <Outcome checkout=by_id screen=Screen::Expired { partial: false } locale=EN /> }
    });
    assert!(m.query("[part=start-again]").is_none());
    assert_eq!(
        m.text("[part=no-restart]"),
        "This checkout cannot be reopened. To pay, start again from the merchant's page."
    );

    let late = with_payment(Conflict, Some(Exception::PaidLate), "99.462901");
    let m = mount(move || view! { <Outcome checkout=late screen=Screen::PaidLate locale=EN /> });
    assert!(m.query("a[part=return-link]").is_some());
    assert!(
        m.query("[part=start-again]").is_none() && m.query("[part=no-restart]").is_none(),
        "paid late: a fresh start would only risk paying twice"
    );
}
